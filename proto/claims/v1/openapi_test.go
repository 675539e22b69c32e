package claimsv1

import (
	"encoding/json"
	"testing"
)

func TestOpenAPISpec(t *testing.T) {
	var doc struct {
		Swagger     string                                `json:"swagger"`
		Paths       map[string]map[string]json.RawMessage `json:"paths"`
		Definitions map[string]json.RawMessage            `json:"definitions"`
	}
	if err := json.Unmarshal(OpenAPISpec(), &doc); err != nil {
		t.Fatalf("OpenAPISpec() is not valid JSON: %v", err)
	}
	if doc.Swagger != "2.0" {
		t.Errorf("swagger = %q, want 2.0", doc.Swagger)
	}
	routes := map[string]string{
		"/v1/classify":        "post",
		"/v1/classify:stream": "post",
		"/v1/train":           "post",
		"/v1/forget":          "post",
		"/v1/evaluate":        "post",
		"/v1/model":           "get",
	}
	for path, method := range routes {
		ops, ok := doc.Paths[path]
		if !ok {
			t.Errorf("path %s missing", path)
			continue
		}
		if _, ok := ops[method]; !ok {
			t.Errorf("path %s has no %s operation", path, method)
		}
	}
	for _, name := range []string{"ClassifyRequest", "ClassifyResponse", "GetModelResponse", "Limits"} {
		if _, ok := doc.Definitions[name]; !ok {
			t.Errorf("definition %s missing", name)
		}
	}
}

func TestOpenAPISpecReturnsCopy(t *testing.T) {
	a := OpenAPISpec()
	a[0] = 'x'
	if b := OpenAPISpec(); b[0] == 'x' {
		t.Error("OpenAPISpec() returned shared backing array")
	}
}
