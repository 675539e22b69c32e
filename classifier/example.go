package classifier

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Example is one labeled sentence used to train, forget or evaluate.
type Example struct {
	Text  string `json:"text"`  // the sentence
	Label string `json:"label"` // its label
}

// MaxLabelLen is the longest label, in bytes, the package accepts.
const MaxLabelLen = 64

// MaxLabels is the most labels a model may have unless WithMaxLabels says
// otherwise. Every label adds a count of 8 bytes to each feature of the
// model (the default model has about 90,000), and a batch's time grows
// with its labels too, so Learn and Replace refuse a batch that would pass
// the limit with ErrTooManyLabels.
const MaxLabels = 64

// MaxFeatures is the most distinct features a model may have unless
// WithMaxFeatures says otherwise: about 11 times the default model's
// 90,000. Each feature costs about 300 bytes of memory and 27 bytes of
// saved model, and every change copies and saves the whole model: at the
// limit a model takes about 330 MB of heap and 26 MB of disk, loads in
// about 0.8 s, and a change of one example takes 0.3 to 0.5 s.
const MaxFeatures = 1_000_000

// MaxLearned is the most distinct examples a model may hold unless
// WithMaxLearned says otherwise: about 112 times the default model's
// 8,955. Each costs about 17 bytes of saved model and 50 to 150 bytes of
// memory, and every change copies and saves them all: at the limit they
// add about 18 MB on disk and half a second to a one-example change.
const MaxLearned = 1_000_000

// MaxLabelsCap is the highest limit WithMaxLabels may set. At 1,024
// labels the counts of the default model take about 750 MB, and its scores
// as much again.
const MaxLabelsCap = 1024

// CheckText reports whether s is usable as a sentence or text to classify:
// valid UTF-8, not blank, and free of control characters other than tab,
// line feed and carriage return. The error wraps ErrEmptyText,
// ErrInvalidUTF8 or ErrControlChar.
func CheckText(s string) error {
	if !utf8.ValidString(s) {
		return ErrInvalidUTF8
	}
	blank := true
	for i, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			if r != '\t' && r != '\n' && r != '\r' {
				return fmt.Errorf("%w (U+%04X at byte %d)", ErrControlChar, r, i)
			}
		}
		if blank && !unicode.IsSpace(r) && !isInvisible(r) {
			blank = false
		}
	}
	if blank {
		return ErrEmptyText
	}
	return nil
}

// isBidiMark reports the bidirectional marks and controls (U+200E, U+200F,
// U+061C, U+202A–U+202E, U+2066–U+2069), which isInvisible counts too.
func isBidiMark(r rune) bool {
	return r == '\u200e' || r == '\u200f' || r == '\u061c' || '\u202a' <= r && r <= '\u202e' || '\u2066' <= r && r <= '\u2069'
}

// isInvisible reports format characters that carry no text: the
// zero-width space (U+200B), joiners (U+200C, U+200D) and word joiner
// (U+2060), the byte order mark, the invisible operators (U+2061–U+2064),
// the Mongolian vowel separator, and the bidirectional marks and controls
// that Arabic and Hebrew text carries (isBidiMark).
func isInvisible(r rune) bool {
	switch {
	case r < '\u061c':
		return false
	case r == '\u180e', r == '\ufeff', '\u200b' <= r && r <= '\u200d', '\u2060' <= r && r <= '\u2064':
		return true
	}
	return isBidiMark(r)
}

// NormalizeLabel returns the canonical form of a label: white space trimmed
// and lower-cased. Labels are compared in this form, so " Denial " and
// "denial" are the same label. A label that is empty after trimming wraps
// ErrEmptyLabel; one that is longer than MaxLabelLen or holds characters
// other than letters, digits, '_' and '-' wraps ErrInvalidLabel.
func NormalizeLabel(label string) (string, error) {
	// Checked before lower-casing, which would turn invalid bytes into
	// U+FFFD.
	if !utf8.ValidString(label) {
		return "", fmt.Errorf("%w: not valid UTF-8", ErrInvalidLabel)
	}
	l := strings.ToLower(strings.TrimSpace(label))
	if l == "" {
		return "", ErrEmptyLabel
	}
	if len(l) > MaxLabelLen {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrInvalidLabel, MaxLabelLen)
	}
	for _, r := range l {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' {
			return "", fmt.Errorf("%w: %q has character %q (use letters, digits, '_' or '-')", ErrInvalidLabel, label, r)
		}
	}
	return l, nil
}

// ExampleError is the error for one example of a batch: Index is its
// position and Field names the field at fault ("text" or "label").
type ExampleError struct {
	Index int    // the example's position in the batch, from 0
	Field string // "text" or "label"
	Err   error  // what is wrong with it
}

// Error implements error.
func (e *ExampleError) Error() string {
	return fmt.Sprintf("examples[%d].%s: %v", e.Index, e.Field, e.Err)
}

// Unwrap returns the underlying sentinel error.
func (e *ExampleError) Unwrap() error { return e.Err }

// normalizeExamples validates a batch and returns a copy with canonical
// labels. The first bad example decides the error.
func normalizeExamples(examples []Example) ([]Example, error) {
	if len(examples) == 0 {
		return nil, ErrNoExamples
	}
	out := make([]Example, len(examples))
	for i, ex := range examples {
		if err := CheckText(ex.Text); err != nil {
			return nil, &ExampleError{Index: i, Field: "text", Err: err}
		}
		l, err := NormalizeLabel(ex.Label)
		if err != nil {
			return nil, &ExampleError{Index: i, Field: "label", Err: err}
		}
		out[i] = Example{Text: ex.Text, Label: l}
	}
	return out, nil
}
