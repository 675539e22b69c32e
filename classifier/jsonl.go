package classifier

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ErrBadJSONL reports a malformed line in a JSON Lines example file.
var ErrBadJSONL = errors.New("malformed example line")

// MaxJSONLLine is the longest line ReadExamples accepts, in bytes.
const MaxJSONLLine = 1 << 20

// ReadExamples parses JSON Lines with one {"text": ..., "label": ...}
// object a line, as in the project's corpus files. Blank lines are skipped;
// other fields (such as "doc") are ignored. A line that is not such an
// object, or is longer than MaxJSONLLine, returns an error wrapping
// ErrBadJSONL that names the line. Texts and labels are not validated here:
// Learn, Forget and Evaluate do that.
func ReadExamples(r io.Reader) ([]Example, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxJSONLLine)
	var out []Example
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var raw struct {
			Text  *string `json:"text"`
			Label *string `json:"label"`
		}
		if err := json.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrBadJSONL, line, err)
		}
		if raw.Text == nil || raw.Label == nil {
			return nil, fmt.Errorf("%w: line %d: needs \"text\" and \"label\" string fields", ErrBadJSONL, line)
		}
		out = append(out, Example{Text: *raw.Text, Label: *raw.Label})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%w: line %d: longer than %d bytes", ErrBadJSONL, line+1, MaxJSONLLine)
		}
		return nil, err
	}
	return out, nil
}
