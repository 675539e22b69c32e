package jsonstr

import "unicode/utf16"

// End returns the index just past the JSON string that starts with the
// quote at data[start], or len(data) if the string does not end.
func End(data []byte, start int) int {
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

// Escape decodes the \uXXXX escape at the start of raw and, if it is a
// high surrogate, the low surrogate's escape after it. It returns the rune
// and the bytes read. ok is false for a surrogate without its other half
// (n is then 6, the escape's length) and for a malformed escape (n is 0).
func Escape(raw []byte) (r rune, n int, ok bool) {
	r1, ok := hex4(raw)
	if !ok {
		return 0, 0, false
	}
	if !utf16.IsSurrogate(r1) {
		return r1, 6, true
	}
	if r1 < 0xdc00 { // a high surrogate: its pair must follow
		if r2, ok := hex4(raw[6:]); ok {
			if r := utf16.DecodeRune(r1, r2); r != '\uFFFD' {
				return r, 12, true
			}
		}
	}
	return 0, 6, false
}

// Unpaired returns the first unpaired surrogate escape in raw, the
// contents of a JSON string between its quotes, as written ("\ud800"), or
// "" if there is none.
func Unpaired(raw []byte) string {
	for i := 0; i+1 < len(raw); {
		switch {
		case raw[i] != '\\':
			i++
		case raw[i+1] != 'u':
			i += 2
		default:
			_, n, ok := Escape(raw[i:])
			if !ok && n == 6 {
				return string(raw[i : i+6])
			}
			i += max(n, 2)
		}
	}
	return ""
}

// hex4 decodes a \uXXXX escape at the start of raw.
func hex4(raw []byte) (rune, bool) {
	if len(raw) < 6 || raw[0] != '\\' || raw[1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range raw[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
