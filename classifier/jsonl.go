package classifier

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// ErrBadJSONL reports a malformed line in a JSON Lines example file.
var ErrBadJSONL = errors.New("malformed example line")

// MaxJSONLLine is the longest line ReadExamples accepts, in bytes.
const MaxJSONLLine = 1 << 20

// ReadExamples parses JSON Lines with one {"text": ..., "label": ...}
// object a line, as in the project's corpus files. Blank lines and a UTF-8
// byte order mark at the start are skipped; other fields (such as "doc")
// are ignored. A line that is not such an object, is not valid UTF-8, or
// is longer than MaxJSONLLine, returns an error wrapping ErrBadJSONL that
// names the line. Texts and labels are not validated here: Learn, Forget
// and Evaluate do that.
func ReadExamples(r io.Reader) ([]Example, error) {
	exs, _, err := ReadExampleLines(r)
	return exs, err
}

// ReadExampleLines is ReadExamples that also returns the line number (from
// 1) each example was read from.
func ReadExampleLines(r io.Reader) ([]Example, []int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxJSONLLine)
	var out []Example
	var lines []int
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if line == 1 {
			b = bytes.TrimPrefix(b, utf8BOM)
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			continue
		}
		if !utf8.Valid(b) {
			// json.Unmarshal would quietly turn the bad bytes into U+FFFD.
			return nil, nil, fmt.Errorf("%w: line %d: not valid UTF-8", ErrBadJSONL, line)
		}
		var raw struct {
			Text  *string `json:"text"`
			Label *string `json:"label"`
		}
		if err := json.Unmarshal(b, &raw); err != nil {
			return nil, nil, fmt.Errorf("%w: line %d: %v", ErrBadJSONL, line, err)
		}
		if raw.Text == nil || raw.Label == nil {
			return nil, nil, fmt.Errorf("%w: line %d: needs \"text\" and \"label\" string fields", ErrBadJSONL, line)
		}
		out = append(out, Example{Text: *raw.Text, Label: *raw.Label})
		lines = append(lines, line)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, nil, fmt.Errorf("%w: line %d: longer than %d bytes", ErrBadJSONL, line+1, MaxJSONLLine)
		}
		return nil, nil, err
	}
	return out, lines, nil
}

// utf8BOM is the byte order mark some editors write at the start of a
// UTF-8 file.
var utf8BOM = []byte("\ufeff")
