package gateway

import (
	"bytes"
	"encoding/json"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	gwruntime "github.com/grpc-ecosystem/grpc-gateway/v2/runtime"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

// TestCountElements checks countElements against the bodies it must count
// exactly: a valid request is never refused for a count it does not have.
func TestCountElements(t *testing.T) {
	for _, tt := range []struct {
		name, raw string
		want      int
	}{
		{"empty object", `{}`, 0},
		{"empty array", `{"examples": []}`, 0},
		{"objects", `{"examples":[{},{"text":"a, b","label":"x"},{}]}`, 3},
		{"nested arrays and objects", `{"examples":[{"a":[1,2,{"b":[3]}]},[[],[]],{}]}`, 3},
		{"scalars", `{"examples":[1, true, null, "x", -2.5e3]}`, 5},
		{"strings with brackets, commas and escapes", `{"sentences":["a,]b", "[{\"", "\\", "\u0022,"]}`, 4},
		{"other member first", `{"explain": 3, "other": ["a","b","c"], "sentences": ["a"]}`, 1},
		{"same name deeper", `{"x": {"sentences": ["a","b"]}, "sentences": ["c"]}`, 1},
		{"name as a value", `{"x": "sentences", "sentences": ["c","d"]}`, 2},
		{"escaped name", `{"\u0073entences": ["c","d"]}`, 2},
		{"white space", " {\n\t\"examples\" :\r\n [ {} ,\n {} ] } ", 2},
		{"not an array", `{"examples": {"a": [1,2]}}`, 0},
		{"absent", `{"text": "a"}`, 0},
		{"truncated", `{"examples":[{},{},`, 2},
	} {
		key := "examples"
		if strings.Contains(tt.raw, "entences") {
			key = "sentences"
		}
		if got := countElements([]byte(tt.raw), key); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
}

// FuzzCountElements checks that countElements never panics and, for any
// body encoding/json reads as an object whose "examples" member is an
// array, counts exactly its elements.
func FuzzCountElements(f *testing.F) {
	for _, s := range []string{`{"examples":[{},{}]}`, `{"examples":["a,b",[1,[2]],{"x":"]"}]}`, `{"\u0065xamples":[1]}`, `[1,2]`, `{"examples":`, `"x"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := countElements([]byte(raw), "examples")
		var obj map[string]json.RawMessage
		if json.Unmarshal([]byte(raw), &obj) != nil {
			return
		}
		var arr []json.RawMessage
		if json.Unmarshal(obj["examples"], &arr) != nil {
			return
		}
		if strings.Count(raw, "xamples") > 1 || strings.Contains(raw, `\u`) {
			return // a repeated or escaped member name: encoding/json keeps the last
		}
		if got != len(arr) {
			t.Errorf("countElements(%q) = %d, want %d", raw, got, len(arr))
		}
	})
}

// TestHeaderMatcher checks which request headers become gRPC metadata:
// the Authorization header and grpc-gateway's prefixed ones, but not a
// header that would name the client or the request ID in the gateway's
// place.
func TestHeaderMatcher(t *testing.T) {
	for _, tt := range []struct {
		header, want string
		ok           bool
	}{
		{"Authorization", "authorization", true},
		{"authorization", "authorization", true},
		{"Grpc-Metadata-Trace", "Trace", true},
		{"X-Forwarded-For", "", false},
		{"Grpc-Metadata-X-Claims-Rest-Peer", "", false},
		{"grpc-metadata-x-claims-rest-peer", "", false},
		{"Grpc-Metadata-X-Request-Id", "", false},
		{"X-Request-Id", "", false},
	} {
		if got, ok := headerMatcher(tt.header); got != tt.want || ok != tt.ok {
			t.Errorf("%s: got %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

// TestReadBody reads bodies of several lengths, declared rightly, wrongly
// or not at all, and one that ends too soon.
func TestReadBody(t *testing.T) {
	for _, n := range []int{0, 1, 100, 16<<10 - 1, 16 << 10, 16<<10 + 1, bodyPiece - 1, bodyPiece, bodyPiece + 1, 3*bodyPiece + 7} {
		want := strings.Repeat("x", n)
		for _, size := range []int64{int64(n), -1, int64(n) + 10, int64(n) / 2} {
			got, err := readBody(iotest.OneByteReader(strings.NewReader(want)), size)
			if n > 100_000 {
				got, err = readBody(strings.NewReader(want), size)
			}
			if err != nil || string(got) != want {
				t.Errorf("%d bytes, declared %d: got %d bytes, %v; want them all", n, size, len(got), err)
			}
		}
	}
	_, err := readBody(io.MultiReader(strings.NewReader("{}"), iotest.ErrReader(io.ErrUnexpectedEOF)), -1)
	if err != io.ErrUnexpectedEOF {
		t.Errorf("a body that ends too soon: got %v, want %v", err, io.ErrUnexpectedEOF)
	}
}

// TestReadBodyPeak measures what readBody allocates for honest bodies that
// declare their length: one and a half times the body at most, whatever
// its size (measured: 1.50x at 16 MiB, 1.54x at 100 KiB, 1.71x at 16 KiB
// + 1, where size classes weigh most).
func TestReadBodyPeak(t *testing.T) {
	for _, n := range []int{1000, 16<<10 + 1, 20 << 10, 40 << 10, 100 << 10, 490 << 10, 1000 << 10, 1 << 20, 2 << 20, 3 << 20, 16 << 20} {
		body := strings.Repeat("x", n)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got, err := readBody(iotest.HalfReader(strings.NewReader(body)), int64(n))
		runtime.ReadMemStats(&after)
		if err != nil || len(got) != n {
			t.Fatalf("%d bytes: got %d, %v", n, len(got), err)
		}
		// Size classes round an allocation up by an eighth at most.
		if alloc := after.TotalAlloc - before.TotalAlloc; float64(alloc) > 1.5*1.125*float64(n)+1024 {
			t.Errorf("%d bytes: allocated %d (%.2fx), want at most 1.5x", n, alloc, float64(alloc)/float64(n))
		}
	}
}

// TestDecoderTakesWholeBody decodes a body limitBody read whole: the
// decoder takes its bytes in place (and lets go of them), and a second
// Decode finds the end, as a json.Decoder's would.
func TestDecoderTakesWholeBody(t *testing.T) {
	m := jsonMarshaler{JSONPb: &gwruntime.JSONPb{}}
	body := []byte(` {"text": "Rebels claimed the attack."} ` + "\n")
	wb := &wholeBody{bytes.NewReader(body), body}
	d := m.NewDecoder(wb)
	var req claimsv1.ClassifyRequest
	if err := d.Decode(&req); err != nil || req.GetText() != "Rebels claimed the attack." {
		t.Fatalf("got %q, %v; want the text", req.GetText(), err)
	}
	if wb.b != nil || wb.Len() != 0 {
		t.Errorf("the body was not taken: %d bytes kept, %d unread", len(wb.b), wb.Len())
	}
	if err := d.Decode(&req); err != io.EOF {
		t.Errorf("second Decode: got %v, want io.EOF", err)
	}
}
