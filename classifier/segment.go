package classifier

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is one sentence of a text: its trimmed text and byte offsets into the input.
type Span struct {
	Text  string // the sentence, whitespace-trimmed; equals input[Start:End]
	Start int    // byte offset of the first byte
	End   int    // byte offset one past the last byte
}

// Segment splits UTF-8 news text into sentences in order. It never panics; invalid UTF-8 is passed through byte-exact.
//
// A line break (LF, CR, VT, FF, NEL, U+2028, U+2029) always ends a unit, so
// headlines, captions and bylines on their own lines are sentences of their
// own. Inside a line a unit ends after a run of sentence-final punctuation
// (. ! ? …, optionally followed by closing quotes and brackets) that is
// followed by white space and a plausible sentence start: an upper-case or
// caseless letter, a digit or a currency sign, possibly behind opening quotes
// or brackets. A period is further checked against the word before it:
//
//   - titles and similar abbreviations (Mr., Dr., Gen., Sen., vs., e.g., …)
//     never end a sentence, nor does a title behind a lower-case, dotted or
//     title prefix and a hyphen ("ex-Sen.", "Maj.-Gen.", "Lt-Col.",
//     "Vice-Adm."); a title in capitals after a word in lower case, and
//     not before a word in capitals, is read as an acronym that may end
//     one ("the broadcaster DR. The…"), and no title ends in a bracket:
//     "(NASDAQ: GEN). The" ends one;
//   - abbreviations that may end one (U.S., a.m., p.m., Inc., Jr., Jan., St.,
//     state names, single-letter initials, other dotted abbreviations, also
//     after a hyphen as in "pro-U.S.") end a sentence only when the next
//     word is a common sentence starter such as The, It, He, They, Officials
//     or Police, and the line itself ends in sentence punctuation (so
//     title-case headlines are never split);
//   - a lone number or letter opening a unit ("1.", "A.") is a list marker.
//
// The word before a period is read without leading dashes ("(Wire) -U.S.
// President" has the abbreviation), and after a slash only for an initial
// before a name ("Photo/J. Scott Smith", not "km/h." or "Twitter/X. Musk
// replied"). A dateline's agency tag ("MOSCOW, May 3. /TASS/.") and a
// capital place before a date ("NEW DELHI. Nov 3 (Interfax)") end nothing.
//
// Ellipses end a sentence only before a plausible start, and not after a
// comma (unless a quote closes after them or opens next) or when nothing
// but quotes comes before them in the unit ("the injured, … the region",
// "… This act"); a sentence may start with one ("in Ankara. … The
// attack"). "!", "?" and an ellipsis after a closing quote do not end one
// before an attribution such as `"Why?" Smith asked.` or `"Why?" Smith,
// the group's spokesman, told Reuters.`, unless the quote
// follows a word (`chanted "Leave now!" Police…` ends, and so does
// `shouted "Out. Now!" Police…`; `KYIV (Wire) — "Why?" Smith asked.` and
// `"Why call it 'progress'?" Smith asked.` do not: quotes are paired along
// the line, so a nested one or an apostrophe does not count). A closing
// double quote standing alone after the punctuation, between white space
// (a straight one, a ”, a “ after a „, or a »), closes the quotation open
// on the line as a quote glued to it would (`"We reject these methods. "
// Zakharova said` and `“We are ready. ” The army` end after the quote),
// once the quotes glued to the punctuation have closed theirs (`"I told
// them 'no.' " Police` ends after it too); with no quotation of its kind
// left open (`"Stop." " We`), a straight one opens one and ends nothing,
// and a ” or » ends nothing.
//
// Segment takes time linear in the length of text.
func Segment(text string) []Span {
	if len(text) == 0 {
		return nil
	}
	out := AppendSegments(make([]Span, 0, segEstimate(text)), text)
	if len(out) == 0 {
		return nil
	}
	return out
}

// AppendSegments is Segment appending into dst, for callers that reuse a slice.
func AppendSegments(dst []Span, text string) []Span {
	s := segScanner{text: text, lineEnd: -1, qline: -1, fseg: -1, cseg: -1}
	n := len(text)
	for i := 0; i < n; {
		c := text[i]
		if !segInteresting[c] {
			i++
			continue
		}
		brk := 0 // width of a line break at i
		switch c {
		case '.', '!', '?':
			end, split := s.boundary(i)
			if split {
				dst = segAppend(dst, text, s.seg, end)
				s.seg = end
			}
			i = end
			continue
		case '\n', '\r', '\v', '\f':
			brk = 1
		case 0xC2: // U+0085 NEL
			if i+1 < n && text[i+1] == 0x85 {
				brk = 2
			}
		case 0xE2:
			if i+2 < n && text[i+1] == 0x80 {
				switch text[i+2] {
				case 0xA6: // U+2026 …
					end, split := s.boundary(i)
					if split {
						dst = segAppend(dst, text, s.seg, end)
						s.seg = end
					}
					i = end
					continue
				case 0xA8, 0xA9: // U+2028, U+2029
					brk = 3
				}
			}
		}
		if brk == 0 {
			i++
			continue
		}
		dst = segAppend(dst, text, s.seg, i)
		i += brk
		s.seg = i
		s.lineEnd = -1
		s.line = i
	}
	return segAppend(dst, text, s.seg, n)
}

// segEstimate returns a cheap upper-bound guess of the number of spans in
// text, so that Segment usually allocates once.
func segEstimate(text string) int {
	n := 1
	for i := 0; i+1 < len(text); i++ {
		switch text[i] {
		case '\n', '\v', '\f', 0x85, 0xA8, 0xA9: // 0x85 ends NEL, 0xA8 and 0xA9 U+2028 and U+2029
			n++
		case '\r':
			if text[i+1] != '\n' {
				n++
			}
		case '.', '!', '?', 0xA6: // 0xA6 ends U+2026
			switch text[i+1] {
			case ' ', '\t', '"', '\'', ')', 0xC2, 0xE2:
				n++
			}
		}
	}
	return n
}

// segAppend appends text[s:e] trimmed of white space, unless that is empty.
func segAppend(dst []Span, text string, s, e int) []Span {
	for s < e {
		r, w := segDecode(text[:e], s)
		if !segIsSpace(r) {
			break
		}
		s += w
	}
	for e > s {
		var r rune
		w := 1
		if c := text[e-1]; c < utf8.RuneSelf {
			r = rune(c)
		} else {
			r, w = utf8.DecodeLastRuneInString(text[s:e])
		}
		if !segIsSpace(r) {
			break
		}
		e -= w
	}
	if s < e {
		dst = append(dst, Span{Text: text[s:e], Start: s, End: e})
	}
	return dst
}

// segScanner holds the state of one AppendSegments call.
type segScanner struct {
	text string
	seg  int // start of the current unit
	// lineEnd is the end of the current line, or -1 until headline is known.
	lineEnd  int
	headline bool // the current line ends without sentence punctuation
	line     int  // start of the current line
	// qline, qpos and quotes hold quoteOpensUnit's scan of the line at
	// qline: scanned up to qpos, with the nquotes quotes open there
	// (innermost last; the oldest forgotten past maxQuoteDepth).
	qline, qpos int
	quotes      [maxQuoteDepth]uint8
	nquotes     int
	// fseg and first cache unitStart for the unit at fseg; cseg and
	// capsEnd cache capsDateline's run of capitals for the unit at cseg
	// (capsEnd -1 when it holds fewer than three letters).
	fseg, first   int
	cseg, capsEnd int
}

// unitStart returns the offset of the current unit's first character that
// is not white space (the end of the text if there is none). It is
// computed once per unit, so that checks made at every period of a unit
// that opens with a long run of white space stay linear.
func (s *segScanner) unitStart() int {
	if s.fseg != s.seg {
		s.fseg, s.first = s.seg, s.seg
		for s.first < len(s.text) {
			r, w := segDecode(s.text, s.first)
			if !segIsSpace(r) {
				break
			}
			s.first += w
		}
	}
	return s.first
}

// boundary examines the run of sentence-final punctuation and closers that
// starts at i. It returns the end of the run and whether a unit ends there.
func (s *segScanner) boundary(i int) (end int, split bool) {
	text := s.text
	n := len(text)
	j := i
	bang, ellipsis, quoted := false, false, false
	dots := 0
	prevDot := false
run:
	for j < n {
		c := text[j]
		dot := false
		switch c {
		case '.':
			dots++
			if prevDot {
				ellipsis = true
			}
			dot = true
			j++
		case '!', '?':
			bang = true
			j++
		case '"', '\'':
			quoted = true
			j++
		case ')', ']', '}':
			j++
		case 0xC2:
			if j+1 < n && text[j+1] == 0xBB { // »
				quoted = true
				j += 2
				break
			}
			break run
		case 0xE2:
			if j+2 >= n || text[j+1] != 0x80 {
				break run
			}
			switch text[j+2] {
			case 0xA6: // …
				ellipsis = true
			case 0x99, 0x9D, 0xBA, 0x9C: // ’ ” › and “, which closes „ (a quote cannot open right after a sentence's end)
				quoted = true
			default:
				break run
			}
			j += 3
		default:
			break run
		}
		prevDot = dot
	}
	if j >= n {
		return j, false
	}
	// The run must be followed by white space within the line; a
	// bidirectional mark glued to it ("3.\u200e5") is none, though one
	// after a space is skipped as white space.
	r, w := segDecode(text, j)
	if segIsBreak(r) || !segIsSpace(r) || isBidiMark(r) {
		return j, false
	}
	k := segSpaceAhead(text, j+w)
	// A closing double quote standing alone after the run closes the
	// quotation open on the line, as if it were glued to the run:
	// `"We reject these methods. " Zakharova said`, `“We are ready. ” The`.
	opensUnit := func() bool { return s.quoteOpensUnit(i) }
	if q, opens, ok := s.spacedCloseQuote(i, j, k); ok {
		_, qw := segDecode(text, k)
		quoted, j, k = true, k+qw, q
		opensUnit = func() bool { return opens }
	}
	if k < n && segIsBreak(segRune(text, k)) {
		return j, false // the line break ends the unit anyway
	}
	if k >= n || !(segPlausibleStart(text, k) || segEllipsisStart(text, k)) {
		return j, false
	}
	if bang {
		return j, !(quoted && opensUnit() && s.attribution(k))
	}
	// A spaced ellipsis ". . ." ends with a period preceded by ". ".
	spaced := i-2 >= s.seg && text[i-1] == ' ' && text[i-2] == '.'
	if ellipsis || dots > 1 || spaced {
		if quoted && opensUnit() && s.attribution(k) {
			return j, false // `"We will rebuild, …" Smith said.`
		}
		es := i // where the ellipsis starts: ". . ." has at most a few dots
		for t := 0; spaced && t < 4 && es-2 >= s.seg && text[es-1] == ' ' && text[es-2] == '.'; t++ {
			es -= 2
		}
		// An ellipsis after a comma marks words left out inside a sentence
		// ("the injured, … the region"), unless a quote closes after it or
		// opens next; one opening a unit ends nothing.
		return j, !segEllipsisInside(text, s.seg, es, quoted || segOpensQuote(text, k))
	}
	return j, s.afterPeriod(i, k)
}

// spacedCloseQuote reports whether a closing double quote at k (a
// straight one, a ”, a “ after a „, or a »), after the run of
// sentence-final punctuation from i to j and white space, stands alone
// (white space after it, within the line) and closes the innermost
// quotation open on the line once the run's own quotes have closed theirs
// (`"Stop." " We` closes nothing: the run closed the quotation, and the
// spaced quote opens the next; `"I told them 'no.' " Police` closes the
// double one; a ” closes a “ or „, a “ a „, a » a «). If so, it takes the
// run's quotes and the spaced one as read, and returns where the text
// after it starts and whether the quotation it closes may be followed by
// its attribution, as quoteOpensUnit would report for a quote glued to
// the run.
func (s *segScanner) spacedCloseQuote(i, j, k int) (next int, opens, ok bool) {
	text := s.text
	if k >= len(text) {
		return 0, false, false
	}
	q, qw := segDecode(text, k)
	var closes func(kind uint8) bool
	switch q {
	case '"':
		closes = func(kind uint8) bool { return kind == quoteDouble }
	case '”':
		closes = func(kind uint8) bool { return kind == quoteCurly || kind == quoteLow }
	case '“':
		closes = func(kind uint8) bool { return kind == quoteLow } // German „…“
	case '»':
		closes = func(kind uint8) bool { return kind == quoteAngle }
	default:
		return 0, false, false
	}
	if k+qw >= len(text) {
		return 0, false, false
	}
	r, w := segDecode(text, k+qw)
	if segIsBreak(r) || !segIsSpace(r) {
		return 0, false, false
	}
	s.quoteOpensUnit(i)
	after := *s // the quotes open after the run's own, read as the line's scan reads them
	for p := i; p < j; {
		p += after.quoteStep(p)
	}
	if after.nquotes == 0 || !closes(after.quotes[after.nquotes-1]&^quoteAfterWord) {
		return 0, false, false
	}
	opens = after.quotes[after.nquotes-1]&quoteAfterWord == 0
	s.quotes, s.nquotes = after.quotes, after.nquotes-1
	s.qpos = k + qw
	return segSpaceAhead(text, k+qw+w), opens, true
}

// afterPeriod decides a single period at i followed by a plausible sentence
// start at k, from the word before the period.
func (s *segScanner) afterPeriod(i, k int) bool {
	text := s.text
	ws := i
	for ws > s.seg {
		var r rune
		w := 1
		if c := text[ws-1]; c < utf8.RuneSelf {
			r = rune(c)
		} else {
			r, w = utf8.DecodeLastRuneInString(text[s.seg:ws])
		}
		if segIsSpace(r) {
			break
		}
		ws -= w
	}
	word := segStripPunct(text[ws:i])
	if segAgencyTag(word) && segAfterDate(text, s.seg, ws) {
		return false // a dateline's agency tag: "MOSCOW, May 3. /TASS/. The…"
	}
	if s.capsDateline(i, k) {
		return false // "MOSCOW. Nov 3 (Interfax) - …"
	}
	core, slashed := segLastPart(word)
	if slashed && (!segNameAt(text, k) || strings.EqualFold(word, "Twitter/X")) {
		return true // "posted to Twitter/X. Musk replied": the network, or no name goes on
	}
	if core == "" || segBulletItem(text, k) {
		return true // a bullet ends an abbreviation's sentence too: "…the U.S. • The Senate…"
	}
	single := false
	if r, w := segDecode(core, 0); w == len(core) && unicode.IsLetter(r) {
		single = true
	}
	if (single || (len(core) <= 3 && segAllDigits(core))) && s.unitStart() == ws {
		return false // a list marker opening the unit: "1. ", "A. "
	}
	class, ok := segAbbrevs[core]
	if !ok && segTitleAfterPrefix(core) {
		class = segNever // "Maj.-Gen.", "ex-Sen.", "then-Gov."
	}
	if class == segNever && i > 0 && (text[i-1] == ')' || text[i-1] == ']') {
		class, ok = 0, false // no title ends in a bracket: "(NASDAQ: GEN). Shares…"
	}
	if class == segNever && ok && segAllCapsTitle(core) && segPrevWordHasLower(text, s.seg, ws) && !segCapsWordAt(text, k) {
		// An all-caps title after a word in lower case is an acronym
		// ("said the broadcaster DR. The…"): a title in capitals comes
		// in a line of capitals ("BY DR. JANE SMITH") or before a name
		// in capitals ("told MR. AN NGUYEN").
		class = segCanEnd
	}
	switch class {
	case segNever:
		return false
	case segCanEnd:
		return s.starterSplit(k)
	}
	if single && core == "X" && segPrevWordIs(text, s.seg, ws, "on") && !segInitialAt(text, k) {
		return true // "said in a post on X. Tehran…": the network, not an initial ("on X. Y. Smith's" is)
	}
	if single {
		return s.starterSplit(k) // an initial, or "Plan B. It ..."
	}
	if segDotted(segAfterHyphen(core)) {
		return s.starterSplit(k) // "U.S.", and after a hyphen "pro-U.S."
	}
	return true
}

// segPrevWordIs reports whether the word that ends before ws (after
// spaces), within text[seg:], is word, in any case.
func segPrevWordIs(text string, seg, ws int, word string) bool {
	e := segSpaceBack(text, seg, ws)
	b := e
	for b > seg {
		r, w := utf8.DecodeLastRuneInString(text[seg:b])
		if !unicode.IsLetter(r) {
			break
		}
		b -= w
	}
	return e < ws && strings.EqualFold(text[b:e], word)
}

// segAllCapsTitle reports whether word, a segNever abbreviation, is a
// title in capitals ("DR", "GEN"), which an acronym may spell too.
func segAllCapsTitle(word string) bool {
	if len(word) < 2 {
		return false
	}
	for i := 0; i < len(word); i++ {
		if word[i] < 'A' || word[i] > 'Z' {
			return false
		}
	}
	return true
}

// segCapsWordAt reports whether the word at k is two or more letters, all
// of them capitals ("THE", "AN").
func segCapsWordAt(text string, k int) bool {
	n := 0
	for k < len(text) {
		r, w := segDecode(text, k)
		if !unicode.IsLetter(r) {
			break
		}
		if !unicode.IsUpper(r) {
			return false
		}
		n++
		k += w
	}
	return n >= 2
}

// segPrevWordHasLower reports whether the word that ends before ws (after
// spaces), within text[seg:], holds a lower-case letter.
func segPrevWordHasLower(text string, seg, ws int) bool {
	e := segSpaceBack(text, seg, ws)
	for b := e; b > seg; {
		r, w := utf8.DecodeLastRuneInString(text[seg:b])
		if segIsSpace(r) {
			break
		}
		if unicode.IsLower(r) {
			return true
		}
		b -= w
	}
	return false
}

// segInitialAt reports whether the word at k is an initial: one capital
// letter and a period ("Y. Smith").
func segInitialAt(text string, k int) bool {
	r, w := segDecode(text, k)
	return unicode.IsUpper(r) && k+w < len(text) && text[k+w] == '.'
}

// starterSplit reports whether an abbreviation that may end a sentence does
// so: the next word, at k, is a common sentence starter and the line is not a
// headline.
func (s *segScanner) starterSplit(k int) bool {
	if !segStarter(s.text, k) {
		return false
	}
	if s.lineEnd < 0 {
		s.lineEnd, s.headline = segLineEnd(s.text, k)
	}
	return !s.headline
}

// segLineEnd returns the end of the line containing k and whether the line
// lacks closing sentence punctuation, as headlines and captions do.
func segLineEnd(text string, k int) (int, bool) {
	e := k
	for e < len(text) {
		r, w := segDecode(text, e)
		if segIsBreak(r) {
			break
		}
		e += w
	}
	for p := e; p > k; {
		r, w := utf8.DecodeLastRuneInString(text[k:p])
		p -= w
		if segIsSpace(r) || segIsCloser(r) {
			continue
		}
		switch r {
		case '.', '!', '?', '…', ':', ';', ',':
			return e, false
		}
		return e, true
	}
	return e, true
}

// segNameSuffix reports a suffix that ends a name: "Jr", "Sr".
func segNameSuffix(word string) bool { return word == "Jr" || word == "Sr" }

// speechVerbAfter reports whether the word after the white space at k is
// a speech verb: "Smith Jr. asked".
func (s *segScanner) speechVerbAfter(k int) bool {
	n := segSpaceAhead(s.text, k)
	if n == k {
		return false
	}
	return segLowerIn(s.text[n:segWordEnd(s.text, n, false)], segSpeechVerbs)
}

// attribution reports whether the words at k read like a speech
// attribution after a quoted question or exclamation: up to five
// capitalised words (names, titles such as "Mr.") and then a speech verb, as
// in `"Why?" Mr. Smith asked.`, or, after a name's comma, an appositive
// and a speech verb (appositiveSpeech).
func (s *segScanner) attribution(k int) bool {
	text := s.text
	p := k
	for t := 0; t < 5; t++ {
		q := segWordEnd(text, p, true)
		if q == p {
			return false
		}
		word := text[p:q]
		if t > 0 && segLowerIn(word, segSpeechVerbs) {
			return true
		}
		if r, _ := segDecode(word, 0); !unicode.IsUpper(r) {
			return false
		}
		if q < len(text) && text[q] == '.' && (segAbbrevs[word] == segNever || segTitleAfterPrefix(word) || segAbbrevs[word] == segCanEnd && q+1 < len(text) && text[q+1] == ',' || segNameSuffix(word) && s.speechVerbAfter(q+1)) {
			q++ // "Mr.", "Vice-Adm.", and "Jr." before a comma, which no sentence ends on, or before a speech verb
			if q < len(text) && text[q] == '-' && segAbbrevs[word] == segNever {
				if t := segWordEnd(text, q+1, true); t < len(text) && text[t] == '.' && segAbbrevs[text[q+1:t]] == segNever {
					q = t + 1 // "Maj.-Gen."
				}
			}
		}
		if q < len(text) && text[q] == ',' {
			return s.appositiveSpeech(q + 1)
		}
		r, w := segDecode(text, q)
		if q >= len(text) || segIsBreak(r) || !segIsSpace(r) {
			return false
		}
		p = q + w
	}
	return false
}

// maxAppositive bounds, in bytes, the appositive appositiveSpeech reads
// between a speaker's name and the speech verb.
const maxAppositive = 120

// maxAppositiveCommas bounds the commas appositiveSpeech crosses before
// the speech verb: `Smith, 54, of Springfield, Ill., asked` has four.
const maxAppositiveCommas = 4

// appositiveSpeech reports whether the text at p, after the comma that
// follows a speaker's name, is an appositive closed by a comma and then a
// speech verb, as in `"Why?" Sheikh Ali, the group's spokesman, told
// Reuters` or `"Enough!" Smith, 54, said`; the appositive may hold commas
// of its own (`Smith, 54, of Springfield, Ill., asked`, up to
// maxAppositiveCommas in all). It reads at most maxAppositive
// bytes, and stops at a line break, a double quotation mark, sentence
// punctuation other than a period, and a period or ellipsis that ends a
// sentence as boundary would decide (appositiveEnd): "a U.S. and EU
// envoy," goes on, "ran. The crowd" does not.
func (s *segScanner) appositiveSpeech(p int) bool {
	text := s.text
	end := min(len(text), p+maxAppositive)
	commas := 1 // the one after the name
	for q := p; q < end; {
		r, w := segDecode(text, q)
		switch {
		case r == ',':
			first := segSpaceAhead(text, p)
			if first == q {
				return false // no words between the commas
			}
			if segWordEnd(text, first, false) == q && segLowerIn(text[first:q], segAsides) {
				return false // "Jones, his rival, however, said": a new sentence's subject
			}
			v := segSpaceAhead(text, q+1)
			if v == q+1 {
				return false
			}
			if ve := segWordEnd(text, v, false); segLowerIn(text[v:ve], segSpeechVerbs) && !segParticiple(text, v, ve) {
				return true
			}
			if commas++; commas == maxAppositiveCommas {
				return false
			}
			p = q + 1 // the next part of the appositive
		case r == '!', r == '?', r == ';', r == '"', r == '“', r == '”', r == '«', r == '»', r == '„', segIsBreak(r):
			return false // apostrophes and brackets may stand in an appositive
		case r == '.' || r == '…':
			if s.appositiveEnd(q, r == '.') {
				return false // a sentence ended: "Police, fire crews and medics arrived. Then, …"
			}
		}
		q += w
	}
	return false
}

// segAsides are the words that, alone between commas, set off an aside
// in a sentence of its own rather than an appositive to a speaker.
var segAsides = map[string]bool{
	"however": true, "meanwhile": true, "though": true, "also": true, "too": true,
	"instead": true, "nevertheless": true, "moreover": true, "furthermore": true,
	"then": true, "now": true, "therefore": true, "indeed": true,
}

// segParticiple reports a speech verb at text[v:ve] used as a participle
// in its subject, not as the sentence's verb: followed by a preposition or
// "to" ("Smith, 34, charged with murder, …", "asked about the probe",
// "told to stand back"). "Said" is no participle there ("said on Monday").
func segParticiple(text string, v, ve int) bool {
	if segLowerIn(text[v:ve], segSaid) {
		return false
	}
	n := segSpaceAhead(text, ve)
	if n == ve {
		return false
	}
	return segLowerIn(text[n:segWordEnd(text, n, false)], segParticiplePreps)
}

// segSaid are the speech verbs never read as a participle.
var segSaid = map[string]bool{"said": true, "says": true}

// segParticiplePreps are the words after which a speech verb reads as a
// participle ("asked about", "told to").
var segParticiplePreps = map[string]bool{
	"about": true, "to": true, "with": true, "of": true, "for": true, "by": true,
	"at": true, "in": true, "on": true, "over": true, "from": true, "into": true,
}

// appositiveEnd reports whether the period (if period) or ellipsis at q
// ends a sentence as boundary would decide: closing quotes and brackets,
// white space and a plausible sentence start or a list bullet follow, and
// a period ends its word by afterPeriod's rules (not "U.S." before "and",
// nor "a -U.S. Army", but "on X. Tehran" and "Gate B. • The crowd").
func (s *segScanner) appositiveEnd(q int, period bool) bool {
	text := s.text
	_, w := segDecode(text, q)
	k := segSkipWhile(text, q+w, segIsCloser)
	if k >= len(text) || !segIsSpace(segRune(text, k)) || segIsBreak(segRune(text, k)) {
		return false
	}
	n := segSpaceAhead(text, k)
	if n >= len(text) || !(segPlausibleStart(text, n) || segBulletItem(text, n)) {
		return false
	}
	return !period || s.afterPeriod(q, n)
}

// segStarter reports whether the word at k, after any opening quotes or
// brackets, is a common sentence starter. A single letter followed by a
// period ("A. Smith") is an initial, not a starter.
func segStarter(text string, k int) bool {
	p := segSkipOpeners(text, k)
	q := segWordEnd(text, p, false)
	if q == p {
		return false
	}
	if q < len(text) && text[q] == '.' && q-p == 1 {
		return false
	}
	return segLowerIn(text[p:q], segStarters)
}

// segLowerIn reports whether the ASCII lower-case form of word is in set.
func segLowerIn(word string, set map[string]bool) bool {
	var buf [16]byte
	if len(word) > len(buf) {
		return false
	}
	for i := 0; i < len(word); i++ {
		c := word[i]
		if c >= utf8.RuneSelf {
			return false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return set[string(buf[:len(word)])]
}

// segWordEnd returns the end of the run of letters starting at p. With
// inner, apostrophes and hyphens between letters are part of the word
// ("O'Brien", "Jean-Pierre").
func segWordEnd(text string, p int, inner bool) int {
	q := p
	for q < len(text) {
		r, w := segDecode(text, q)
		if unicode.IsLetter(r) {
			q += w
			continue
		}
		if inner && q > p && (r == '\'' || r == '-' || r == '’') {
			if r2, _ := segDecode(text, q+w); q+w < len(text) && unicode.IsLetter(r2) {
				q += w
				continue
			}
		}
		break
	}
	return q
}

// segPlausibleStart reports whether a sentence can start at k: after any
// opening quotes or brackets comes an upper-case or caseless letter, a digit,
// a currency sign, '#' or '@', or a lower-case letter followed by an
// upper-case one ("iPhone").
func segPlausibleStart(text string, k int) bool {
	p := segSkipOpeners(text, k)
	if p >= len(text) {
		return false
	}
	r, w := segDecode(text, p)
	for segIsBullet(r) {
		// A bullet, white space, then a plausible start ("• Three…"):
		// a loop, not a call back through segBulletItem, so that a long
		// chain of bullets and quotes cannot overflow the stack.
		q, ok := segAfterBullet(text, p)
		if !ok {
			return false
		}
		if p = segSkipOpeners(text, q); p >= len(text) {
			return false
		}
		r, w = segDecode(text, p)
	}
	switch {
	case r < utf8.RuneSelf:
		switch {
		case 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '$', r == '#', r == '@':
			return true
		case 'a' <= r && r <= 'z':
			r2, _ := segDecode(text, p+w)
			return p+w < len(text) && unicode.IsUpper(r2)
		}
		return false
	case r == utf8.RuneError:
		return false
	case unicode.IsUpper(r), unicode.IsTitle(r), unicode.IsDigit(r), unicode.Is(unicode.Sc, r):
		return true
	case unicode.IsLower(r):
		r2, _ := segDecode(text, p+w)
		return p+w < len(text) && unicode.IsUpper(r2)
	case unicode.IsLetter(r):
		return true // caseless scripts
	}
	return false
}

// segEllipsisStart reports whether an ellipsis at k, then white space,
// opens a plausible sentence: "…in Ankara. … The attack was…", where the
// ellipsis leaves out the start of the next sentence.
func segEllipsisStart(text string, k int) bool {
	var q int
	switch {
	case strings.HasPrefix(text[k:], "…"):
		q = k + len("…")
	case strings.HasPrefix(text[k:], "..."):
		q = k + 3
	case strings.HasPrefix(text[k:], ". . ."):
		q = k + 5
	default:
		return false
	}
	p := segSpaceAhead(text, q)
	return p > q && p < len(text) && segPlausibleStart(text, p)
}

// segSpaceAhead returns p moved forward over the white space at it, up to
// a line break.
func segSpaceAhead(text string, p int) int {
	for p < len(text) {
		r, w := segDecode(text, p)
		if !segIsSpace(r) || segIsBreak(r) {
			break
		}
		p += w
	}
	return p
}

// segBulletItem reports whether a list bullet at p, then white space, opens
// a plausible sentence: "…the airport. • Three bombers…", a list item run
// into the line.
func segBulletItem(text string, p int) bool {
	q, ok := segAfterBullet(text, p)
	return ok && segPlausibleStart(text, q)
}

// segAfterBullet returns the index after a bullet at p and the white space
// that follows it, and whether that is a list item's start: there is white
// space, then something other than another bullet.
func segAfterBullet(text string, p int) (int, bool) {
	r, w := segDecode(text, p)
	if !segIsBullet(r) {
		return p, false
	}
	q := segSkipWhile(text, p+w, segIsSpace)
	return q, q > p+w && q < len(text) && !segIsBullet(segRune(text, q))
}

// segSkipWhile returns p moved forward over the runes for which keep holds.
func segSkipWhile(text string, p int, keep func(rune) bool) int {
	for p < len(text) {
		r, w := segDecode(text, p)
		if !keep(r) {
			break
		}
		p += w
	}
	return p
}

// segIsBullet reports the marks that open a list item.
func segIsBullet(r rune) bool {
	switch r {
	case '•', '▪', '‣', '◦', '■', '►':
		return true
	}
	return false
}

// segRune returns the rune at p.
func segRune(text string, p int) rune {
	r, _ := segDecode(text, p)
	return r
}

// segSkipOpeners returns the index after any opening quotes and brackets at p.
func segSkipOpeners(text string, p int) int {
	for p < len(text) {
		r, w := segDecode(text, p)
		switch r {
		case '"', '\'', '(', '[', '{', '“', '‘', '„', '«', '‹', '¿', '¡', '”', '’':
			p += w
			continue
		}
		break
	}
	return p
}

// segStripPunct trims opening punctuation from the front of word and closing
// quotes and brackets from its end.
func segStripPunct(word string) string {
	for len(word) > 0 {
		r, w := segDecode(word, 0)
		if r == '"' || r == '\'' || r == '(' || r == '[' || r == '{' || r == '“' || r == '‘' || r == '«' {
			word = word[w:]
			continue
		}
		break
	}
	for len(word) > 0 {
		r, w := utf8.DecodeLastRuneInString(word)
		if segIsCloser(r) {
			word = word[:len(word)-w]
			continue
		}
		break
	}
	return word
}

// segLastPart returns the part of a word that an abbreviation or initial
// would be, and whether it is what follows a slash: without leading dashes
// ("-U.S" gives "U.S"), and after a slash only if that leaves an initial
// after a longer word ("Photo/J" gives "J", but "km/h" and "N/A" stay).
func segLastPart(core string) (string, bool) {
	if k := strings.LastIndexByte(core, '/'); k >= 0 {
		if r, w := segDecode(core, k+1); k > 1 && k+1+w == len(core) && unicode.IsUpper(r) {
			return core[k+1:], true
		}
		return core, false
	}
	for {
		switch {
		case strings.HasPrefix(core, "-"):
			core = core[1:]
		case strings.HasPrefix(core, "–"), strings.HasPrefix(core, "—"):
			core = core[len("–"):]
		default:
			return core, false
		}
	}
}

// segTitleAfterPrefix reports whether word is a title that never ends a
// sentence behind a prefix and a hyphen or dash: the prefix opens with a
// lower-case letter ("ex-Sen", "then-Gov"), holds a period ("Maj.-Gen"),
// is a title itself ("Maj-Gen", "Lt-Col") or a rank's first word
// ("Vice-Adm", "Rear-Adm"). Other compounds ending in an abbreviation
// ("Shangri-La", "Next-Gen", "Jean-Col", "mid-Jan") are read as words.
func segTitleAfterPrefix(word string) bool {
	tail := segAfterHyphen(word)
	if len(tail) == len(word) || segAbbrevs[tail] != segNever {
		return false
	}
	prefix := word[:len(word)-len(tail)]
	r, _ := segDecode(prefix, 0)
	if unicode.IsLower(r) || strings.IndexByte(prefix, '.') >= 0 {
		return true
	}
	prefix = strings.TrimRight(prefix, "-–—")
	v, ok := segAbbrevs[prefix]
	return ok && v == segNever || segRankWords[prefix]
}

// segRankWords open ranks written with a hyphen ("Vice-Adm.").
var segRankWords = map[string]bool{
	"Vice": true, "Rear": true, "Lieutenant": true, "Major": true, "Brigadier": true,
	"Deputy": true,
}

// segAfterHyphen returns the part of word after its last hyphen or dash
// ("pro-U.S" gives "U.S"), or word if it has none.
func segAfterHyphen(word string) string {
	for i := len(word) - 1; i >= 0; i-- {
		if word[i] == '-' {
			return word[i+1:]
		}
		if strings.HasPrefix(word[i:], "–") || strings.HasPrefix(word[i:], "—") {
			return word[i+len("–"):]
		}
	}
	return word
}

// segNameAt reports whether a name goes on at k, after an initial: an
// initial ("J. K. Smith") or a capitalised word followed by another
// ("J. Scott Applewhite").
func segNameAt(text string, k int) bool {
	q := segWordEnd(text, k, true)
	if q == k {
		return false
	}
	if r, _ := segDecode(text, k); !unicode.IsUpper(r) {
		return false
	}
	if q < len(text) && text[q] == '.' {
		return true
	}
	if q+1 >= len(text) || text[q] != ' ' {
		return false
	}
	r, _ := segDecode(text, q+1)
	return unicode.IsUpper(r)
}

// segAfterDate reports whether the word before ws (after white space), in
// text[seg:], is a day's number with its period, as in a dateline
// ("MOSCOW, May 3. /TASS/.").
func segAfterDate(text string, seg, ws int) bool {
	p := segSpaceBack(text, seg, ws)
	return p-2 >= seg && p < ws && text[p-1] == '.' && '0' <= text[p-2] && text[p-2] <= '9'
}

// segAgencyTag reports a news agency's tag in a dateline: upper-case
// letters (and hyphens) between slashes, as "/TASS/" or "/ITAR-TASS/".
func segAgencyTag(core string) bool {
	if len(core) < 4 || core[0] != '/' || core[len(core)-1] != '/' {
		return false
	}
	for i := 1; i < len(core)-1; i++ {
		if c := core[i]; !('A' <= c && c <= 'Z' || c == '-' && i > 1) {
			return false
		}
	}
	return true
}

// capsDateline reports whether the period at i ends a dateline's place in
// capitals opening the unit and is followed by a date ("MOSCOW. Nov 3
// (Interfax) - …", "NEW DELHI. 3 March …"): from the unit's first
// character that is not white space up to i there are only capital
// letters, spaces and hyphens, at least three letters, and the words at k
// are a month's name or abbreviation and a day, in either order. The run
// of capitals is measured once per unit.
func (s *segScanner) capsDateline(i, k int) bool {
	text := s.text
	if s.cseg != s.seg {
		s.cseg, s.capsEnd = s.seg, s.unitStart()
		letters := 0
		for s.capsEnd < len(text) {
			r, w := segDecode(text, s.capsEnd)
			if unicode.IsUpper(r) {
				letters++
			} else if r != '-' && r != ' ' && r != '\u00a0' {
				break
			}
			s.capsEnd += w
		}
		if letters < 3 {
			s.capsEnd = -1
		}
	}
	if s.capsEnd != i {
		return false
	}
	month := func(k int) (int, bool) {
		e := segWordEnd(text, k, false)
		if !segLowerIn(text[k:e], segMonths) {
			return k, false
		}
		if e < len(text) && text[e] == '.' {
			e++
		}
		return e, true
	}
	if e, ok := month(k); ok {
		return e+1 < len(text) && text[e] == ' ' && segDigitAt(text, e+1)
	}
	e := k
	for segDigitAt(text, e) && e-k < 3 {
		e++
	}
	if e == k || e-k > 2 || e+1 >= len(text) || text[e] != ' ' {
		return false
	}
	_, ok := month(e + 1)
	return ok
}

// segMonths holds months' names and abbreviations, lower-cased.
var segMonths = map[string]bool{
	"jan": true, "january": true, "feb": true, "february": true, "mar": true, "march": true,
	"apr": true, "april": true, "may": true, "jun": true, "june": true, "jul": true,
	"july": true, "aug": true, "august": true, "sep": true, "sept": true,
	"september": true, "oct": true, "october": true, "nov": true, "november": true,
	"dec": true, "december": true,
}

// segOpensQuote reports whether an opening quotation mark is at k.
func segOpensQuote(text string, k int) bool {
	switch r, _ := segDecode(text, k); r {
	case '"', '\'', '“', '‘', '«', '„':
		return true
	}
	return false
}

// quoteOpensUnit reports whether the quotation that closes at i may be
// followed by its attribution: the quotation open at i (the innermost one
// not closed before i on this line) comes after no word (it opens the
// line, or follows a sentence's end, a dateline's dash, a colon or a
// bracket), or none is open. `Protesters chanted "Leave now!"` quotes
// inside its sentence, so the words after it are not its attribution, nor
// are they after `Fans shouted "Out. Now!"`; `KYIV (Wire) — "Why?"` and
// `"Why call it 'progress'?"` are followed by theirs. Quotes are paired
// as they come, line by line: “ with ”, ‘ with ’, « with », „ with “ or
// ”, " with ", and ' with '. " and ' open after white space, a bracket, a
// dash, a slash or the line's start, and close otherwise; such a " closes
// a " quotation open if white space or closing punctuation follows it (`it
// " a lie ", and`): straight quotes do not nest. Apostrophes pair
// with nothing: a " or ' between two letters, a ‘ or ’ between two letters,
// a ‘ after a letter, a ’ after white space, and any of ' ‘ ’ before a
// digit or a clipped word ("the '90s", "let 'em in", "rock ’n’ roll"). Past
// maxQuoteDepth open quotes, the oldest is forgotten. The scan resumes
// where the last call on the same line stopped, so that a line stays
// linear however many quotes it holds.
func (s *segScanner) quoteOpensUnit(i int) bool {
	text := s.text
	if s.qline != s.line {
		s.qline, s.qpos, s.nquotes = s.line, s.line, 0
	}
	for s.qpos < i {
		if c := text[s.qpos]; c != '"' && c != '\'' && c != 0xE2 && c != 0xC2 {
			s.qpos++ // most bytes: no call
			continue
		}
		s.qpos += s.quoteStep(s.qpos)
	}
	if s.nquotes == 0 {
		return true
	}
	return s.quotes[s.nquotes-1]&quoteAfterWord == 0
}

// spacedCloses reports whether a straight double quote after white space
// (or a bracket, dash or slash), ending at p, closes a quotation rather
// than opening one: white space, the line's end or punctuation that ends
// a quotation follows it (`it " a lie ", and`; not an ellipsis, which may
// open one), and a straight double quotation is open: straight quotes do
// not nest.
func (s *segScanner) spacedCloses(p int) bool {
	if s.nquotes == 0 || s.quotes[s.nquotes-1]&^quoteAfterWord != quoteDouble {
		return false
	}
	if p >= len(s.text) {
		return true
	}
	switch r := segRune(s.text, p); r {
	case ',', ';', ':', '!', '?', ')', ']', '}', '—', '–':
		return true
	case '.':
		return !strings.HasPrefix(s.text[p:], "..")
	default:
		return segIsSpace(r)
	}
}

// quoteStep reads the character at p, on the current line, into the open
// quotes (see quoteOpensUnit), and returns its width.
func (s *segScanner) quoteStep(p int) int {
	text := s.text
	c := text[p]
	if c != '"' && c != '\'' && c != 0xE2 && c != 0xC2 {
		return 1
	}
	r, w := segDecode(text, p)
	inWord := segLetterBefore(text, s.line, p) && segLetterAt(text, p+w)
	elision := (r == '\'' || r == '’' || r == '‘') && segElisionAt(text, p+w)
	switch r {
	case '"', '\'':
		if inWord || elision {
			break // "don't", "the '90s", "let 'em in"
		}
		if segSpaceBefore(text, s.line, p) && !(r == '"' && s.spacedCloses(p+w)) {
			s.openQuote(r, p)
		} else {
			s.closeQuote(r)
		}
	case '“':
		if !s.closeQuote('„') {
			s.openQuote(r, p)
		}
	case '„', '«':
		s.openQuote(r, p)
	case '‘':
		if !inWord && !elision && !segLetterBefore(text, s.line, p) {
			s.openQuote(r, p)
		}
	case '’':
		if !inWord && !elision && !segSpaceBefore(text, s.line, p) {
			s.closeQuote('‘') // not "the ’90s", "rock ’n’ roll"
		}
	case '”':
		if !s.closeQuote('“') {
			s.closeQuote('„')
		}
	case '»':
		s.closeQuote('«')
	}
	return w
}

// segElisionAt reports whether the text at p, right after an apostrophe,
// is what an elided word leaves: a digit ("'90s") or one of a few
// clipped words ("'em", "'cause", "'n'").
func segElisionAt(text string, p int) bool {
	if segDigitAt(text, p) {
		return true
	}
	e := segWordEnd(text, p, false)
	if e == p || e-p > 5 {
		return false
	}
	switch strings.ToLower(text[p:e]) {
	case "em", "cause", "til", "tis", "twas", "n":
		return true
	}
	return false
}

// maxQuoteDepth bounds the quotes quoteOpensUnit keeps open on a line:
// past it, the oldest is forgotten.
const maxQuoteDepth = 32

// quoteAfterWord marks an open quote that follows a word; the rest of an
// entry is its kind (quoteDouble, …).
const (
	quoteAfterWord = 1 << 7
	quoteDouble    = 1 // "
	quoteCurly     = 2 // “
	quoteSingle    = 3 // ‘
	quoteLow       = 4 // „
	quoteAngle     = 5 // «
	quoteStraight  = 6 // '
)

// quoteKind returns the kind of an opening quotation mark.
func quoteKind(r rune) uint8 {
	switch r {
	case '"':
		return quoteDouble
	case '“':
		return quoteCurly
	case '‘':
		return quoteSingle
	case '„':
		return quoteLow
	case '\'':
		return quoteStraight
	}
	return quoteAngle
}

// openQuote records an opening quote r at p.
func (s *segScanner) openQuote(r rune, p int) {
	if s.nquotes == maxQuoteDepth {
		copy(s.quotes[:], s.quotes[1:])
		s.nquotes--
	}
	k := quoteKind(r)
	if segWordBefore(s.text, s.line, p) {
		k |= quoteAfterWord
	}
	s.quotes[s.nquotes] = k
	s.nquotes++
}

// closeQuote closes the innermost open quote if it is of the kind opened
// by r, and reports whether it did.
func (s *segScanner) closeQuote(r rune) bool {
	if s.nquotes > 0 && s.quotes[s.nquotes-1]&^quoteAfterWord == quoteKind(r) {
		s.nquotes--
		return true
	}
	return false
}

// segSpaceBefore reports whether p is the start of text[seg:] or follows
// white space or an opening bracket or dash.
func segSpaceBefore(text string, seg, p int) bool {
	if p <= seg {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[seg:p])
	switch r {
	case '(', '[', '{', '—', '–', '-', '/':
		return true
	}
	return segIsSpace(r)
}

// segLetterBefore reports whether a letter comes right before p in
// text[seg:].
func segLetterBefore(text string, seg, p int) bool {
	if p <= seg {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(text[seg:p])
	return unicode.IsLetter(r)
}

// segLetterAt reports whether a letter is at p.
func segLetterAt(text string, p int) bool {
	r, _ := segDecode(text, p)
	return p < len(text) && unicode.IsLetter(r)
}

// segDigitAt reports whether an ASCII digit is at p.
func segDigitAt(text string, p int) bool {
	return p < len(text) && '0' <= text[p] && text[p] <= '9'
}

// segWordBefore reports whether a letter or digit comes before p in
// text[seg:], with only white space between.
func segWordBefore(text string, seg, p int) bool {
	if p = segSpaceBack(text, seg, p); p == seg {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(text[seg:p])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// segSpaceBack returns p moved back over the white space before it, within
// text[seg:].
func segSpaceBack(text string, seg, p int) int {
	for p > seg {
		r, w := utf8.DecodeLastRuneInString(text[seg:p])
		if !segIsSpace(r) {
			break
		}
		p -= w
	}
	return p
}

// segEllipsisInside reports whether the ellipsis starting at i, in the unit
// starting at seg, leaves words out inside a sentence: it follows a comma
// (unless quoteNear: a quote closes after it or opens next), or nothing but
// white space, quotes and brackets come before it in the unit.
func segEllipsisInside(text string, seg, i int, quoteNear bool) bool {
	if p := segSpaceBack(text, seg, i); !quoteNear && p > seg && text[p-1] == ',' {
		return true
	}
	for p := seg; p < i; {
		r, w := segDecode(text, p)
		if segIsSpace(r) {
			p += w
			continue
		}
		// Openers, then the ellipsis: checked once, so that a long run
		// of them stays linear.
		return segSkipOpeners(text, p) >= i
	}
	return true
}

// segDotted reports a dotted abbreviation such as "U.S", "a.m" or "Ph.D":
// letters in groups of at most three separated by single periods, with at
// least one period.
func segDotted(core string) bool {
	groups, run := 1, 0
	for i := 0; i < len(core); i++ {
		c := core[i]
		switch {
		case c == '.':
			if run == 0 {
				return false
			}
			groups++
			run = 0
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
			run++
			if run > 3 {
				return false
			}
		default:
			return false
		}
	}
	return groups > 1 && run > 0
}

// segAllDigits reports whether s is a non-empty run of ASCII digits.
func segAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// segDecode decodes the rune at p, with an ASCII fast path. Past the end it
// returns utf8.RuneError and width 0.
func segDecode(text string, p int) (rune, int) {
	if p >= len(text) {
		return utf8.RuneError, 0
	}
	if c := text[p]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(text[p:])
}

// segIsSpace reports white space that is trimmed from units: Unicode white
// space (including U+00A0 and line breaks) and invisible format characters
// such as U+200B and U+FEFF.
func segIsSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || ('\t' <= r && r <= '\r')
	}
	return isInvisible(r) || unicode.IsSpace(r)
}

// segIsBreak reports a line break, which always ends a unit.
func segIsBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// segIsCloser reports closing quotes and brackets.
func segIsCloser(r rune) bool {
	switch r {
	case '"', '\'', ')', ']', '}', '”', '’', '»', '›':
		return true
	}
	return false
}

// segInteresting marks the bytes at which the AppendSegments scanner stops:
// sentence punctuation, ASCII line breaks, and the lead bytes of U+0085,
// U+2026, U+2028 and U+2029.
var segInteresting = [256]bool{
	'.': true, '!': true, '?': true,
	'\n': true, '\r': true, '\v': true, '\f': true,
	0xC2: true, 0xE2: true,
}

// segNever and segCanEnd are the abbreviation classes in segAbbrevs.
const (
	segNever  = 1 // never ends a sentence: titles, "vs.", "e.g."
	segCanEnd = 2 // ends a sentence only before a sentence starter
)

// segAbbrevs maps abbreviations, without their final period and with exact
// case, to their class. Dotted abbreviations ("U.S.", "a.m.") and single
// letters need no entry: they are segCanEnd unless listed here.
var segAbbrevs = map[string]uint8{
	// Titles and ranks precede a name.
	"Mr": segNever, "Mrs": segNever, "Ms": segNever, "Mx": segNever, "Messrs": segNever,
	"Mmes": segNever, "Mme": segNever, "Mlle": segNever, "Dr": segNever, "Drs": segNever,
	"Prof": segNever, "Profs": segNever, "Gen": segNever, "Gens": segNever, "Lt": segNever,
	"Col": segNever, "Cols": segNever, "Maj": segNever, "Capt": segNever, "Cmdr": segNever,
	"Cdr": segNever, "Adm": segNever, "Brig": segNever, "Sgt": segNever, "Cpl": segNever,
	"Pvt": segNever, "Pfc": segNever, "Spc": segNever, "Ens": segNever, "Sen": segNever,
	"Sens": segNever, "Rep": segNever, "Reps": segNever, "Gov": segNever, "Govs": segNever,
	"Atty": segNever, "Amb": segNever, "Supt": segNever, "Insp": segNever, "Det": segNever,
	"Rev": segNever, "Msgr": segNever, "Fr": segNever, "Hon": segNever, "Pres": segNever,
	"Rt": segNever, "Sra": segNever, "Mt": segNever, "Ft": segNever, "Mohd": segNever,
	"Moh": segNever, "Smt": segNever, "Shri": segNever, "Adv": segNever, "Engr": segNever, "Alh": segNever,
	"MR": segNever, "MRS": segNever, "MS": segNever, "DR": segNever, "GEN": segNever,
	"LT": segNever, "COL": segNever, "SGT": segNever, "CAPT": segNever, "SEN": segNever,
	"REP": segNever, "GOV": segNever, "PROF": segNever, "ENGR": segNever, "MAJ": segNever,
	"BRIG": segNever,
	// Latin and connective abbreviations inside a sentence.
	"vs": segNever, "Vs": segNever, "viz": segNever, "cf": segNever, "approx": segNever,
	"e.g": segNever, "E.g": segNever, "i.e": segNever, "I.e": segNever, "ca": segNever,
	// Months, numbered references and units: usually before a number.
	"Jan": segCanEnd, "Feb": segCanEnd, "Mar": segCanEnd, "Apr": segCanEnd, "Jun": segCanEnd,
	"Jul": segCanEnd, "Aug": segCanEnd, "Sep": segCanEnd, "Sept": segCanEnd, "Oct": segCanEnd,
	"Nov": segCanEnd, "Dec": segCanEnd, "No": segCanEnd, "Nos": segCanEnd, "Nr": segCanEnd,
	"Vol": segCanEnd, "Vols": segCanEnd, "Art": segCanEnd, "Sec": segCanEnd, "Ch": segCanEnd,
	"Fig": segCanEnd, "Figs": segCanEnd, "pp": segCanEnd, "Para": segCanEnd, "Ref": segCanEnd,
	"ft": segCanEnd, "lb": segCanEnd, "lbs": segCanEnd, "oz": segCanEnd, "yr": segCanEnd,
	"yrs": segCanEnd, "hr": segCanEnd, "hrs": segCanEnd, "sq": segCanEnd, "est": segCanEnd,
	"incl": segCanEnd, "govt": segCanEnd, "dept": segCanEnd, "Rs": segCanEnd,
	// Suffixes of names and companies, streets, and list endings.
	"Jr": segCanEnd, "Sr": segCanEnd, "Inc": segCanEnd, "Corp": segCanEnd, "Ltd": segCanEnd,
	"Co": segCanEnd, "Cos": segCanEnd, "Bros": segCanEnd, "Mfg": segCanEnd, "Assn": segCanEnd,
	"Dept": segCanEnd, "Univ": segCanEnd, "Ave": segCanEnd, "Blvd": segCanEnd, "Rd": segCanEnd,
	"St": segCanEnd, "Sq": segCanEnd, "Hwy": segCanEnd, "etc": segCanEnd, "al": segCanEnd,
	"INC": segCanEnd, "CORP": segCanEnd, "LTD": segCanEnd, "CO": segCanEnd, "ST": segCanEnd,
	// U.S. states in news style.
	"Ala": segCanEnd, "Ariz": segCanEnd, "Ark": segCanEnd, "Calif": segCanEnd, "Colo": segCanEnd,
	"Conn": segCanEnd, "Del": segCanEnd, "Fla": segCanEnd, "Ga": segCanEnd, "Ill": segCanEnd,
	"Ind": segCanEnd, "Kan": segCanEnd, "Kans": segCanEnd, "Ky": segCanEnd, "La": segCanEnd,
	"Md": segCanEnd, "Mass": segCanEnd, "Mich": segCanEnd, "Minn": segCanEnd, "Miss": segCanEnd,
	"Mo": segCanEnd, "Mont": segCanEnd, "Neb": segCanEnd, "Nev": segCanEnd, "Okla": segCanEnd,
	"Ore": segCanEnd, "Pa": segCanEnd, "Penn": segCanEnd, "Tenn": segCanEnd, "Tex": segCanEnd,
	"Vt": segCanEnd, "Va": segCanEnd, "Wash": segCanEnd, "Wis": segCanEnd, "Wyo": segCanEnd,
}

// segStarters holds lower-cased words that commonly open a sentence and
// rarely follow an abbreviation inside one; after "U.S." or "p.m." they
// signal a sentence end. Words that often follow such abbreviations as part
// of a name ("President", "Embassy", "Louis") must stay out.
var segStarters = map[string]bool{
	"a": true, "an": true, "the": true, "this": true, "that": true, "these": true, "those": true,
	"it": true, "its": true, "he": true, "she": true, "they": true, "we": true, "i": true,
	"you": true, "his": true, "her": true, "their": true, "our": true, "my": true, "your": true,
	"there": true, "here": true, "then": true, "but": true, "and": true, "or": true, "so": true,
	"yet": true, "in": true, "on": true, "at": true, "as": true, "by": true, "for": true,
	"from": true, "with": true, "after": true, "before": true, "when": true, "while": true,
	"if": true, "although": true, "though": true, "however": true, "meanwhile": true,
	"since": true, "because": true, "during": true, "despite": true, "until": true,
	"officials": true, "police": true, "authorities": true, "investigators": true,
	"prosecutors": true, "witnesses": true, "residents": true, "analysts": true,
	"experts": true, "critics": true, "lawmakers": true, "officers": true, "troops": true,
	"soldiers": true, "protesters": true, "rescuers": true, "doctors": true, "sources": true,
	"many": true, "some": true, "most": true, "several": true, "both": true, "all": true,
	"no": true, "not": true, "none": true, "each": true, "every": true, "another": true,
	"others": true, "also": true, "still": true, "even": true, "only": true, "now": true,
	"today": true, "yesterday": true, "earlier": true, "later": true, "according": true,
	"what": true, "who": true, "why": true, "how": true, "where": true, "such": true,
	"mr": true, "mrs": true, "ms": true, "instead": true, "indeed": true, "thus": true,
	"moreover": true, "separately": true, "elsewhere": true, "nearly": true, "more": true,
	"among": true, "about": true,
}

// segSpeechVerbs holds lower-cased verbs of an attribution after a quote.
var segSpeechVerbs = map[string]bool{
	"said": true, "says": true, "asked": true, "asks": true, "added": true, "adds": true,
	"told": true, "tells": true, "shouted": true, "yelled": true, "wrote": true,
	"writes": true, "replied": true, "replies": true, "exclaimed": true, "cried": true,
	"insisted": true, "demanded": true, "wondered": true, "tweeted": true, "posted": true,
	"continued": true, "recalled": true, "warned": true, "declared": true,
	"noted": true, "stressed": true, "explained": true, "argued": true, "claimed": true,
	"stated": true, "responded": true, "countered": true, "remarked": true,
	"pointed": true, "commented": true, "emphasized": true, "emphasised": true,
	"charged": true, "quipped": true, "urged": true, "pleaded": true,
}
