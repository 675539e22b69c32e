package classifier

import (
	"unicode"
	"unicode/utf8"
)

// checkSentence is CheckText with a fast path: one pass that accepts valid
// UTF-8 holding no control character and at least one visible character.
// Anything else is handed to CheckText, so the errors are exactly its.
func checkSentence(s string) error {
	visible := false
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			switch {
			case b-0x20 < 0x5f: // printable ASCII, 0x20..0x7e
				visible = visible || b != ' '
			case b == '\t' || b == '\n' || b == '\r':
			default:
				return CheckText(s)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r < 0xa0 || (r == utf8.RuneError && n == 1) {
			return CheckText(s) // C1 control character or invalid UTF-8
		}
		if !visible && !unicode.IsSpace(r) && !isInvisible(r) {
			visible = true
		}
		i += n
	}
	if !visible {
		return CheckText(s)
	}
	return nil
}

// isBlank reports whether s holds only white space and invisible format
// characters: the text CheckText rejects with ErrEmptyText.
func isBlank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && !isInvisible(r) {
			return false
		}
	}
	return true
}
