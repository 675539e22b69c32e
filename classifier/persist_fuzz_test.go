package classifier

import (
	"bytes"
	"context"
	"errors"
	"testing"
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
		m, err := Load(bytes.NewReader(data), spaceTokens{})
		if err != nil {
			if !errors.Is(err, ErrBadModel) {
				t.Fatalf("error %v does not wrap ErrBadModel", err)
			}
			return
		}
		var out bytes.Buffer
		if err := m.Save(&out); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("loaded model saves to different bytes")
		}
		m.Classify("a b c")
	})
}

// FuzzReadExamples checks that the JSON Lines parser never panics and that
// what it accepts round-trips through Learn's validation without panics.
func FuzzReadExamples(f *testing.F) {
	f.Add([]byte("{\"text\": \"a\", \"label\": \"x\"}\n\n{\"text\": \"b\", \"label\": \"y\", \"doc\": 1}\n"))
	f.Add([]byte("{\"text\": 1}"))
	f.Add([]byte("not json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		exs, err := ReadExamples(bytes.NewReader(data))
		if err != nil {
			return
		}
		c := New(spaceTokens{})
		c.Learn(context.Background(), exs, true)
	})
}
