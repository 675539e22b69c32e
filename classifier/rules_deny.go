package classifier

// Cue rules for denial, and for negated or framed claims that deny nothing
// ("declined to comment", "has not blamed anyone", "no one has claimed").

import (
	"slices"
	"strings"
)

// groundsOfClaim reports what "no sign" or "no indication" at toks[i]
// finds none of: a culprit, a tie to one, a motive or an attack ("no signs
// of foreign interference", "no indication that it was terrorism", "no
// indication that he was inspired by anyone", "any indications suggesting
// that it was connected to"), not damage or survivors, and not who did it
// or how ("no indication of who was responsible" is no claim yet).
func groundsOfClaim(toks []string, i int) bool {
	if i+2 >= len(toks) {
		return false
	}
	switch toks[i+1] {
	case "of", "that", "or", "suggesting":
	default:
		return false
	}
	switch toks[i+2] {
	case "who", "whom", "whose", "how", "what", "when", "where", "whether", "why":
		return false
	}
	return aheadInClause(toks, i, 8, func(t string) bool {
		return isCulpritWord(t) || strings.HasPrefix(t, "interfer") || strings.HasPrefix(t, "involve") ||
			strings.HasPrefix(t, "sabota") || t == "foreign" || strings.HasPrefix(t, "deliberat") ||
			strings.HasPrefix(t, "retaliat") || t == "explosion" || t == "motive" ||
			strings.HasPrefix(t, "inspir") || t == "connected" || t == "connection" || t == "connections"
	})
}

// noComment reports the verb of "declined to comment", "refused to
// confirm", "would not say", or the "nothing" of "said nothing to
// reporters", at toks[i].
func noComment(toks []string, i int) bool {
	if toks[i] == "nothing" && i > 0 && (toks[i-1] == "said" || toks[i-1] == "says" || toks[i-1] == "say") {
		// "he said nothing to reporters", "said nothing about the
		// attack"; not "said nothing to do with us", "said nothing had
		// changed", nor "has said nothing about the group's claim",
		// which ignores a claim, a denial by LABELS.md
		if i+1 == len(toks) || isClauseBreak(toks[i+1]) {
			return true
		}
		if aheadInClause(toks, i, 8, isClaimNoun) {
			return false
		}
		switch toks[i+1] {
		case "about", "on", "publicly", "further", "more":
			return true
		case "to":
			return !(i+2 < len(toks) && toks[i+2] == "do")
		}
		return false
	}
	switch toks[i] {
	case "comment", "confirm", "say", "elaborate", "discuss", "speculate":
	default:
		return false
	}
	if i >= 2 && toks[i-1] == "to" {
		switch {
		case strings.HasPrefix(toks[i-2], "declin"), strings.HasPrefix(toks[i-2], "refus"), toks[i-2] == "unable":
			return true
		}
	}
	if i >= 2 && toks[i-1] == "not" && (toks[i-2] == "would" || toks[i-2] == "could" || toks[i-2] == "did") {
		return true
	}
	return i >= 1 && (toks[i-1] == "no" || toks[i-1] == "without") && toks[i] == "comment"
}

// claimOrDeny reports a denial word offered as one of two things nobody
// did: "did not claim or deny responsibility", "neither confirmed nor
// denied": no claim and no denial.
func claimOrDeny(toks []string, i int) bool {
	if !strings.HasPrefix(toks[i], "den") {
		return false
	}
	if i >= 2 && (toks[i-1] == "or" || toks[i-1] == "nor") && isClaimOrConfirm(toks[i-2]) {
		return true // "did not claim or deny", "neither confirms nor denies"
	}
	return i+2 < len(toks) && (toks[i+1] == "or" || toks[i+1] == "nor") && isClaimOrConfirm(toks[i+2]) // "would not deny or confirm"
}

// smearFrame reports a blame word framed as an attempt ("trying to blame",
// "an attempt to pin it on"), which presents the accusation as false.
func smearFrame(toks []string, i int) bool {
	if i >= 2 && toks[i-1] == "the" && strings.HasPrefix(toks[i-2], "shift") {
		return true // "shifting the blame"
	}
	if i >= 2 && toks[i-1] == "of" && toks[i-2] == "instead" {
		return true // "instead of blaming Kabul"
	}
	if strings.HasPrefix(toks[i], "accus") && aheadInClause(toks, i, 8, isDeceit) {
		return true // "accused Washington of fabricating a crisis"
	}
	if i < 2 || toks[i-1] != "to" {
		return false
	}
	switch toks[i-2] {
	case "trying", "try", "tries", "tried", "attempt", "attempting", "attempts", "seeking", "seek", "seeks", "want", "wants":
		return true
	}
	return false
}

// evidenceHedge reports the reporter's caveat on a claim at toks[i]
// ("evidence"): "without offering evidence", "without providing any proof",
// "despite having no evidence".
func evidenceHedge(toks []string, i int) bool {
	for j := i - 1; j >= 0 && j >= i-4; j-- {
		switch t := toks[j]; {
		case t == "despite":
			return true
		case t == "without":
			if j+1 < i {
				v := toks[j+1]
				for _, p := range []string{"offer", "present", "provid", "cit", "giv", "produc", "show", "shar", "supply"} {
					if strings.HasPrefix(v, p) {
						return true
					}
				}
			}
			return false
		case isClauseBreak(t):
			return false
		}
	}
	return false
}

// scornsClaim reports a word of scorn at toks[i] aimed at a claim within
// the clause ("slammed the assertion", "mocked claims", "ridiculed the
// suggestion").
func scornsClaim(toks []string, i int) bool {
	if (toks[i] == "doubt" || toks[i] == "doubts" || toks[i] == "doubtful") && i+1 < len(toks) && toks[i+1] == "that" {
		return !negatedBefore(toks, i) // "doubtful that the act was motivated by"; "no doubt that" affirms
	}
	return aheadInClause(toks, i, 5, isClaimNoun)
}

// persuadeFrame reports an account presented as manipulation at toks[i], a
// flagPersuade word: "trying to convince the world that…", "want to make us
// believe that…". Like smearFrame, it rejects what follows.
func persuadeFrame(toks []string, i int) bool {
	if toks[i] == "make" && !slices.ContainsFunc(toks[i+1:min(len(toks), i+4)], func(t string) bool { return t == "think" || t == "believe" }) {
		return false
	}
	return smearFrame(toks, i)
}

// ruledOut reports "rule out" at toks[i] with a motive or culprit as its
// object: "police ruled out terrorism", "rules out IS's role", or a
// pronoun for a theory just named: "investigators later ruled this out".
// Ruling out an accident or a gas leak denies no one's claim.
func ruledOut(toks []string, i int) bool {
	switch toks[i] {
	case "rule", "rules", "ruled", "ruling":
	default:
		return false
	}
	if i+2 < len(toks) && toks[i+2] == "out" && (toks[i] == "ruled" || toks[i] == "rules") {
		switch toks[i+1] {
		case "it", "this", "that":
			// "investigators later ruled this out": a theory just named;
			// not "ruled it out of the final", "for offside".
			return i+3 == len(toks) || toks[i+3] != "of" && toks[i+3] != "for"
		}
	}
	if i+1 >= len(toks) || toks[i+1] != "out" {
		return false
	}
	// "police ruled out terrorism", or the passive with the culprit word
	// as its subject: "terrorism was ruled out", "foul play has been ruled
	// out" (not "counter-terrorism police ruled out a gas leak").
	if aheadInClause(toks, i+1, 5, isCulpritWord) {
		return true
	}
	if i < 2 || !isBe(toks[i-1]) {
		return false
	}
	return behindInClause(toks, i-1, 3, isCulpritWord)
}

// unclaimed reports a claim of responsibility at toks[i] that no one has
// made: "no one has claimed responsibility", "the group has yet to claim
// responsibility", "Israel has not claimed responsibility".
func unclaimed(toks []string, i int) bool {
	j := i - 1
	if j >= 0 && isClaimModifier(toks[j]) {
		j-- // "claimed direct responsibility"
	}
	if j >= 1 && (toks[j] == "of" || toks[j] == "for") && (toks[j-1] == "claim" || toks[j-1] == "claims") {
		// "no immediate claim of responsibility", "could not verify the
		// group's claim of"; not "no doubt about the claim of"
		return negatedBefore(toks, j-1) && !behindInClause(toks, j-1, 6, func(t string) bool { return t == "doubt" })
	}
	if j >= 2 && claimOrDeny(toks, j) {
		j -= 2 // "did not claim or deny responsibility"
	}
	if j < 0 {
		return false
	}
	switch toks[j] {
	case "claimed", "claim", "claims", "claiming", "took", "taken", "take", "takes", "taking", "accepted", "admitted":
	default:
		return false
	}
	return negatedAcrossAside(toks, j)
}

// unsaid reports a blame cue at toks[i] inside what a negated "say"
// before it in the clause would have said: "no one has come forward to
// say they carried out the attack", "no group has said it was behind
// the bombing", "nobody said it was behind the attack". The negation
// must be the say's own: not one in an earlier clause joined by "and" or
// "but" ("police did not comment but said the group was behind it"),
// after a subordinator ("not long after the blast the group said"), in a
// phrase of its own ("a group no one had heard of said") or in a
// relative clause ("officials who did not want to be named said").
func unsaid(toks []string, i int) bool {
	for k := i - 1; k >= 0 && k >= i-8; k-- {
		switch t := toks[k]; {
		case isClauseBreak(t):
			return false
		case t == "say" || t == "said" || t == "says" || t == "saying":
			return negatesSay(toks, k)
		}
	}
	return false
}

// negatesSay reports a negation that governs the "say" at toks[k]: one
// of the ten tokens before it in its clause, with no conjunction,
// subordinator or "of" between them and no relativizer just before it.
func negatesSay(toks []string, k int) bool {
	for n := k - 1; n >= 0 && n >= k-10; n-- {
		switch t := toks[n]; {
		case isClauseBreak(t):
			return false
		case isNegWord(t):
			return !behindInClause(toks, n, 3, func(t string) bool { return t == "who" || t == "which" })
		case t == "of" && n > 0 && toks[n-1] == "none", // "none of the groups has said"
			t == "as" && n+1 < len(toks) && toks[n+1] == "yet", // "has as yet said"
			t == "since" && n+1 == k:                           // "has since said"
		case t == "and" || t == "but" || t == "or" || t == "than" || t == "of" || t == "who" || t == "which" || t == "after" || t == "before" ||
			t == "when" || t == "while" || t == "because" || t == "although" || t == "though" || t == "if" || t == "as" || t == "since":
			return false
		}
	}
	return false
}

// pleaOf reports the accused's own answer at toks[i], a denial after an
// accusation naming the subject at toks[k]: a plea ("pleaded not
// guilty") or a denial verb of the subject's ("denied he was the
// gunman", "denies the charges"); not a passive ("was denied access"), a
// refusal ("denied bail", "denied him a lawyer") or a denial inside what
// someone said or a clause of its own ("said police had denied", "as
// police denied reports").
func pleaOf(toks []string, k, i int) bool {
	for j := k + 1; j < i; j++ {
		switch toks[j] {
		case "said", "says", "say", "told", "as", "while", "when", "after", "because", "where", "who", "which", "that":
			return false
		}
	}
	t := toks[i]
	if t == "guilty" {
		return true
	}
	switch t {
	case "denied", "denies", "deny", "denying":
	default:
		return false
	}
	if isBe(toks[i-1]) {
		return false
	}
	if i+1 < len(toks) {
		switch toks[i+1] {
		case "access", "entry", "bail", "parole", "him", "her", "them", "a", "an", "permission", "request", "requests":
			return false
		}
	}
	return true
}

// verdictBe reports a name at toks[i] given by "this is", "it was",
// "that is pure": a pronoun, a form of "be" and at most one word before
// it, a verdict on what the pronoun stands for ("this is pure
// blackmail"), not a fact ("the motive was blackmail", "the charge is
// blackmail").
func verdictBe(toks []string, i int) bool {
	j := i - 1
	if j > 0 && !isBe(toks[j]) {
		j-- // "is pure blackmail", "is a blackmail"
	}
	if j < 1 || !isBe(toks[j]) {
		return false
	}
	switch toks[j-1] {
	case "this", "it", "that", "these", "those", "which", "what", "everything", "all":
		return true
	}
	return false
}

// accusesNone reports a blame cue at toks[i], in a negation's scope, that
// is an act of blaming no one did rather than an involvement denied: a
// verb of accusing reported as not done ("had not blamed anyone", "did
// not accuse Iran"), or blame as the object of one of assigning ("has not
// assigned blame", "did not lay the blame"). "Iran is not to blame", "we
// do not accept the blame" and "was not behind it" stay denials.
func accusesNone(toks []string, i int) bool {
	t := toks[i]
	switch t {
	case "blamed", "blaming", "blames", "accused", "accusing", "accuses", "accuse", "blame":
	default:
		return false
	}
	if t == "blame" && i > 0 && isAssigning(toks[i-1]) || t == "blame" && i > 1 && toks[i-1] == "the" && isAssigning(toks[i-2]) {
		return true // "has not assigned blame", "did not lay the blame"
	}
	// A report that someone did not accuse: "had not blamed anyone",
	// "did not accuse Kiev", "didn't blame any group", "has not yet
	// formally accused Russia", "without accusing". Not an instruction
	// or a boast ("should not blame Afghanistan", "do not blame us",
	// "nobody has ever accused India"), which the accused makes, nor a
	// passive ("was not accused of the bombing"), which clears.
	if i > 0 && toks[i-1] == "without" {
		return true
	}
	j := i - 1
	for n := 0; n < 2 && j > 0 && (toks[j] == "yet" || isLyAdverb(toks[j])); n++ {
		j-- // "has not yet blamed", "have not publicly accused"
	}
	if j < 0 {
		return false
	}
	aux := ""
	switch {
	case toks[j] == "not" && j > 0:
		aux = toks[j-1]
	case strings.HasSuffix(toks[j], "n't"):
		aux = strings.TrimSuffix(toks[j], "n't") // "didn't", "hadn't"
	default:
		return false
	}
	switch aux {
	case "did", "does", "had", "has", "have":
		return t != "blame" || aux == "did" || aux == "does" // "did not blame"; "has not blame" is no English
	}
	return false
}

// shortOf reports a blame verb an actor "stopped short of": "stopped short
// of blaming Moscow", "fell short of accusing".
func shortOf(toks []string, i int) bool {
	switch toks[i] {
	case "blaming", "accusing", "attributing":
		return i >= 2 && toks[i-1] == "of" && toks[i-2] == "short"
	}
	return false
}

// claimedAheadNegated reports a responsibility (toks[i]) that its clause
// then says nobody claimed: "responsibility for the attack has not been
// claimed", "responsibility has yet to be claimed".
func claimedAheadNegated(toks []string, i int) bool {
	neg := false
	for j := i + 1; j < len(toks) && j <= i+8; j++ {
		switch t := toks[j]; {
		case isNot(t) || t == "yet" && j+1 < len(toks) && toks[j+1] == "to":
			neg = true // not "the as yet unexplained blast was claimed"
		case t == "claimed" || t == "claim":
			return neg
		case isClauseBreak(t):
			return false
		}
	}
	return false
}

// deniesTerror reports a word for terror at toks[i] that a negated "be"
// before it takes back: "was not an act of terrorism", "he's not a
// terrorist", "is certainly not terror-related", "isn't terrorism".
// Saying what an attack or a person was not rejects the claim that it
// was; "were not terrorised" says nothing of the kind.
func deniesTerror(toks []string, i int) bool {
	switch toks[i] {
	case "terror", "terrorism", "terrorist", "terrorists":
	default:
		return false
	}
	for j := i - 1; j >= 0 && j >= i-4; j-- {
		switch t := toks[j]; t {
		case "a", "an", "act", "acts", "of":
			continue
		case "not", "never":
			k := j - 1
			if k >= 1 && isLyAdverb(toks[k]) {
				k-- // "is certainly not"
			}
			if k < 0 || !isBe(toks[k]) && !isContractedBe(toks[k]) {
				return false
			}
			// "Who's not a terrorist these days?" asks; it takes nothing back.
			return k == 0 || !isWhWord(toks[k-1]) || !asks(toks, i)
		default:
			return strings.HasSuffix(t, "n't") && isBe(strings.TrimSuffix(t, "n't"))
		}
	}
	return false
}

// awareOfAct reports what "not aware" or "unaware" at toks[i] knows
// nothing of: an act, a claim, or a part in one, named within a few words
// ("was not aware of the strike", "unaware of any connection", "not aware
// that Ukraine was involved"). Not knowing of an act denies a part in it;
// not knowing of harm, of a threat or of "the situation" denies nothing,
// and nor does a bystander's "unaware of the attack until they heard the
// sirens".
func awareOfAct(toks []string, i int) bool {
	n := 4
	if i+1 < len(toks) && toks[i+1] == "that" {
		n = 8 // "not aware that any ransom was paid"
	}
	if aheadInClause(toks, i, 12, func(t string) bool { return t == "until" }) {
		return false
	}
	return aheadInClause(toks, i, n, func(t string) bool {
		return isActNoun(t) || isClaimNoun(t) || t == "incident" || t == "breach" || t == "ransom" ||
			strings.HasPrefix(t, "involve") || strings.HasPrefix(t, "link") || strings.HasPrefix(t, "connection") || t == "ties"
	})
}
