package classifier

// Tokens into the words features are made of: WordPiece pieces joined,
// contractions written out, stems.

import "strings"

// normalizeTokens rewrites tokens in place into the words features are
// made of: WordPiece continuations joined (mergePieces), dotted
// abbreviations joined ("u . s ." becomes "u.s."), negative contractions
// joined ("didn ' t" becomes "didn't"), other contractions written out
// ("he ' s" becomes "he is", "we ' ll" "we will") and possessive "' s"
// dropped.
func normalizeTokens(toks []string) []string {
	toks = mergePieces(toks)
	out := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case isLetter1(t) && i+1 < len(toks) && toks[i+1] == ".":
			// A run of single letters each followed by a period.
			j := i
			for j+1 < len(toks) && isLetter1(toks[j]) && toks[j+1] == "." {
				j += 2
			}
			if j-i >= 4 {
				toks[out] = strings.Join(toks[i:j], "")
				out++
				i = j - 1
				continue
			}
		case t == "-" && out > 0 && i+3 < len(toks) && isAgeUnit(toks[i+1]) && toks[i+2] == "-" && toks[i+3] == "old" && isNumberWord(toks[out-1]):
			// "8-year-old": one token for an age, so its pieces do not
			// weigh as three words and two pairs, and its hyphens do not
			// end a clause.
			toks[out-1] = "<age>"
			i += 3
			continue
		case t == "'" && out > 0 && i+1 < len(toks) && toks[i+1] != "t":
			var v string
			if toks[i+1] == "s" {
				// A pronoun's "'s" is a verb ("he's not", "it's been"),
				// any other word's a possessive, dropped.
				v = contractedS(toks[out-1], toks[i+2:])
			} else if v = contracted(toks[out-1], toks[i+1], toks[i+2:]); v == "" {
				break // no contraction: the apostrophe stays a token
			}
			// "we ' re" is "we are", "they ' ll" "they will".
			if v != "" {
				toks[out] = v
				out++
			}
			i++
			continue
		case t == "'" && out > 0 && i+1 < len(toks) && toks[i+1] == "t" && strings.HasSuffix(toks[out-1], "n"):
			toks[out-1] += "'t"
			i++
			continue
		}
		toks[out] = t
		out++
	}
	return toks[:out]
}

// contractedS returns the word a "'s" after word stands for, given the
// tokens after it: "is" ("he's not"), "has" ("it's been"), "us" ("let's"),
// or "" when the "'s" is a possessive ("Russia's army") or comes before a
// participle, where it may be "has" ("he's admitted it") or "is" ("he's
// accused of"): left out, it leaves the rules to read the verb as they
// did before contractions were written out ("he admitted it").
func contractedS(word string, rest []string) string {
	switch word {
	case "he", "she", "it", "that", "this", "there", "here", "what", "who", "where", "how":
		switch v := verbAfterAdverbs(rest); {
		case v == "been" || v == "got":
			return "has"
		case isParticiple(v):
			return ""
		}
		return "is"
	case "let":
		return "us"
	}
	return ""
}

// contracted returns the word a contraction stands for after word, given
// the tokens after it ("we ' re" is "are", "they ' ll" "will", "we ' ve"
// "have", "i ' m" "am", "they ' d" "had" before a participle and "would"
// otherwise), or "" when word and tail make none ("Sa ' d", "Ma ' ale").
func contracted(word, tail string, rest []string) string {
	switch tail {
	case "re":
		if isSubjectPronoun(word) && word != "i" && word != "he" && word != "she" && word != "it" {
			return "are"
		}
	case "ll":
		if isSubjectPronoun(word) {
			return "will"
		}
	case "ve":
		if isModal(word) || isSubjectPronoun(word) && word != "he" && word != "she" && word != "it" {
			return "have"
		}
	case "m":
		if word == "i" {
			return "am"
		}
	case "d":
		if !isSubjectPronoun(word) {
			return ""
		}
		if v := verbAfterAdverbs(rest); isParticiple(v) || v == "better" {
			return "had" // "they'd warned", "he'd already left", "you'd better"
		}
		return "would"
	}
	return ""
}

// isSubjectPronoun reports a pronoun that can be a clause's subject, or
// a word that stands in for one ("that'll", "there'd", "who've").
func isSubjectPronoun(t string) bool {
	switch t {
	case "i", "you", "he", "she", "it", "we", "they", "that", "there", "who", "what":
		return true
	}
	return false
}

// verbAfterAdverbs returns the first of rest that is not an adverb
// ("already", "repeatedly"), or "".
func verbAfterAdverbs(rest []string) string {
	for j, t := range rest {
		if j == 3 {
			break
		}
		switch t {
		case "already", "just", "never", "also", "always", "long", "since", "not", "now", "still", "ever", "even", "only":
			continue
		}
		if isLyAdverb(t) {
			continue
		}
		return t
	}
	return ""
}

// mergePieces joins WordPiece continuations ("##...") to the token before
// them, in place, so features are whole words: a word the tokenizer's
// vocabulary lacks (a name, usually) becomes one rare feature rather than
// a run of letter pieces that carry weight from unrelated words.
func mergePieces(toks []string) []string {
	out := 0
	for i, t := range toks {
		if rest, ok := strings.CutPrefix(t, "##"); ok && out > 0 && i > 0 {
			toks[out-1] += rest
			continue
		}
		toks[out] = t
		out++
	}
	return toks[:out]
}

// stem strips common English inflections from a lower-case word. It is
// deliberately crude: it only has to map inflections of one word together.
func stem(w string) string {
	if len(w) <= 4 {
		return w
	}
	switch w[len(w)-1] {
	case 's', 'g', 'd', 'y':
	default:
		return w // no suffix below ends otherwise
	}
	for _, suf := range []string{"ingly", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly"} {
		if r, ok := strings.CutSuffix(w, suf); ok && len(r) >= 3 {
			if suf == "ies" {
				return r + "y"
			}
			if suf == "s" && strings.HasSuffix(r, "s") {
				return w // "ss": "press", "across"
			}
			return r
		}
	}
	return w
}
