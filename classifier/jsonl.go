package classifier

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/claimsvc/claims/classifier/jsonstr"
)

// ErrBadJSONL reports a malformed line in a JSON Lines example file.
var ErrBadJSONL = errors.New("malformed example line")

// LineError is the error ReadExamples and ReadExampleLines return for a
// malformed line: it wraps ErrBadJSONL and names the line, so that a
// program can place it in its own words ("FILE line 3: …").
type LineError struct {
	Line   int    // the line's number, from 1
	Reason string // what is wrong with it
}

// Error returns "malformed example line: line N: reason".
func (e *LineError) Error() string {
	return fmt.Sprintf("%v: line %d: %s", ErrBadJSONL, e.Line, e.Reason)
}

// Unwrap returns ErrBadJSONL.
func (e *LineError) Unwrap() error { return ErrBadJSONL }

// lineErrorf returns a *LineError for line with a formatted reason.
func lineErrorf(line int, format string, args ...any) error {
	return &LineError{Line: line, Reason: fmt.Sprintf(format, args...)}
}

// MaxJSONLLine is the longest line ReadExamples accepts, in bytes.
const MaxJSONLLine = 1 << 20

// ReadExamples parses JSON Lines with one {"text": ..., "label": ...}
// object a line, as in the project's corpus files. Blank lines and a UTF-8
// byte order mark at the start are skipped; other members (such as "doc")
// are ignored. It is stricter than encoding/json, so that what it returns
// is exactly what the line says: member names are case-sensitive ("Text"
// or "LABEL" is refused rather than taken for "text" or "label"), a member
// name may appear only once on a line, and a "text" or "label" string
// holding an unpaired surrogate escape ("\ud800", which encoding/json turns
// into U+FFFD) is refused. A line that is not such an object, is not valid
// UTF-8, breaks one of these rules or is longer than MaxJSONLLine returns
// a *LineError, which wraps ErrBadJSONL and names the line. Texts and
// labels are not otherwise validated here: Learn, Forget and Evaluate do
// that.
func ReadExamples(r io.Reader) ([]Example, error) {
	exs, _, err := ReadExampleLines(r, MaxJSONLLine)
	return exs, err
}

// ReadExampleLines is ReadExamples that also returns the line number (from
// 1) each example was read from, and takes lines of up to maxLine bytes
// instead of MaxJSONLLine (MaxJSONLLine if maxLine is not positive; at most
// 1 GiB). The line's buffer grows only as long lines come, so a large
// maxLine costs nothing until one does: a program that reads its own
// files (the client) can take any line its server would, while a server
// parsing what strangers send keeps MaxJSONLLine.
func ReadExampleLines(r io.Reader, maxLine int) ([]Example, []int, error) {
	if maxLine <= 0 {
		maxLine = MaxJSONLLine
	}
	maxLine = min(maxLine, 1<<30)
	// bufio.Scanner hands over the part of a line read before a read
	// error, which would then be reported as a malformed line.
	rec := &readErrors{r: r}
	sc := bufio.NewScanner(rec)
	sc.Buffer(make([]byte, 0, min(64<<10, maxLine)), len(utf8BOM)+maxLine+2) // a byte order mark, the line, "\r" and "\n"
	var out []Example
	var lines []int
	line := 0
	for sc.Scan() {
		if rec.err != nil {
			return nil, nil, rec.err // the line may be cut short, even mid-character
		}
		line++
		b := sc.Bytes()
		if line == 1 {
			b = bytes.TrimPrefix(b, utf8BOM)
		}
		if len(b) > maxLine {
			return nil, nil, lineErrorf(line, "longer than %d bytes", maxLine)
		}
		// JSON's white space only: encoding/json refuses a line that
		// starts or ends with another space (U+00A0, U+2028, a form feed).
		b = bytes.Trim(b, " \t\r")
		if len(b) == 0 {
			continue
		}
		if !utf8.Valid(b) {
			// encoding/json would quietly turn the bad bytes into U+FFFD.
			return nil, nil, lineErrorf(line, "not valid UTF-8")
		}
		ex, err := parseExampleLine(b)
		if err != nil {
			return nil, nil, lineErrorf(line, "%v", err)
		}
		out = append(out, ex)
		lines = append(lines, line)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, nil, lineErrorf(line+1, "longer than %d bytes", maxLine)
		}
		return nil, nil, err
	}
	return out, lines, nil
}

// readErrors passes reads through and keeps the first error other than
// io.EOF.
type readErrors struct {
	r   io.Reader
	err error
}

func (e *readErrors) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// utf8BOM is the byte order mark some editors write at the start of a
// UTF-8 file.
var utf8BOM = []byte("\ufeff")

// parseExampleLine parses one line of valid UTF-8, trimmed and not blank.
// encoding/json checks the syntax; the members are then read here, which
// is both stricter and faster than decoding into a struct.
func parseExampleLine(b []byte) (Example, error) {
	if !json.Valid(b) {
		// encoding/json would name the rune's first byte ('ï' for a byte
		// order mark, 'Â' for U+00A0).
		if r, _ := utf8.DecodeRune(b); r >= utf8.RuneSelf {
			return Example{}, fmt.Errorf("the line starts with %U, not with a JSON object", r)
		}
		var v any
		err := json.Unmarshal(b, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) && se.Offset > 0 && se.Offset <= int64(len(b)) && b[se.Offset-1] >= utf8.RuneSelf {
			// encoding/json quotes the rune's first byte as a character
			// ('â' for U+2028): name the rune instead.
			r, _ := utf8.DecodeRune(b[se.Offset-1:])
			if _, after, ok := strings.Cut(se.Error(), "' "); ok && strings.HasPrefix(se.Error(), "invalid character '") {
				return Example{}, fmt.Errorf("invalid character %U %s", r, after)
			}
		}
		if err != nil {
			return Example{}, err
		}
		return Example{}, errors.New("not valid JSON")
	}
	if b[0] != '{' {
		return Example{}, errors.New(`not a JSON object (want {"text": ..., "label": ...})`)
	}
	var text, label []byte // raw values, nil if absent
	var names memberNames
	s := jsonScan{b: b, i: 1}
	for s.skipSpace() != '}' {
		raw := s.str()
		name := string(raw)
		if bytes.IndexByte(raw, '\\') >= 0 {
			// An unpaired surrogate escape gives no UTF-8 name, so not
			// "text" or "label" either; unquoteName keeps such names
			// apart from the others and from each other.
			name = unquoteName(raw)
		}
		if err := names.add(name); err != nil {
			return Example{}, err
		}
		s.skipSpace() // ':'
		s.i++
		s.skipSpace()
		value := s.value()
		switch name {
		case "text":
			text = value
		case "label":
			label = value
		}
		if s.skipSpace() == ',' {
			s.i++
			s.skipSpace()
		}
	}
	var ex Example
	for _, f := range []struct {
		name string
		raw  []byte
		dst  *string
	}{{"text", text, &ex.Text}, {"label", label, &ex.Label}} {
		switch {
		case f.raw == nil || string(f.raw) == "null":
			return Example{}, errors.New(`needs "text" and "label" string fields`)
		case f.raw[0] != '"':
			return Example{}, fmt.Errorf("%q is not a string", f.name)
		}
		v, err := unquoteJSON(f.raw[1 : len(f.raw)-1])
		if err != nil {
			return Example{}, fmt.Errorf("%s %w", f.name, err)
		}
		*f.dst = v
	}
	return ex, nil
}

// memberNames are the member names of one JSON object seen so far.
type memberNames struct {
	list []string
	set  map[string]bool // instead of list once the object is large
}

// add records name, refusing a name seen before and one that
// encoding/json would take for "text" or "label" (it matches names
// ignoring case) without being exactly that.
func (m *memberNames) add(name string) error {
	for _, want := range []string{"text", "label"} {
		if name != want && strings.EqualFold(name, want) {
			return fmt.Errorf("member %q is not %q (member names are case-sensitive)", name, want)
		}
	}
	if m.set == nil && len(m.list) < 16 {
		for _, n := range m.list {
			if n == name {
				return fmt.Errorf("member %q appears twice", displayName(name))
			}
		}
		m.list = append(m.list, name)
		return nil
	}
	if m.set == nil {
		m.set = make(map[string]bool, 2*len(m.list))
		for _, n := range m.list {
			m.set[n] = true
		}
	}
	if m.set[name] {
		return fmt.Errorf("member %q appears twice", displayName(name))
	}
	m.set[name] = true
	return nil
}

// jsonScan walks a JSON text that json.Valid accepted: it finds where
// tokens end, and never checks the syntax again. Past the end of b it
// reads as the end of an object, so that it stops on any input.
type jsonScan struct {
	b []byte
	i int
}

// skipSpace skips white space and returns the byte at the new position
// ('}' at the end of the input).
func (s *jsonScan) skipSpace() byte {
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return c
		}
	}
	return '}'
}

// str returns the raw contents of the string at s.i, between its quotes,
// and moves past it.
func (s *jsonScan) str() []byte {
	start := s.i + 1
	s.i = jsonstr.End(s.b, s.i)
	return s.b[min(start, len(s.b)):max(start, s.i-1)]
}

// value returns the raw value at s.i (a string with its quotes) and
// moves past it.
func (s *jsonScan) value() []byte {
	start := s.i
	depth := 0
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			s.str()
			if depth == 0 {
				return s.b[start:s.i]
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return s.b[start:s.i] // the end of a number or literal
			}
			depth--
			if depth == 0 {
				s.i++
				return s.b[start:s.i]
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return s.b[start:s.i]
			}
		}
		s.i++
	}
	return s.b[start:]
}

// unquoteJSON decodes the contents of a JSON string (without its quotes)
// that json.Valid accepted. Unlike encoding/json, which turns an escaped
// surrogate without its other half into U+FFFD, it refuses one.
func unquoteJSON(raw []byte) (string, error) { return unquote(raw, false) }

// unquoteName decodes a member name as unquoteJSON does, except that an
// unpaired surrogate escape becomes the byte 0xff and the escape's hex
// digits in lower case: a name no UTF-8 name equals, the same however the
// escape is written. displayName shows it.
func unquoteName(raw []byte) string {
	name, _ := unquote(raw, true)
	return name
}

// displayName shows a name from unquoteName with its unpaired surrogates
// as escapes.
func displayName(name string) string { return strings.ReplaceAll(name, "\xff", `\u`) }

// unquote is unquoteJSON; keepUnpaired is unquoteName's way with unpaired
// surrogate escapes.
func unquote(raw []byte, keepUnpaired bool) (string, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw), nil
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' || i+1 == len(raw) {
			out = append(out, c)
			i++
			continue
		}
		switch e := raw[i+1]; e {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n, ok := jsonstr.Escape(raw[i:])
			switch {
			case ok:
				out = utf8.AppendRune(out, r)
			case n == 0:
				return "", fmt.Errorf("has a malformed escape %q", raw[i:min(len(raw), i+6)])
			case keepUnpaired:
				// 0xff, which no UTF-8 text holds, then the surrogate's
				// hex digits in one case.
				out = append(out, 0xff)
				out = append(out, bytes.ToLower(raw[i+2:i+6])...)
			default:
				return "", fmt.Errorf("is not valid UTF-8: the JSON string holds an unpaired surrogate escape %s", raw[i:i+6])
			}
			i += n
			continue
		default: // '"', '\\', '/'
			out = append(out, e)
		}
		i += 2
	}
	return string(out), nil
}
