package gateway

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
)

// surrogateError returns an error naming the first string in data, a
// valid JSON value, that holds an unpaired surrogate escape: a \uD800 to
// \uDBFF not followed by a \uDC00 to \uDFFF escape, or one of the latter
// alone. Such a string has no UTF-8 form; protojson refuses it with
// "unexpected EOF" or "invalid escape code", which say nothing useful. The
// string is named by its path, as the server names fields
// ("sentences[1]", "examples[0].text"). It returns nil if there is none.
func surrogateError(data []byte) error {
	var stack []jsonLevel
	wantKey := false // the next string is a member name
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '{':
			stack = append(stack, jsonLevel{})
			wantKey = true
		case '[':
			stack = append(stack, jsonLevel{array: true})
		case '}', ']':
			stack = stack[:len(stack)-1]
			wantKey = false
		case ',':
			if top := &stack[len(stack)-1]; top.array {
				top.index++
			} else {
				wantKey = true
			}
		case '"':
			end := stringEnd(data, i)
			s := data[i:end]
			esc := unpairedSurrogate(s)
			isKey := wantKey
			if isKey {
				stack[len(stack)-1].key = s
				wantKey = false
			}
			if esc != "" {
				what, path := "text", jsonPath(stack)
				if isKey {
					what, path = "field name", jsonPath(stack[:len(stack)-1])
				}
				if path != "" {
					path += ": "
				}
				return fmt.Errorf("%s%s is not valid UTF-8: the JSON string holds an unpaired surrogate escape %s", path, what, esc)
			}
			i = end - 1
		}
	}
	return nil
}

// jsonLevel is an object or array that surrogateError's scan is inside.
type jsonLevel struct {
	array bool
	index int    // of the current element, in an array
	key   []byte // the current member's name, quoted, in an object
}

// jsonPath formats the position of a value from the levels that hold it:
// "examples[0].text".
func jsonPath(stack []jsonLevel) string {
	var b strings.Builder
	for _, l := range stack {
		if l.array {
			b.WriteString("[" + strconv.Itoa(l.index) + "]")
			continue
		}
		var name string
		json.Unmarshal(l.key, &name) // a valid JSON string
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(name)
	}
	return b.String()
}

// stringEnd returns the index just past the JSON string that starts with
// the quote at data[start].
func stringEnd(data []byte, start int) int {
	for i := start + 1; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++ // the escaped byte; \u's hex digits need no skipping
		case '"':
			return i + 1
		}
	}
	return len(data)
}

// unpairedSurrogate returns the first unpaired surrogate escape in s, a
// quoted JSON string, as written ("\ud800"), or "" if there is none.
func unpairedSurrogate(s []byte) string {
	last := len(s) - 1 // the closing quote
	for i := 1; i < last; i++ {
		if s[i] != '\\' {
			continue
		}
		if s[i+1] != 'u' || i+6 > last {
			i++
			continue
		}
		r := hex4(s[i+2 : i+6])
		if !utf16.IsSurrogate(r) {
			i += 5
			continue
		}
		if i+12 <= last && s[i+6] == '\\' && s[i+7] == 'u' && utf16.DecodeRune(r, hex4(s[i+8:i+12])) != unicode.ReplacementChar {
			i += 11
			continue
		}
		return string(s[i : i+6])
	}
	return ""
}

// hex4 decodes four hexadecimal digits; other bytes count as 0.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case '0' <= c && c <= '9':
			r |= rune(c - '0')
		case 'a' <= c && c <= 'f':
			r |= rune(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}
