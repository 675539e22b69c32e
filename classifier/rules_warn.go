package classifier

// Cue rules for warnings: threats of attacks or reprisals to come, and
// advice that is the warning itself.

import "strings"

// threatInNegation reports a warning word whose threat is stated through
// a negation, which therefore does not cancel it: "no country is immune",
// "will not go unpunished", "will not remain unavenged".
func threatInNegation(t string) bool {
	return t == "immune" || t == "unpunished" || t == "unavenged" || t == "unanswered"
}

// moreAttacks reports attacks to come at toks[i], "more" or "further":
// "more attacks", "further terrorist attacks".
func moreAttacks(toks []string, i int) bool {
	j := i + 1
	if j < len(toks) && (toks[j] == "terrorist" || toks[j] == "such" || toks[j] == "deadly" || toks[j] == "similar") {
		j++
	}
	return j < len(toks) && strings.HasSuffix(toks[j], "s") && isActNoun(toks[j])
}

// callsForCalm reports an appeal at toks[i] ("urged") for cooperation,
// unity, calm or restraint, which LABELS.md counts as no claim.
func callsForCalm(toks []string, i int) bool {
	for j := i + 1; j < len(toks) && j <= i+30; j++ {
		t := toks[j]
		if t == "." || t == ";" {
			return false
		}
		switch {
		case strings.HasPrefix(t, "cooperat"), t == "unity", t == "united", t == "unite", t == "calm",
			t == "restraint", t == "refrain", t == "dialogue", strings.HasPrefix(t, "de-escalat"):
			return true
		}
	}
	return false
}

// payThreat reports the threat formula at toks[i]: "will pay", "would pay
// dearly", "pay a heavy price", "come at a high price".
func payThreat(toks []string, i int) bool {
	if toks[i] == "pay" {
		if i > 0 {
			switch toks[i-1] {
			case "will", "would", "'ll":
				return true
			}
		}
		return false
	}
	for j := i - 1; j >= 0 && j >= i-4; j-- {
		switch toks[j] {
		case "pay", "paid":
			return j < i-1 // "pay a price", "pay the price", not "pay price"
		case "at":
			return j > 0 && toks[j-1] == "come"
		}
	}
	return false
}

// modalThreat reports a verb of attacking or replying made future or
// possible by a modal before it, with at most two adverbs between: "could
// attack Ukraine at any time", "will surely respond", "would target
// crowds". A noun ("will require a response", "May described the
// attacks") is none.
func modalThreat(toks []string, i int) bool {
	switch toks[i] {
	case "attack", "strike", "target", "hit", "respond", "answer", "retaliate":
	case "targeted", "attacked", "struck":
		// "could be targeted by terrorists"
		if i == 0 || toks[i-1] != "be" {
			return false
		}
		i--
	case "carry", "continue", "launch", "conduct", "stage", "mount":
		// "will carry out such attacks again", "will continue these attacks"
		if !aheadInClause(toks, i, 4, isActNoun) {
			return false
		}
	case "hunt", "track":
		// "we will hunt down the perpetrators"
		if i+1 >= len(toks) || toks[i+1] != "down" {
			return false
		}
	case "find":
		// "we will find you", not "will find a solution"
		if i+1 >= len(toks) || toks[i+1] != "you" && toks[i+1] != "them" {
			return false
		}
	case "regret":
		// "you will regret taking part", not "we regret the loss"
	case "use":
		// "will use military force against those who violate it"
		if !aheadInClause(toks, i, 2, func(t string) bool { return t == "force" }) {
			return false
		}
	default:
		return false
	}
	for j := i - 1; j >= 0 && j >= i-3; j-- {
		switch t := toks[j]; t {
		case "will", "would", "could", "may", "might", "shall":
			return true
		case "to":
			// "pledged to respond", "promised to hunt down"
			return j > 0 && (strings.HasPrefix(toks[j-1], "pledg") || strings.HasPrefix(toks[j-1], "promis") || strings.HasPrefix(toks[j-1], "swor"))
		case "also", "soon", "still", "again", "then", "even", "now", "certainly", "definitely":
		default:
			if !isLyAdverb(t) {
				return false
			}
		}
	}
	return false
}

// punishThreat reports a promise of punishment at toks[i], a "punish*"
// word: "will be punished", "would punish", "will punish".
func punishThreat(toks []string, i int) bool {
	for j := i - 1; j >= 0 && j >= i-2; j-- {
		switch toks[j] {
		case "will", "would", "'ll", "shall":
			return true
		case "be":
		default:
			return false
		}
	}
	return false
}

// responseThreat reports the threat formulas at toks[i]: a response, reply
// or answer called fitting, strong or swift ("a befitting reply", "a swift
// and strong response"), and attacks that "will continue".
func responseThreat(toks []string, i int) bool {
	switch toks[i] {
	case "response", "reply", "answer":
		for j := i - 1; j >= 0 && j >= i-3; j-- {
			switch toks[j] {
			case "fitting", "befitting", "strong", "swift", "harsh", "decisive", "crushing", "resolute", "stern", "severe",
				"tough", "forceful", "firm", "heavy":
				return true
			}
		}
	case "consequences", "consequence":
		// "will face serious consequences", "will be met with
		// consequences"; not "the tragic consequences of the blast"
		return behindInClause(toks, i, 3, func(t string) bool {
			switch t {
			case "face", "faces", "facing", "serious", "severe", "grave", "dire", "met", "suffer", "negative", "bear":
				return true
			}
			return false
		})
	case "continue":
		if i >= 2 && (toks[i-1] == "will" || toks[i-1] == "would") {
			return isActNoun(toks[i-2]) || toks[i-2] == "operations"
		}
		// "this wave of attacks is expected to continue"
		return i >= 2 && toks[i-1] == "to" && (toks[i-2] == "expected" || toks[i-2] == "likely") && behindInClause(toks, i, 6, isActNoun)
	case "remain", "remains", "remained":
		// "the threat remains", "the danger remains high"
		return i >= 1 && (toks[i-1] == "threat" || toks[i-1] == "danger" || toks[i-1] == "risk")
	case "cover", "shelter":
		// "told to take cover", "shelter in place"
		return i >= 1 && (toks[i-1] == "take" || toks[i-1] == "seek") || toks[i] == "shelter" && i+2 < len(toks) && toks[i+1] == "in" && toks[i+2] == "place"
	case "call":
		// "a wake-up call"
		return i >= 3 && toks[i-1] == "up" && toks[i-2] == "-" && toks[i-3] == "wake"
	case "threat", "threats", "risk", "risks", "danger", "dangers":
		// "a stark reminder of the threat", "underscored the risks", "the
		// threat we face"
		if i+1 < len(toks) && (toks[i+1] == "posed" || toks[i+1] == "we") {
			return true
		}
		return behindInClause(toks, i, 4, func(t string) bool {
			return t == "reminder" || strings.HasPrefix(t, "underscor") || strings.HasPrefix(t, "highlight") ||
				strings.HasPrefix(t, "underlin") || strings.HasPrefix(t, "illustrat") ||
				// threats received, a past warning reported: "he had
				// received death threats", "had faced threats"
				(toks[i] == "threat" || toks[i] == "threats") && (strings.HasPrefix(t, "receiv") || t == "faced" || t == "facing")
		})
	case "force":
		// "will face the full force of the law"
		return i+3 < len(toks) && toks[i+1] == "of" && toks[i+3] == "law" && behindInClause(toks, i, 3, func(t string) bool { return strings.HasPrefix(t, "fac") || t == "feel" })
	case "unanswered":
		// "will not go unanswered", "would not leave unanswered the
		// shedding of blood"; not "questions remain unanswered"
		return negatedBefore(toks, i)
	case "immune":
		// "no country is immune from that risk", "we are not immune to"
		for j := i - 1; j >= 0 && j >= i-3; j-- {
			if t := toks[j]; t == "not" || t == "no" || t == "n't" || t == "never" {
				return true
			}
		}
	case "vulnerable":
		// "were particularly vulnerable to attack"
		return aheadInClause(toks, i, 3, isActNoun)
	case "prepared":
		// "be prepared for any eventuality"
		return i >= 1 && toks[i-1] == "be" && i+1 < len(toks) && toks[i+1] == "for"
	}
	return false
}

// advisoryNot reports a "not" at toks[i] that is the advice itself, not
// a negation: "issued a do not travel warning", "urged citizens not to
// travel to the region", "don't travel there", whose warning it does not
// take back. The advice is to keep away from a place: "we do not go
// around blaming others" negates the blame.
func advisoryNot(toks []string, i int) bool {
	j := i + 1
	switch {
	case toks[i] == "don't":
	case toks[i] != "not" || i == 0:
		return false
	case toks[i-1] == "do":
		// "a do not travel warning"
	case j < len(toks) && toks[j] == "to":
		j++ // "not to travel"
	default:
		return false
	}
	if j+1 >= len(toks) {
		return false
	}
	switch toks[j] {
	case "travel", "fly", "visit", "go":
	default:
		return false
	}
	switch toks[j+1] {
	case "to", "there", "into", "warning", "warnings", "advisory", "advisories", "advice", "order", "list", "zone":
		return true
	}
	return false
}
