package classifier

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLoad checks that Load never panics and either returns ErrBadModel or
// a model that saves back to the same bytes.
func FuzzLoad(f *testing.F) {
	c := New(spaceTokens{})
	c.Replace(context.Background(), []Example{{"a b", "x"}, {"a c", "y"}})
	var b bytes.Buffer
	c.Save(&b)
	f.Add(b.Bytes())
	f.Add([]byte(modelMagic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if out, ok := loadAndSave(t, data); ok && !bytes.Equal(out, data) {
			t.Fatalf("loaded model saves to different bytes")
		}
	})
}

// loadAndSave loads data, failing t unless Load refuses it with
// ErrBadModel or returns a model that classifies and saves; it returns
// what the model saves, and whether it loaded.
func loadAndSave(t *testing.T, data []byte) ([]byte, bool) {
	m, err := Load(bytes.NewReader(data), spaceTokens{})
	if err != nil {
		if !errors.Is(err, ErrBadModel) {
			t.Fatalf("error %v does not wrap ErrBadModel", err)
		}
		return nil, false
	}
	m.Classify("a b c")
	var out bytes.Buffer
	if err := m.Save(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), true
}

// FuzzLoadPayload is FuzzLoad past the checksum: it fuzzes the payload and
// seals it with its own checksum, so that mutations reach the decoder. Load
// never panics and either returns ErrBadModel or a model that saves back to
// the same bytes, apart from the spelling of the feature config (files of
// older builds spell it otherwise).
func FuzzLoadPayload(f *testing.F) {
	c := New(spaceTokens{}, WithClock(fixedClock()))
	c.Replace(context.Background(), []Example{{"a b", "x"}, {"a c", "y"}, {"a c", "y"}})
	var b bytes.Buffer
	c.Save(&b)
	f.Add(payloadOf(b.Bytes()))
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, ok := loadAndSave(t, reseal(payload))
		if !ok {
			return
		}
		if got, want := pastConfig(payloadOf(out)), pastConfig(payload); !bytes.Equal(got, want) {
			t.Fatalf("loaded model saves to different bytes:\ngot  %x\nwant %x", got, want)
		}
	})
}

// pastConfig is what follows the feature config in a payload Load accepted.
func pastConfig(payload []byte) []byte {
	n, k := binary.Uvarint(payload)
	return payload[k+int(n):]
}

// FuzzReadExamples checks that the JSON Lines parser never panics, that
// every example it returns is what a strict decode of its line gives
// (strictDecodeLine), with text and label valid UTF-8, and that what it
// accepts goes through Learn's validation without panics.
func FuzzReadExamples(f *testing.F) {
	f.Add([]byte("{\"text\": \"a\", \"label\": \"x\"}\n\n{\"text\": \"b\", \"label\": \"y\", \"doc\": 1}\n"))
	f.Add([]byte("{\"text\": 1}"))
	f.Add([]byte("not json"))
	f.Add([]byte("\ufeff{\"text\": \"\\ud83d\\ude00 \\ufffd \uFFFD\", \"label\": \"x\"}\r\n"))
	f.Add([]byte("{\"text\": \"a\\ud800\", \"label\": \"x\"}"))
	f.Add([]byte("{\"text\": \"a\\\\ud800\", \"label\": \"\\udc00\"}"))
	f.Add([]byte("{\"Text\": \"a\", \"text\": \"b\", \"label\": \"x\"}"))
	f.Add([]byte("{\"\\u0074ext\": \"a\", \"label\": \"x\", \"doc\": {\"text\": [1, \"}\"]}, \"doc\": 2}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		exs, err := ReadExamples(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrBadJSONL) {
				t.Fatalf("error %v does not wrap ErrBadJSONL", err)
			}
			return
		}
		want := strictDecode(t, data)
		if len(exs) != len(want) {
			t.Fatalf("got %d examples, want %d", len(exs), len(want))
		}
		for i, ex := range exs {
			if !utf8.ValidString(ex.Text) || !utf8.ValidString(ex.Label) {
				t.Fatalf("example %d: %q is not valid UTF-8", i, ex)
			}
			if ex != want[i] {
				t.Fatalf("example %d: got %q, want %q", i, ex, want[i])
			}
		}
		c := New(spaceTokens{})
		c.Learn(context.Background(), exs, true)
	})
}

// strictDecode decodes data as ReadExamples should, failing t on anything
// ReadExamples must refuse. It decodes with encoding/json, token by token,
// and checks what encoding/json lets pass: member names are unique and
// compared exactly, and no U+FFFD in a decoded text or label comes from an
// escaped surrogate (each is a literal U+FFFD or a \ufffd escape).
func strictDecode(t *testing.T, data []byte) []Example {
	var out []Example
	for n, line := range bytes.Split(data, []byte("\n")) {
		if n == 0 {
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		if line = bytes.Trim(line, " \t\r"); len(line) == 0 {
			continue
		}
		if !utf8.Valid(line) || !json.Valid(line) {
			t.Fatalf("line %d was accepted but is not valid UTF-8 JSON: %q", n+1, line)
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			t.Fatalf("line %d was accepted but is not an object: %q", n+1, line)
		}
		members := map[string]json.RawMessage{}
		for dec.More() {
			before := dec.InputOffset()
			tok, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			name := tok.(string)
			// The name as written: from its opening quote to the offset
			// after it.
			rawName := line[before:dec.InputOffset()]
			rawName = rawName[bytes.IndexByte(rawName, '"'):]
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			// encoding/json turns a name's unpaired surrogate escapes into
			// U+FFFD, so two such names may decode alike without being
			// the same name: only those are let through.
			unpaired := strings.Count(name, "\ufffd") > replacementsIn(rawName)
			if _, dup := members[name]; dup && !unpaired {
				t.Fatalf("line %d was accepted with member %q twice", n+1, name)
			}
			members[name] = v
		}
		var ex Example
		for _, f := range []struct {
			name string
			dst  *string
		}{{"text", &ex.Text}, {"label", &ex.Label}} {
			for name := range members {
				if name != f.name && strings.EqualFold(name, f.name) {
					t.Fatalf("line %d was accepted with member %q", n+1, name)
				}
			}
			raw := members[f.name]
			if err := json.Unmarshal(raw, f.dst); err != nil || raw == nil || string(raw) == "null" {
				t.Fatalf("line %d was accepted with %s %q: %v", n+1, f.name, raw, err)
			}
			if got, want := strings.Count(*f.dst, "\ufffd"), replacementsIn(raw); got != want {
				t.Fatalf("line %d: %s decodes to %d U+FFFD, the line holds %d", n+1, f.name, got, want)
			}
		}
		out = append(out, ex)
	}
	return out
}

// replacementsIn counts the U+FFFD a JSON string spells out: literal ones
// and \ufffd escapes.
func replacementsIn(raw []byte) int {
	n := 0
	for i := 0; i < len(raw); {
		switch {
		case bytes.HasPrefix(raw[i:], []byte("\ufffd")):
			n++
			i += len("\ufffd")
		case raw[i] == '\\' && i+1 < len(raw) && raw[i+1] == 'u':
			if bytes.EqualFold(raw[i+2:min(i+6, len(raw))], []byte("fffd")) {
				n++
			}
			i += 6
		case raw[i] == '\\':
			i += 2
		default:
			i++
		}
	}
	return n
}
