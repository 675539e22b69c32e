package classifier

// Features of a sentence's surface, read from its raw text: headlines,
// bylines, wire datelines, capitalised names and quotation marks.

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// isCredit reports a byline or reporting credit ("By Jane Doe", "Reporting
// by …; Editing by …", "… contributed to this report."): page furniture
// whose words ("contributed", a place name) say nothing of a claim.
func isCredit(raw string, n int) bool {
	raw = strings.TrimSpace(raw)
	for _, p := range []string{"Reporting by ", "Additional reporting", "Writing by ", "Editing by ", "Compiled by "} {
		if strings.HasPrefix(raw, p) {
			return true
		}
	}
	if k := strings.Index(raw, "contributed "); k >= 0 {
		rest := raw[k+len("contributed "):]
		if strings.HasPrefix(rest, "to this report") || strings.HasPrefix(rest, "reporting") || strings.HasPrefix(rest, "to this story") {
			return true
		}
	}
	return strings.HasPrefix(raw, "By ") && n <= 12 && !strings.HasSuffix(raw, ".")
}

// untitledHeadline reports a unit of n tokens with no closing punctuation
// that is long enough to be a title rather than a fragment.
func untitledHeadline(raw string, n int) bool {
	raw = strings.TrimSpace(raw)
	if n < 5 || n > 30 || raw == "" {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(raw)
	return unicode.IsLetter(last) || unicode.IsDigit(last)
}

// isHeadline reports a unit that reads like a headline: no closing
// sentence punctuation and most longer words capitalised.
func isHeadline(raw string) bool {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(raw)
	if last == '.' || last == '"' || last == '”' || last == ':' {
		return false
	}
	words, caps := 0, 0
	for i := 0; i < len(raw); {
		// One white-space-separated field: its first rune and rune count.
		for i < len(raw) {
			r, size := utf8.DecodeRuneInString(raw[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += size
		}
		if i == len(raw) {
			break
		}
		first, _ := utf8.DecodeRuneInString(raw[i:])
		n := 0
		for i < len(raw) {
			r, size := utf8.DecodeRuneInString(raw[i:])
			if unicode.IsSpace(r) {
				break
			}
			i += size
			n++
		}
		if n < 4 {
			continue
		}
		words++
		if unicode.IsUpper(first) || unicode.IsDigit(first) {
			caps++
		}
	}
	return words >= 2 && caps*10 >= words*7
}

// nameSet holds the words capitalised inside a sentence, up to a bound.
type nameSet struct {
	words [24]string
	n     int
	// keys has bit nameKey(w) set for every word w, so has rejects most
	// tokens without comparing them to each word. Words that start with
	// a non-ASCII letter set every bit.
	keys uint64
}

// nameKey is the bit has checks first: a function of a word's length and
// its ASCII first letter, folded to lower case.
func nameKey(n int, first byte) uint64 { return 1 << ((uint(n)*7 + uint(first|0x20)) & 63) }

// add appends w to the set.
func (ns *nameSet) add(w string) {
	ns.words[ns.n] = w
	ns.n++
	if w[0] < utf8.RuneSelf {
		ns.keys |= nameKey(len(w), w[0])
	} else {
		ns.keys = ^uint64(0)
	}
}

// asciiAlnum marks the ASCII letters and digits.
var asciiAlnum = [utf8.RuneSelf]bool{
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true,
	'A': true, 'B': true, 'C': true, 'D': true, 'E': true, 'F': true, 'G': true, 'H': true, 'I': true, 'J': true,
	'K': true, 'L': true, 'M': true, 'N': true, 'O': true, 'P': true, 'Q': true, 'R': true, 'S': true, 'T': true,
	'U': true, 'V': true, 'W': true, 'X': true, 'Y': true, 'Z': true,
	'a': true, 'b': true, 'c': true, 'd': true, 'e': true, 'f': true, 'g': true, 'h': true, 'i': true, 'j': true,
	'k': true, 'l': true, 'm': true, 'n': true, 'o': true, 'p': true, 'q': true, 'r': true, 's': true, 't': true,
	'u': true, 'v': true, 'w': true, 'x': true, 'y': true, 'z': true,
}

// capitalisedWords returns the words of raw that start with an upper-case
// letter and do not start the sentence or follow sentence punctuation or an
// opening quote. Callers skip headlines, where every word is capitalised.
func capitalisedWords(raw string) nameSet {
	var ns nameSet
	prevEnd := true // at sentence start
	i := 0
	for i < len(raw) && ns.n < len(ns.words) {
		var r rune
		size := 1
		if c := raw[i]; c < utf8.RuneSelf {
			if !asciiAlnum[c] {
				switch c {
				case '.', '!', '?', '"', '(', '[', ':', '\n':
					prevEnd = true
				}
				i++
				continue
			}
			r = rune(c)
		} else {
			r, size = utf8.DecodeRuneInString(raw[i:])
			if !isAlnum(r) {
				switch r {
				case '“', '«', '‘', '—':
					prevEnd = true
				}
				i += size
				continue
			}
		}
		j := wordEnd(raw, i+size)
		if !prevEnd && unicode.IsUpper(r) {
			ns.add(raw[i:j])
		}
		prevEnd = false
		i = j
	}
	return ns
}

// wordEnd returns the index in raw of the first byte at or after j that
// does not belong to a letter or digit.
func wordEnd(raw string, j int) int {
	for j < len(raw) {
		if c := raw[j]; c < utf8.RuneSelf {
			if !asciiAlnum[c] {
				return j
			}
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(raw[j:])
		if !isAlnum(r) {
			return j
		}
		j += size
	}
	return j
}

// isAlnum reports a letter or digit, with a fast path for ASCII.
func isAlnum(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiAlnum[r]
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// hasQuote reports a straight or typographic double quote in s.
func hasQuote(s string) bool {
	return strings.IndexByte(s, '"') >= 0 || strings.Contains(s, "“") || strings.Contains(s, "”") ||
		strings.Contains(s, "«") || strings.Contains(s, "»")
}

// has reports whether token t is one of the capitalised words (t is lower case).
func (ns *nameSet) has(t string) bool {
	if t == "" || t[0] < utf8.RuneSelf && ns.keys&nameKey(len(t), t[0]) == 0 {
		return false
	}
	for _, w := range ns.words[:ns.n] {
		if len(w) == len(t) && strings.EqualFold(w, t) {
			return true
		}
	}
	return false
}

// datelineEnd returns the byte length of a wire dateline that opens raw
// ("CAIRO (Reuters) — ", "MANILA - ", "(AP) — ", "KYIV, Ukraine -- ",
// "MOSCOW, Oct 20 — ", "SRINAGAR, Jan 2: ", "London, 29 October 2022
// (dpa) - "), up to and including the space after it, or 0 if there is
// none. A place in title case counts only when a date follows it.
func datelineEnd(raw string) int {
	i, place := 0, 0
	// A place in capitals: letters, spaces, periods, apostrophes, slashes.
	for i < len(raw) {
		c := raw[i]
		if c >= 'A' && c <= 'Z' {
			place++
		} else if c >= 'a' && c <= 'z' {
			i = titleWords(raw, 0, 3)
			if i == 0 || !strings.HasPrefix(raw[i:], ", ") {
				return 0
			}
			d := dateEnd(raw, i+2)
			if d == 0 {
				return 0
			}
			return datelineTail(raw, d, true)
		} else if c != ' ' && c != '.' && c != '\'' && c != '/' {
			break
		}
		i++
	}
	if place > 0 && place < 3 {
		return 0
	}
	dated := false
	if place > 0 && strings.HasPrefix(raw[i:], ", ") {
		if d := dateEnd(raw, i+2); d > 0 {
			i, dated = d, true
		} else {
			// ", Region" in title case, at most four words, maybe dated.
			i = max(titleWords(raw, i+2, 4), i+2)
			if strings.HasPrefix(raw[i:], ", ") {
				if d := dateEnd(raw, i+2); d > 0 {
					i, dated = d, true
				}
			}
		}
	}
	// The place loop took any spaces, so without a place raw[i] is what
	// follows them: only an agency can open the dateline.
	if place == 0 && raw[i:] != "" && raw[i] != '(' {
		return 0
	}
	return datelineTail(raw, i, dated)
}

// datelineTail ends a dateline whose place (and date, if dated) ends at
// raw[i:]: an agency in parentheses, then a dash, or after a date a colon
// or "/TASS/.", each followed by a space. A dated dateline with an agency
// needs nothing more ("Dubai, Sep 24 (IANS) The minister…").
func datelineTail(raw string, i int, dated bool) int {
	for i < len(raw) && raw[i] == ' ' {
		i++
	}
	// "(Reuters)", "(AP)", "(AFP/BBC)", "(EFE)."
	agency := false
	if i < len(raw) && raw[i] == '(' {
		k := strings.IndexByte(raw[i:], ')')
		if k < 2 || k > 40 {
			return 0
		}
		i += k + 1
		agency = true
		if strings.HasPrefix(raw[i:], ".-") || strings.HasPrefix(raw[i:], ".—") {
			i++ // "(EFE).- "
		}
		for i < len(raw) && raw[i] == ' ' {
			i++
		}
	}
	for _, d := range []string{"—", "–", "--", "-"} {
		if strings.HasPrefix(raw[i:], d+" ") {
			return i + len(d) + 1
		}
	}
	if !dated {
		return 0
	}
	if strings.HasPrefix(raw[i:], ": ") {
		return i + 2
	}
	if len(raw) > i+2 && raw[i] == '/' {
		// "/TASS/. "
		k := strings.IndexByte(raw[i+1:], '/')
		if k > 1 && k < 12 && strings.HasPrefix(raw[i+1+k:], "/. ") {
			return i + 1 + k + 3
		}
	}
	if agency && i < len(raw) && raw[i] >= 'A' && raw[i] <= 'Z' {
		return i
	}
	return 0
}

// titleWords returns the end of at most n words in title case (or
// capitals, or with periods: "St. Louis") starting at raw[i:], or 0 if
// there is none. A month name ends the run: it starts a date.
func titleWords(raw string, i, n int) int {
	end, words := 0, 0
	for i < len(raw) && words < n && raw[i] >= 'A' && raw[i] <= 'Z' {
		j := i
		for j < len(raw) && (isASCIIAlnum(raw[j]) || raw[j] == '.') {
			j++
		}
		if isMonth(raw[i:j]) {
			break
		}
		end, words = j, words+1
		if j < len(raw) && (raw[j] == ' ' || raw[j] == '/') && j+1 < len(raw) && raw[j+1] >= 'A' && raw[j+1] <= 'Z' {
			j++
		}
		i = j
	}
	return end
}

// dateEnd returns the end of a date starting at raw[i:] ("Oct 2", "Dec.
// 2, 2009", "29 October 2022", "October 13."): month names and numbers
// of up to four digits, each maybe followed by a comma or a period, with
// at least one of each. It returns 0 if there is none.
func dateEnd(raw string, i int) int {
	end := 0
	month, num := false, false
	for i < len(raw) {
		j := i
		for j < len(raw) && isASCIIAlnum(raw[j]) {
			j++
		}
		w := raw[i:j]
		switch {
		case w == "":
			return dateResult(end, month, num)
		case isMonth(w):
			month = true
		case len(w) <= 4 && strings.Trim(w, "0123456789") == "":
			num = true
		default:
			return dateResult(end, month, num)
		}
		if j < len(raw) && (raw[j] == '.' || raw[j] == ',') {
			j++
		}
		end = j
		if j+1 < len(raw) && raw[j] == ' ' && isASCIIAlnum(raw[j+1]) {
			i = j + 1
			continue
		}
		break
	}
	return dateResult(end, month, num)
}

// dateResult returns end if the words before it held both a month and a
// number, and 0 otherwise.
func dateResult(end int, month, num bool) int {
	if month && num {
		return end
	}
	return 0
}

// isMonth reports an English month name or its wire abbreviation.
func isMonth(w string) bool {
	switch w {
	case "Jan", "January", "Feb", "February", "Mar", "March", "Apr", "April", "May", "Jun", "June", "Jul", "July",
		"Aug", "August", "Sep", "Sept", "September", "Oct", "October", "Nov", "November", "Dec", "December":
		return true
	}
	return false
}

// nonSpaceBytes counts the bytes of s that are not spaces: what the
// tokens of s add up to.
func nonSpaceBytes(s string) int {
	return len(s) - strings.Count(s, " ")
}

// isASCIIAlnum reports an ASCII letter or digit.
func isASCIIAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
