package classifier

// Clause and negation scope: where a clause ends, what lies ahead of or
// behind a token within it, and which negations govern a word.

import "strings"

// aheadInClause reports whether one of the n tokens after toks[i], up to
// the end of its clause, satisfies pred.
func aheadInClause(toks []string, i, n int, pred func(string) bool) bool {
	for j := i + 1; j < len(toks) && j <= i+n; j++ {
		if pred(toks[j]) {
			return true
		}
		if isClauseBreak(toks[j]) {
			return false
		}
	}
	return false
}

// behindInClause reports whether one of the n tokens before toks[i], back
// to the start of its clause, satisfies pred.
func behindInClause(toks []string, i, n int, pred func(string) bool) bool {
	for j := i - 1; j >= 0 && j >= i-n; j-- {
		if pred(toks[j]) {
			return true
		}
		if isClauseBreak(toks[j]) {
			return false
		}
	}
	return false
}

// breaksClause reports a clause break other than "-", which inside a
// clause joins words: "Iran - backed", "al - Shabaab".
func breaksClause(t string) bool { return t != "-" && isClauseBreak(t) }

// isClauseBreak reports punctuation that ends a clause.
func isClauseBreak(tok string) bool {
	switch tok {
	case ",", ";", ":", "(", ")", "—", "–", "-", ".", "!", "?", "[", "]":
		return true
	}
	return false
}

// trailing reports whether the clause starting at toks[i] runs to the end
// of the sentence, with no comma, semicolon, dash or parenthesis after it.
func trailing(toks []string, i int) bool {
	for _, t := range toks[i+1:] {
		switch t {
		case ",", ";", "—", "–", "(":
			return false
		}
	}
	return true
}

// midSub reports a subordinator that opens a clause inside a sentence,
// with or without a comma before it: "warned of more attacks after a man
// confessed to …", "ambulances stood at a roadblock after a teen carried
// out the attack". Before the main claim is found, "when" and "while"
// open none: they as often time the claim itself ("warned when he
// spoke"), and neither does "before" ("said before the meeting that Iran
// was behind it", "appeared before magistrates charged with"). "As",
// "since", "until" and "if" are left out: inside a sentence they are as
// often prepositions or part of the claim.
func midSub(t string) bool {
	switch t {
	case "after", "before", "while", "when", "because", "although", "though", "despite", "amid", "whereas":
		return true
	}
	return false
}

// negatedAcrossAside is negatedBefore, also across a short aside between
// commas just before toks[j], and an adverb after it: "no group has, as
// yet, formally claimed", "no one has, so far, claimed".
func negatedAcrossAside(toks []string, j int) bool {
	if negatedBefore(toks, j) {
		return true
	}
	k := j
	if k > 0 && isLyAdverb(toks[k-1]) {
		k--
	}
	if k < 2 || toks[k-1] != "," {
		return false
	}
	for m := k - 2; m >= 0 && m >= k-5; m-- {
		if toks[m] == "," {
			return negatedBefore(toks, m) // not "the group has, yet again, claimed"
		}
		if isClauseBreak(toks[m]) {
			return false
		}
	}
	return false
}

// negatedAux reports a negation among the auxiliaries just before the
// participle at toks[i]: "has not been claimed", "has not yet been
// claimed", "hasn't been claimed", "was never claimed", "did not appear
// to have been claimed"; not one in the subject ("an attack on no fewer
// than six posts was claimed").
func negatedAux(toks []string, i int) bool {
	for j := i - 1; j >= 0 && j >= i-6; j-- {
		switch t := toks[j]; {
		case isNot(t):
			return true
		case isBe(t) || t == "yet" || t == "has" || t == "have" || t == "had" ||
			t == "to" || strings.HasPrefix(t, "appear") || strings.HasPrefix(t, "seem"):
		default:
			return false
		}
	}
	return false
}

// negatedBefore reports a negation, or "yet", among the six tokens before
// toks[i] in its clause: "no group or individual has claimed", "has yet
// to claim".
func negatedBefore(toks []string, i int) bool {
	return behindInClause(toks, i, 6, func(t string) bool {
		switch t {
		case "no", "not", "n't", "never", "nobody", "none", "neither", "yet":
			return true
		}
		return false
	})
}

// asks reports whether the sentence that toks[i] is in ends in a question
// mark: the first of ".", "!" and "?" after it is a "?" ("Who's not a
// terrorist these days?" he asked).
func asks(toks []string, i int) bool {
	for _, t := range toks[i:] {
		switch t {
		case "?":
			return true
		case ".", "!":
			return false
		}
	}
	return false
}
