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

// TestOpenAPIErrorsAndSecurity checks that a client generated from the
// spec knows the error answers and where the bearer token goes.
func TestOpenAPIErrorsAndSecurity(t *testing.T) {
	type operation struct {
		Responses map[string]struct {
			Schema struct {
				Ref string `json:"$ref"`
			} `json:"schema"`
		} `json:"responses"`
		Security []map[string][]string `json:"security"`
	}
	var doc struct {
		Paths               map[string]map[string]operation `json:"paths"`
		SecurityDefinitions map[string]struct {
			Type, Name, In string
		} `json:"securityDefinitions"`
	}
	if err := json.Unmarshal(OpenAPISpec(), &doc); err != nil {
		t.Fatal(err)
	}
	if b := doc.SecurityDefinitions["bearer"]; b.Type != "apiKey" || b.Name != "Authorization" || b.In != "header" {
		t.Errorf("securityDefinitions.bearer: got %+v, want an apiKey in the Authorization header", b)
	}
	tests := []struct {
		path, method string
		codes        []string
		secured      bool
	}{
		{"/v1/classify", "post", []string{"400", "408", "413", "415", "504"}, false},
		{"/v1/classify:stream", "post", []string{"400", "408", "413", "429"}, false},
		{"/v1/train", "post", []string{"400", "401", "403", "409", "413"}, true},
		{"/v1/forget", "post", []string{"400", "401", "404", "409", "413"}, true},
		{"/v1/evaluate", "post", []string{"400", "413"}, false},
		{"/v1/model", "get", []string{"400", "504"}, false},
	}
	for _, tt := range tests {
		op := doc.Paths[tt.path][tt.method]
		for _, c := range tt.codes {
			if r, ok := op.Responses[c]; !ok || r.Schema.Ref != "#/definitions/Status" {
				t.Errorf("%s %s: response %s: got %+v, want a Status", tt.method, tt.path, c, r)
			}
		}
		secured := len(op.Security) == 1 && op.Security[0]["bearer"] != nil
		if secured != tt.secured {
			t.Errorf("%s %s: got security %v, want bearer: %v", tt.method, tt.path, op.Security, tt.secured)
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
