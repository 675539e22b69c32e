package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sugarme/tokenizer/pretrained"
)

func TestRunDeterministic(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.jsonl")
	b := filepath.Join(dir, "b.jsonl")
	if err := os.WriteFile(a, []byte(`{"text": "The Kremlin denied it.", "label": "denial"}
{"text": "Officials\u00a0sent “condolences”.", "label": "condolence"}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	// b ends in a partial line, as a file still being written would.
	if err := os.WriteFile(b, []byte(`{"text": "Erdoğan warned of floods!"}
{"text": "unfinish`), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.jsonl")
	out1, out2 := filepath.Join(dir, "1.json"), filepath.Join(dir, "2.json")
	if err := run(out1, "", []string{a, b, missing}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(out2, "", []string{missing, b, a}, io.Discard); err != nil {
		t.Fatal(err)
	}
	d1, _ := os.ReadFile(out1)
	d2, _ := os.ReadFile(out2)
	if !bytes.Equal(d1, d2) {
		t.Errorf("output depends on input order")
	}
	var f tokenizerFile
	if err := json.Unmarshal(d1, &f); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"[UNK]", "kremlin", "officials", "condolences", "erdoğan", `"`, "ğ", "##ğ", "a", "##a"} {
		if _, ok := f.Model.Vocab[tok]; !ok {
			t.Errorf("vocab: got no %q, want it", tok)
		}
	}
	for _, tok := range []string{"Kremlin", "“", "officials\u00a0sent", "unfinish"} {
		if _, ok := f.Model.Vocab[tok]; ok {
			t.Errorf("vocab: got %q, want it absent", tok)
		}
	}
	if f.Model.Vocab["[UNK]"] != 0 {
		t.Errorf("[UNK] id: got %d, want 0", f.Model.Vocab["[UNK]"])
	}
	tk, err := pretrained.FromReader(bytes.NewReader(d1))
	if err != nil {
		t.Fatal(err)
	}
	en, err := tk.EncodeSingle("Officials\u00a0sent “condolences”.")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"officials", "sent", `"`, "condolences", `"`, "."}
	if got := en.Tokens; !slices.Equal(got, want) {
		t.Errorf("tokens: got %q, want %q", got, want)
	}
}
