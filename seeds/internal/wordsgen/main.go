package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/claimsvc/claims/seeds"
)

func main() {
	out := flag.String("out", "seeds/words.txt", "file to write")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "wordsgen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	var buf bytes.Buffer
	if err := seeds.WriteWords(&buf); err != nil {
		return err
	}
	// Write atomically: a temporary file beside the target, then rename.
	tmp, err := os.CreateTemp(filepath.Dir(out), ".words-*.txt")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	n := bytes.Count(buf.Bytes(), []byte("\n")) - 2
	fmt.Fprintf(os.Stderr, "wordsgen: wrote %d words to %s (%d bytes)\n", n, out, buf.Len())
	return nil
}
