package classifier

// Cue rules for attribution: who is named as having done an act, the
// frames that name a culprit without a blame word, and blame words that
// name no one (a duty, a culprit still sought).

import "strings"

// namedAfter reports the one at toks[i] given a name by a passive naming
// verb right after it: "the gunman was identified as", "the suspect has
// since been named". A comma between them ("the suspect, identified as
// X, was caught") leaves it to the clause rules.
func namedAfter(toks []string, i int) bool {
	if ofAnother(toks, i) {
		return false // "the victims of the gunman were identified as"
	}
	passive := false
	for j := i + 1; j < len(toks) && j <= i+4; j++ {
		switch t := toks[j]; {
		case isNaming(t):
			return passive
		case isBe(t):
			passive = true
		case t == "has" || t == "have" || t == "had" || t == "later" || t == "since" || t == "now" || t == "also":
		default:
			return false
		}
	}
	return false
}

// ofAnother reports toks[i] inside an "of" phrase that names someone
// else, the head before "of" ("the victims of the gunman", "the mother of
// the suspect"), not a part of the party ("two of the attackers", "one of
// the suspects").
func ofAnother(toks []string, i int) bool {
	j := i - 1
	if j >= 0 && isDeterminer(toks[j]) {
		j--
	}
	if j < 1 || toks[j] != "of" {
		return false
	}
	switch h := toks[j-1]; h {
	case "some", "all", "most", "both", "several", "many", "each", "none", "any", "either", "neither", "rest", "remainder":
		return false
	default:
		return !isNumberWord(h)
	}
}

// namedSuspect reports a party called the prime suspect at toks[i],
// "suspect" or "suspects": "Zarqawi is a prime suspect", "has been named
// as the main suspect", "the DHKP-C were the main suspects". "The main
// suspect was arrested" names no one.
func namedSuspect(toks []string, i int) bool {
	if i < 2 {
		return false
	}
	switch toks[i-1] {
	case "prime", "main", "chief", "key", "possible", "likely", "top", "leading", "principal", "potential":
	default:
		return false
	}
	j := i - 2
	if toks[j] == "a" || toks[j] == "the" {
		j--
	}
	return j >= 0 && (isBe(toks[j]) || toks[j] == "as" || toks[j] == "remains")
}

// ownSafety reports "responsibility for (their own) security" at toks[i]:
// a duty, not blame.
func ownSafety(toks []string, i int) bool {
	return aheadInClause(toks, i, 4, func(t string) bool { return t == "security" || t == "safety" })
}

// claimsAct reports "claim" used for a claim of responsibility at toks[i]:
// "claimed the bombing", "claims last week's attack", "claiming the
// ambush", and a claim to have done a hostile act (claimedToHave).
func claimsAct(toks []string, i int) bool {
	switch toks[i] {
	case "claim", "claims", "claimed", "claiming":
	default:
		return false
	}
	for j := i + 1; j < len(toks) && j <= i+4; j++ {
		switch toks[j] {
		case "attack", "attacks", "bombing", "bombings", "blast", "blasts", "killing", "killings", "assault",
			"strike", "strikes", "shooting", "hijacking", "kidnapping", "ambush", "explosion", "raid",
			"massacre", "siege", "assassination", "abduction", "operation":
			return true
		}
		if toks[j] == "to" {
			return claimedToHave(toks, j)
		}
		if isClauseBreak(toks[j]) || toks[j] == "that" {
			return false
		}
	}
	return false
}

// claimedToHave reports "to have" and a hostile act at toks[j] ("to"),
// after a claim: "the IRGC claimed to have struck a base", "the group
// claims to have hacked the ministry", "claimed to have shot down the
// drone". "Claimed to have seen the gunman" claims no act.
func claimedToHave(toks []string, j int) bool {
	k := j + 1
	if k >= len(toks) || toks[k] != "have" {
		return false
	}
	k++
	if k < len(toks) && isLyAdverb(toks[k]) {
		k++ // "claimed to have successfully hit"
	}
	if k >= len(toks) {
		return false
	}
	switch t := toks[k]; t {
	case "shot", "stolen", "hit":
		return true
	case "carried":
		return k+1 < len(toks) && toks[k+1] == "out"
	default:
		return lexicon.entry(t).flags&flagAct != 0
	}
}

// behindAct reports "behind" at toks[i] naming who did something: "was
// behind", "are behind it", "the group behind the bombing".
func behindAct(toks []string, i int) bool {
	if i > 0 && (isBe(toks[i-1]) || toks[i-1] == "'s") {
		return true
	}
	if i > 1 && (toks[i-1] == "not" || toks[i-1] == "never") && (isBe(toks[i-2]) || strings.HasSuffix(toks[i-2], "n't")) {
		return true // "was not behind", "wasn't behind": denied below
	}
	for j := i + 1; j < len(toks) && j <= i+5; j++ {
		if isActNoun(toks[j]) || toks[j] == "it" || toks[j] == "this" {
			return true
		}
	}
	return false
}

// carriedOutBy reports "carried out" at toks[i] naming who did it: "the
// cell carried out the attack", "was carried out by the cell". A passive
// with no agent ("the attack was carried out at dawn") names no one.
func carriedOutBy(toks []string, i int) bool {
	if i+1 >= len(toks) || toks[i+1] != "out" {
		return false
	}
	if aheadInClause(toks, i+1, 4, isPoliceWork) {
		return false // "police carried out raids": no one is blamed
	}
	if i == 0 || !isBe(toks[i-1]) {
		return true
	}
	for j := i + 2; j < len(toks) && j <= i+1+maxAgentGap; j++ {
		if toks[j] == "by" {
			return !anonymousAgent(toks, j) // not "was carried out by a suicide bomber"
		}
		if isClauseBreak(toks[j]) {
			return false
		}
	}
	return false
}

// anonymousAgent reports an agent after "by" (toks[b]) that names no
// party: a lone attacker told by what he did, "by a suicide bomber", "by
// two unidentified gunmen", "by an unknown assailant", "by gunmen". Who
// did it is still unsaid. An attacker with a party ("a suicide bomber
// from the Islamic State group", "gunmen loyal to the militia", "a Hamas
// gunman") is not anonymous.
func anonymousAgent(toks []string, b int) bool {
	j := b + 1
	if j < len(toks) {
		switch toks[j] {
		case "a", "an", "two", "three", "four", "several", "some":
			j++
		}
	}
	for n := 0; n < 2 && j < len(toks) && isAnonymousModifier(toks[j]); n++ {
		j++ // "a suicide bomber", "an unidentified suicide bomber"
	}
	if j >= len(toks) {
		return false
	}
	switch toks[j] {
	case "bomber", "bombers", "gunman", "gunmen", "attacker", "attackers", "assailant", "assailants", "man", "men", "woman", "women", "driver", "shooter", "shooters":
	default:
		return false
	}
	for k := j + 1; k < len(toks) && k <= j+4 && !isClauseBreak(toks[k]); k++ {
		switch toks[k] {
		case "from", "belonging", "linked", "affiliated", "tied", "loyal", "sent", "working", "acting":
			return false
		case "with":
			if k+1 < len(toks) && (toks[k+1] == "links" || toks[k+1] == "ties" || toks[k+1] == "connections") {
				return false // "a gunman with links to the group"; not "a man with a knife"
			}
		}
	}
	return true
}

// maxNameRun bounds the words of one name read back from an act, and
// maxAgentGap the tokens searched for the "by" of a passive "carried out":
// both far beyond news writing, they keep extract linear in a sentence's
// length (unbounded, a 256 KiB sentence of repeated names before "fired"
// took minutes).
const (
	maxNameRun  = 12
	maxAgentGap = 40
)

// passiveAgent reports a passive verb of doing an attack with its agent
// at toks[i]: "were committed by a single group", "was shot down by a
// missile" name who did it.
func passiveAgent(toks []string, i int) bool {
	next := i + 1
	switch toks[i] {
	case "committed", "planned", "ordered", "organised", "organized", "staged", "plotted", "launched", "fired", "claimed":
	case "done":
		if !doneAct(toks, i, next) {
			return false
		}
	case "shot":
		if next < len(toks) && toks[next] == "down" {
			next++
		}
	default:
		return false
	}
	if next >= len(toks) || toks[next] != "by" {
		return false
	}
	p := i - 1
	if p >= 0 && len(toks[p]) > 3 && strings.HasSuffix(toks[p], "ly") {
		p-- // "was deliberately shot down by"
	}
	return p >= 0 && isBe(toks[p])
}

// doneAct reports an attack "done" at toks[i], "by" at toks[by]: its
// subject, right before a past "be", is an act ("the attack was done by
// insiders") or "it" ("I believe it was done by people inside the
// country"). Not an act that is only a complement ("the investigation
// into the attack was done by"), other work ("the autopsy was done by
// the pathologist"), what will or can be done ("it will be done by
// Friday"), nor what was done by mistake.
func doneAct(toks []string, i, by int) bool {
	s := i - 1 // the subject's index, once the verb is passed
	switch {
	case s >= 1 && toks[s] == "been" && (toks[s-1] == "has" || toks[s-1] == "have" || toks[s-1] == "had"):
		s -= 2 // "had been done by"
	case s >= 0 && (toks[s] == "was" || toks[s] == "were"):
		s--
	default:
		return false
	}
	if s < 0 {
		return false
	}
	switch subj := toks[s]; {
	case subj == "it":
	case isActNoun(subj):
		if s >= 1 && isPreposition(toks[s-1]) || s >= 2 && isPreposition(toks[s-2]) {
			return false // "the investigation into the attack was done by"
		}
	default:
		return false
	}
	k := by + 1
	if k < len(toks) && (toks[k] == "a" || toks[k] == "an") {
		k++
	}
	return !(k < len(toks) && isMishap(toks[k]))
}

// pursued reports a pursuit verb in the four tokens before toks[i]: the
// culprits are being sought, not named.
func pursued(toks []string, i int) bool {
	return behindInClause(toks, i, 4, func(t string) bool {
		for _, p := range []string{"hunt", "track", "find", "catch", "captur", "arrest", "punish", "crush", "bring", "identif", "pursu", "seek", "search", "apprehend", "locat", "chas"} {
			if strings.HasPrefix(t, p) {
				return true
			}
		}
		return false
	})
}

// reportedAct reports an attack verb at toks[i] whose subject is a named
// party and whose clause is what someone says: "Russia said Ukraine
// launched a drone attack", "the army said Armenian forces fired at its
// troops". Told by the reporter ("Israeli jets struck the camp"), or by
// someone of an unnamed attacker ("police said gunmen attacked"), it is
// no one's accusation.
func reportedAct(toks []string, i int, names *nameSet) bool {
	own := false // only as a party's claim of its own act: "Ukraine said it hit the ship"
	switch t := toks[i]; {
	case lexicon.entry(t).flags&flagAct != 0:
	case t == "opened":
		if i+1 >= len(toks) || toks[i+1] != "fire" {
			return false
		}
	case t == "hit":
		own = true
	case t == "carried" && i+1 < len(toks) && toks[i+1] == "out":
		own = true
	default:
		return false
	}
	j := i - 1
	if j >= 0 && (toks[j] == "had" || toks[j] == "has" || toks[j] == "have") {
		j--
	}
	if j >= 0 && (toks[j] == "it" || toks[j] == "they") {
		return ownAct(toks, i, j, names)
	}
	if own {
		return false
	}
	if j >= 0 && isForceNoun(toks[j]) {
		j--
		if j >= 1 && (toks[j] == "'s" || toks[j] == "’s") {
			j-- // "Azerbaijan's forces"
		}
	}
	if j < 0 || !names.has(toks[j]) {
		return false
	}
	// "Islamic State", "Azerbaijani": a name of at most maxNameRun words,
	// so that a sentence of thousands of capitalised words stays linear.
	for n := 0; j >= 0 && n < maxNameRun && names.has(toks[j]); n++ {
		j--
	}
	if j >= 0 && toks[j] == "the" {
		j--
	}
	if j >= 0 && toks[j] != "that" {
		return isReportVerb(toks[j])
	}
	return behindInClause(toks, j, 6, isReportVerb)
}

// ownAct reports a party's claim of its own act at toks[i], whose
// subject toks[j] is "it" or "they": a report verb before the subject
// with a name before it ("the rebels said they had carried out",
// "Ukraine said it hit the ship"). An inquiry launched is no act ("the
// committee said it had launched an investigation").
func ownAct(toks []string, i, j int, names *nameSet) bool {
	k := j - 1
	if k >= 0 && toks[k] == "that" {
		k--
	}
	if k < 1 || !isReportVerb(toks[k]) || aheadInClause(toks, i, 4, isInquiry) {
		return false
	}
	return behindInClause(toks, k, 6, names.has)
}

// onOrders reports an act done on someone's orders at toks[i], "order"
// or "orders": "on the orders of the military", "on Putin's orders",
// "acting on orders from Tehran", "done on my order".
func onOrders(toks []string, i int) bool {
	return behindInClause(toks, i, 4, func(t string) bool { return t == "on" })
}

// suspicionFalls reports a suspicion (toks[i]) said to fall, centre,
// focus or rest on someone, or to point to them, within its clause and
// not negated: "suspicion fell on the Taliban", "suspicions will fall on
// Iran-backed militias", "suspicion was likely to center on militants",
// "suspicion pointed to Iran"; not "no suspicion fell on", "suspicion
// did not fall on", "suspicion fell to zero". The news's way of naming a
// likely culprit without a claim.
func suspicionFalls(toks []string, i int) bool {
	if negatedBefore(toks, i) {
		return false // "no suspicion fell on"
	}
	for j := i + 1; j+1 < len(toks) && j <= i+5; j++ {
		t, next := toks[j], toks[j+1]
		switch {
		case isClauseBreak(t), isNot(t):
			return false // "suspicion did not fall on"
		case strings.HasPrefix(t, "fall") || t == "fell" || strings.HasPrefix(t, "cent") || strings.HasPrefix(t, "focus"):
			if next == "on" || next == "upon" {
				return true
			}
		case strings.HasPrefix(t, "point"):
			if next == "to" || next == "at" || next == "toward" || next == "towards" {
				return true
			}
		case strings.HasPrefix(t, "rest"):
			if next == "on" || next == "with" {
				return true
			}
		}
	}
	return false
}

// reducedAccusation reports an accusation at toks[k] that only names
// whom a sentence is about, a participle after its noun: "the man
// accused of the bombing", "two men charged with murder", "a soldier
// suspected of the killing"; not a verb with its own subject ("Russia
// accused Ukraine of", "police have charged him with").
func reducedAccusation(toks []string, k int) bool {
	switch toks[k] {
	case "accused", "charged", "suspected":
	default:
		return false
	}
	if k == 0 || k+1 >= len(toks) || toks[k+1] != "of" && toks[k+1] != "with" {
		return false
	}
	p := toks[k-1]
	if k > 1 && (p == "also" || p == "reportedly" || p == "allegedly" || p == "previously" || p == "widely") {
		p = toks[k-2] // "Russia was also accused of"
	}
	if isBe(p) {
		return false
	}
	switch p {
	case "has", "have", "had", "who", "which", "that", "they", "he", "she", "it", "we", "i", "you":
		return false
	}
	return true
}

// holdsToAccount reports "accountable" or "to account" at toks[i] as a
// party held responsible, which names who did it: "Israel holds Iran
// accountable for the incident", "the report held the militia to account",
// "Moscow was held accountable", "holds the Iran-backed Houthis
// accountable". No claim is made by a promise, demand or question ("will
// hold those responsible accountable", "must be held to account", "vowed
// to hold Iran accountable", "demanded that Russia be held accountable",
// "Will Iran be held accountable?"), by culprits not named ("the
// perpetrators were held accountable"), by no one held ("no one has been
// held accountable"), by a threat ("holds Beirut accountable for any
// attack") or by a copula ("the firm that holds the contract is
// accountable to the ministry").
func holdsToAccount(toks []string, i int) bool {
	if toks[i] == "account" {
		i-- // "to account"
	}
	if behindInClause(toks, i, 12, isNegWord) || aheadInClause(toks, i, 4, isAccountThreat) {
		return false // "no one has been held accountable"; "holds Beirut accountable for any attack" warns
	}
	for j := i - 1; j >= 0 && j >= i-8; j-- {
		switch t := toks[j]; t {
		case "hold", "holds", "held", "holding":
			if j > 0 && toks[j-1] == "be" {
				return false // "demanded that Russia be held accountable", "must be held", "Will Iran be held"
			}
			if behindInClause(toks, j, 6, func(t string) bool {
				return isModal(t) || strings.HasPrefix(t, "vow") || strings.HasPrefix(t, "promis") || strings.HasPrefix(t, "want") || strings.HasPrefix(t, "demand")
			}) {
				return false // "will also hold", "Will Iran be held", "wants Moscow held to account"
			}
			k := j - 1
			for k >= 0 && isBe(toks[k]) {
				k-- // "was held", "has been held"
			}
			if k >= 0 && toks[k] == "to" {
				return false // "vowed to hold", "plans to hold"
			}
			for ; k >= 0 && k >= j-8 && !isClauseBreak(toks[k]); k-- {
				if isCulpritSubject(toks[k]) {
					return false // "the perpetrators were held accountable"
				}
			}
			return true
		default:
			if breaksClause(t) || isCulpritSubject(t) || isBe(t) {
				return false // "hold those responsible accountable"; "the company that holds the contract is accountable"
			}
		}
	}
	return false
}
