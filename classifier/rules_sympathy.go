package classifier

// Cue rules for condolence: support offered, prayers, mourning and
// solidarity with victims, and the uses of these words that are none of it.

import (
	"slices"
	"strings"
)

// offerOfHelp reports help, support or assistance offered at toks[i]
// ("offered their support", "ready to provide assistance", "will help").
func offerOfHelp(toks []string, i int, headline bool) bool {
	if !isSupportWord(toks[i]) {
		return false
	}
	return behindInClause(toks, i, 4, func(t string) bool {
		return strings.HasPrefix(t, "offer") || strings.HasPrefix(t, "pledg") || strings.HasPrefix(t, "extend") ||
			strings.HasPrefix(t, "affirm") || strings.HasPrefix(t, "reaffirm") || strings.HasPrefix(t, "reiterat") || strings.HasPrefix(t, "reassur") ||
			strings.HasPrefix(t, "declar") || strings.HasPrefix(t, "vow") ||
			strings.HasPrefix(t, "provid") || t == "ready" || t == "readiness" || t == "willing" || t == "will" ||
			t == "sent" || t == "send" || t == "sends" || headline && t == "to" // in a headline "US to Help" means "will help"
	})
}

// vowsSupport reports a vow of support at toks[i], a "vow*" word: "vows
// support", "vowed to stand with France", "vowed to help".
func vowsSupport(toks []string, i int) bool {
	if i+1 < len(toks) && isSupportWord(toks[i+1]) {
		return true
	}
	if i+2 >= len(toks) || toks[i+1] != "to" {
		return false
	}
	next := toks[i+2]
	return isSupportWord(next) || next == "rebuild" || next == "stand" && i+3 < len(toks) && (toks[i+3] == "with" || toks[i+3] == "by")
}

// prayerFor reports a prayer offered for someone at toks[i], a "pray*"
// word: "prayers for the victims", "our prayers are with", "prayers go out",
// "thoughts and prayers", "we pray that". A prayer as a rite ("during
// evening prayers", "after Friday prayers") is none.
func prayerFor(toks []string, i int) bool {
	after := toks[i+1 : min(len(toks), i+4)]
	before := toks[max(0, i-2):i]
	return slices.ContainsFunc(after, func(t string) bool { return slices.Contains(prayerAfter, t) }) ||
		slices.ContainsFunc(before, func(t string) bool { return slices.Contains(prayerBefore, t) })
}

// prayerAfter and prayerBefore are the words after and before a prayer
// that make it one offered for someone.
var (
	prayerAfter  = []string{"for", "with", "go", "goes", "are", "that"}
	prayerBefore = []string{"our", "my", "his", "her", "their", "your", "thoughts", "hearts", "offer", "offered", "offers", "send", "sends", "sent", "share", "shared", "shares", "in"}
)

// hardTimes reports a hard time at toks[i] that someone stands by a
// people through: "we are with you at this difficult time", "stands by
// Lithuania's side in these dark hours", "give them strength during this
// tragic period", "we stand with you in such a difficult time". The time
// must follow "at", "in", "during" or "through", after words of standing
// by in its clause: "At this difficult time we must stay calm", "the man
// was killed by gunmen during this tragic period", "During this tragic
// period, the group claimed…", "the most difficult days" and "had a very
// difficult time finding work" stand by no one.
func hardTimes(toks []string, i int) bool {
	switch toks[i] {
	case "difficult", "painful", "tragic", "dark", "darkest", "trying":
	default:
		return false
	}
	if i+1 >= len(toks) {
		return false
	}
	switch toks[i+1] {
	case "time", "times", "moment", "moments", "hour", "hours", "days", "period":
	default:
		return false
	}
	p := i - 1
	if p >= 0 && (toks[p] == "very" || toks[p] == "most" || toks[p] == "extremely") {
		p-- // "this very difficult time"
	}
	if p >= 1 && toks[p] == "a" && toks[p-1] == "such" {
		p-- // "such a difficult time"
	}
	if p < 1 || toks[p] != "this" && toks[p] != "these" && toks[p] != "such" {
		return false
	}
	p--
	switch toks[p] {
	case "at", "in", "during", "through":
	default:
		return false
	}
	for j := p - 1; j >= 0 && j >= p-12; j-- {
		switch t := toks[j]; t {
		case "side", "strength", "stand", "stands", "stood", "standing":
			return true // "by Lithuania's side", "give them strength", "we stand with"
		case "with":
			if j+1 < p {
				switch toks[j+1] {
				case "you", "them", "us", "him", "her":
					return true // "we are with you"
				}
			}
		default:
			if isClauseBreak(t) {
				return false
			}
		}
	}
	return false
}

// visitsFamilies reports the bereaved at toks[i] as the people someone
// calls, meets or visits: "spoke with the families of the victims", "plans
// to contact the families", "met relatives of the dead", "reach out to
// the families".
func visitsFamilies(toks []string, i int) bool {
	j := i - 1
	if j >= 0 && (toks[j] == "the" || toks[j] == "their" || toks[j] == "grieving") {
		j--
	}
	if j >= 0 && (toks[j] == "with" || toks[j] == "to") {
		j--
	}
	if j >= 1 && toks[j] == "out" && strings.HasPrefix(toks[j-1], "reach") {
		return true // "reach out to the families"
	}
	if j < 0 {
		return false
	}
	switch t := toks[j]; t {
	case "met", "meet", "meets", "meeting", "phoned", "calls", "called", "contact", "contacted", "spoke", "speaks",
		"speak", "talked", "visit", "visited", "visits", "visiting", "console", "consoled", "comfort", "comforted", "hugged":
		return true
	}
	return false
}

// remembers reports "never forget" at toks[i] as remembrance of the dead:
// a people that will not forget ("we will never forget", "the nation will
// never forget") or the dead it will not forget ("will never forget the
// victims", "their sacrifice"). A survivor's "I will never forget that
// day" is a memory, "the lessons of that day" a lesson, and "a lesson
// they will never forget", "will never forget who did this" and "will
// never forget and we will never forgive" are threats.
func remembers(toks []string, i int) bool {
	if behindInClause(toks, i, 6, func(t string) bool { return t == "they" || t == "lesson" || t == "way" }) ||
		aheadInClause(toks, i, 8, func(t string) bool { return strings.HasPrefix(t, "forgiv") }) ||
		aheadInClause(toks, i, 2, func(t string) bool {
			// "never forget who did this", "this crime", "the lessons"
			return t == "who" || t == "what" || t == "crime" || t == "crimes" || strings.HasPrefix(t, "lesson")
		}) {
		return false
	}
	return behindInClause(toks, i, 4, func(t string) bool {
		switch t {
		case "we", "nation", "country", "world", "city", "people", "community", "humanity":
			return true
		}
		return false
	}) || aheadInClause(toks, i, 3, func(t string) bool {
		switch t {
		case "them", "him", "her", "you", "victims", "dead", "fallen", "heroes", "martyrs", "sacrifice", "sacrifices", "valour", "valor":
			return true
		}
		return false
	})
}

// appalledByHarm reports an attack or the harm it did as what "appalled"
// at toks[i] is appalled by: "appalled by the missile attack", "appalled
// by reports that hundreds were slaughtered". Dismay at how others met
// the attack is criticism ("appalled by the response to the attack",
// "appalled that the attack was being used for political gain").
func appalledByHarm(toks []string, i int) bool {
	for j := i + 1; j < len(toks) && j <= i+8; j++ {
		switch t := toks[j]; {
		case isClauseBreak(t) || t == "criticism" || t == "response" || t == "responses" || t == "handling" ||
			t == "reaction" || t == "decision" || t == "use" || t == "used" || t == "remarks" || t == "comments" || t == "failure":
			return false
		case isHarmDone(t):
			return true
		}
	}
	return false
}

// motiveSolidarity stands for "solidarity" in word and word-pair features
// where causeSolidarity reads it as an attacker's motive.
const motiveSolidarity = "solidarity(motive)"

// causeSolidarity reports "in solidarity", "out of solidarity", "a show
// of solidarity" or "in what they say is (call, describe as) solidarity"
// at toks[i] ("solidarity") as the motive an attacker gives for its
// attacks: "are conducting the attacks in solidarity with Palestinians",
// "drone attacks by Iran-backed rebels in the Red Sea in solidarity with
// Gaza", "have since attacked more than 100 ships in solidarity with",
// "fired missiles in a show of solidarity", "began firing at Israel in what
// it said was solidarity with Gaza", and across a comma right before the
// phrase "began firing rockets at Israel on Oct. 8, in solidarity with
// Hamas". Solidarity with the victims, shown by a gathering ("vigils in
// solidarity"), by standing, uniting, condemning or messages ("condemned
// the attack in solidarity with Pakistan", "stood in solidarity"), as what
// an attack prompted ("the attack prompted a human chain in solidarity"),
// in answer to an attack ("rallied after the attack in solidarity") or by
// a strike of workers ("went on strike in solidarity", "unions called a
// strike in solidarity") is sympathy.
func causeSolidarity(toks []string, i int) bool {
	s := i - 1 // the phrase's first token: "in", "out of", "a show of", "in what they say is"
	switch {
	case s >= 1 && toks[s] == "of" && (toks[s-1] == "out" || toks[s-1] == "show"):
		s--
	case s >= 2 && (isBe(toks[s]) || toks[s] == "as" || strings.HasPrefix(toks[s], "call")):
		for w := s - 1; w >= 1 && w >= s-8 && (!isClauseBreak(toks[w]) || toks[w] == "-"); w-- {
			if toks[w] == "what" && toks[w-1] == "in" {
				s = w - 1 // "in what they say is solidarity with"
				break
			}
		}
	}
	if s < 1 || toks[s] != "in" && toks[s] != "out" && toks[s] != "show" || aheadInClause(toks, i, 4, isVictimWord) {
		return false
	}
	commas := 0
	for j := s - 1; j >= 0 && j >= s-15; j-- {
		t := toks[j]
		if t == "." && j > 0 && segMonths[toks[j-1]] {
			continue // "on Oct. 8"
		}
		if t == "," && commas == 0 && j == s-1 {
			commas++ // "began firing rockets at Israel on October 8, in solidarity with Hamas"
			continue
		}
		switch {
		case isGathering(t) && !(t == "march" && j > 0 && (toks[j-1] == "in" || toks[j-1] == "since" || toks[j-1] == "until")):
			return false
		case isShowing(t) && !(strings.HasPrefix(t, "condemn") && j > 0 && toks[j-1] == "to"):
			return false // "stood in solidarity", "messages in solidarity", "united Australians in solidarity"
		case (t == "strike" || t == "strikes") && behindInClause(toks, j, 5, isLabour):
			return false // "workers staged a 24-hour strike in solidarity"
		case isActNoun(t) && aheadInClause(toks, j, s-j, isCausing):
			return false // "the attack prompted neighbours to form a human chain in solidarity": the attack's effect
		case isActNoun(t) || isActVerb(t) || isAttacking(t):
			for k := j - 1; k >= 0 && k >= j-6; k-- {
				switch toks[k] {
				case "after", "following", "since", "over", "against", "on", "general", "hunger", "wake", "aftermath", "night", "day":
					if isActNoun(t) && !isNumberWord(toks[k+1]) {
						return false // "after the attack", "on strike", "a general strike"; not "have since attacked", "over 100 attacks"
					}
				}
				if strings.HasPrefix(toks[k], "condemn") && isActNoun(t) && !(k > 0 && toks[k-1] == "in") {
					return false // "condemned the attack in solidarity with": the attack condemned is not the act
				}
				if strings.HasPrefix(toks[k], "condemn") || toks[k] == "and" || breaksClause(toks[k]) {
					break
				}
			}
			return true
		case breaksClause(t):
			return false
		}
	}
	return false
}
