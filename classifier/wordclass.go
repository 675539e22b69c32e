package classifier

// Word classes the cue rules ask about: one predicate per class, each a
// closed list of words or forms.

import "strings"

// isNaming reports a verb that names who someone is.
func isNaming(t string) bool {
	switch t {
	case "named", "names", "identified", "identifies", "identify":
		return true
	}
	return false
}

// isGrounds reports a noun that, negated, widens the negation to the
// clause it governs: "no reason to believe", "no indication that".
func isGrounds(t string) bool {
	switch t {
	case "reason", "indication", "indications", "sign", "signs", "suggestion":
		return true
	}
	return false
}

// isClaimOrConfirm reports a form of "claim" or "confirm", which a
// claimOrDeny pairs with a form of "deny".
func isClaimOrConfirm(t string) bool {
	switch t {
	case "claim", "claims", "claimed", "claiming", "confirm", "confirms", "confirmed", "confirming":
		return true
	}
	return false
}

// isAnonymousModifier reports a word that describes a lone attacker
// without naming a party: "suicide", "unidentified", "masked".
func isAnonymousModifier(t string) bool {
	switch t {
	case "suicide", "unidentified", "unknown", "lone", "armed", "masked", "female", "male", "teenage", "young", "single", "suspected":
		return true
	}
	return false
}

// pastVerb reports a past-tense verb at toks[i], as far as its form shows:
// a word ending in "-ed" that follows neither a form of "be" (a passive or
// an adjective: "was involved") nor an article ("the accused").
func pastVerb(toks []string, i int) bool {
	t := toks[i]
	if len(t) <= 4 || !strings.HasSuffix(t, "ed") || i == 0 {
		return false
	}
	p := toks[i-1]
	return !isBe(p) && p != "the" && p != "a" && p != "an"
}

// isBe reports a form of "be", which before a participle makes it passive.
func isBe(t string) bool {
	switch t {
	case "was", "is", "were", "are", "am", "be", "been", "being":
		return true
	}
	return false
}

// isActNoun reports a noun for an attack or crime.
func isActNoun(t string) bool {
	switch t {
	case "attack", "attacks", "bombing", "bombings", "blast", "blasts", "killing", "killings", "assault", "assaults", "strike",
		"strikes", "shooting", "shootings", "hijacking", "kidnapping", "ambush", "explosion", "explosions", "raid",
		"massacre", "siege", "assassination", "abduction", "operation", "plot", "murder", "murders", "sabotage",
		"fire", "arson", "hack", "cyberattack", "poisoning", "crash", "downing":
		return true
	}
	return false
}

// isClaimNoun reports a noun naming what a denial rejects.
func isClaimNoun(t string) bool { return lexicon.entry(t).flags&flagClaimNoun != 0 }

// isPreposition reports a preposition that makes the noun after it a
// complement: "the inquiry into the attack".
func isPreposition(t string) bool {
	switch t {
	case "of", "into", "on", "after", "for", "about", "over", "from", "since", "following":
		return true
	}
	return false
}

// isMishap reports how a thing can be done by no one: "by mistake".
func isMishap(t string) bool {
	switch t {
	case "mistake", "accident", "error", "chance":
		return true
	}
	return false
}

// isPoliceWork reports what authorities carry out after an attack: raids,
// searches, arrests, inquiries.
func isPoliceWork(t string) bool {
	switch t {
	case "raid", "raids", "search", "searches", "arrest", "arrests", "investigation", "investigations", "inquiry",
		"inspection", "inspections", "check", "checks", "patrol", "patrols", "evacuation", "evacuations",
		"autopsy", "autopsies", "review", "exercise", "exercises", "sweep", "sweeps":
		return true
	}
	return false
}

// isDeceit reports a word for lying or smearing, which makes an accusation
// a counter-accusation: "accused Kyiv of concocting a lie".
func isDeceit(t string) bool {
	switch t {
	case "lie", "lies", "deceit", "deception", "disinformation", "propaganda", "hiding", "misleading", "smear", "smearing",
		"provocation", "provocations":
		return true
	}
	return strings.HasPrefix(t, "concoct") || strings.HasPrefix(t, "fabricat") || strings.HasPrefix(t, "defam") ||
		strings.HasPrefix(t, "distort") || strings.HasPrefix(t, "falsif")
}

// isDeterminer reports an article, a number or a quantifier, which after
// a verb starts its object.
func isDeterminer(t string) bool {
	switch t {
	case "a", "an", "the", "two", "three", "four", "several", "some", "many", "dozens", "hundreds":
		return true
	}
	return t != "" && t[0] >= '0' && t[0] <= '9'
}

// isActVerb reports a verb for doing an attack, which negated denies it
// ("did not carry out", "never ordered").
func isActVerb(t string) bool {
	switch t {
	case "attack", "attacked", "carry", "undertake", "undertaken", "undertook", "commit", "committed",
		"conduct", "conducted", "bomb", "bombed", "order", "ordered", "hack", "hacked", "plan", "planned",
		"participate", "participated", "perpetrate", "perpetrated", "organise", "organised", "organize", "organized":
		return true
	}
	return false
}

// isDash reports a dash token.
func isDash(tok string) bool { return tok == "—" || tok == "–" || tok == "--" }

// isQuote reports a quotation-mark token.
func isQuote(tok string) bool {
	switch tok {
	case "\"", "“", "”", "«", "»", "„":
		return true
	}
	return false
}

// isParticiple reports a past participle: a regular one ("warned") or a
// common irregular one ("said", "known"); not a verb that merely ends in
// "ed" ("need", "succeed").
func isParticiple(t string) bool {
	switch t {
	case "been", "said", "told", "known", "made", "had", "gone", "done", "seen", "left", "sent", "shot", "hit",
		"fled", "heard", "found", "thought", "taken", "given", "written", "spoken", "brought", "felt", "lost",
		"agreed", "freed", "decreed", "guaranteed", "led", "fed", "shed", "sped", "bred", "wed":
		return true
	}
	return len(t) > 3 && strings.HasSuffix(t, "ed") && !strings.HasSuffix(t, "eed")
}

// isAgeUnit reports the unit of an age: "year" in "8-year-old".
func isAgeUnit(t string) bool {
	switch t {
	case "year", "month", "week", "day":
		return true
	}
	return false
}

// isNumberWord reports a number in digits or words up to twenty.
func isNumberWord(t string) bool {
	if t == "" {
		return false
	}
	if t[0] >= '0' && t[0] <= '9' {
		return true
	}
	switch t {
	case "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
		"thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty":
		return true
	}
	return false
}

// isLetter1 reports a one-letter token.
func isLetter1(t string) bool {
	return len(t) == 1 && t[0] >= 'a' && t[0] <= 'z'
}

// isReflexive reports a reflexive pronoun.
func isReflexive(t string) bool {
	switch t {
	case "itself", "himself", "herself", "themselves", "ourselves", "myself":
		return true
	}
	return false
}

// isSupportWord reports a word of support offered after an attack.
func isSupportWord(t string) bool {
	switch t {
	case "support", "help", "solidarity", "assistance", "aid", "assist":
		return true
	}
	return false
}

// isInquiry reports a noun for an inquiry or a plea, which a party
// launches without attacking anyone.
func isInquiry(t string) bool {
	switch t {
	case "investigation", "investigations", "probe", "inquiry", "appeal", "review", "campaign", "hunt", "search":
		return true
	}
	return false
}

// isCriticism reports a claim noun or a critic, which a defence answers.
func isCriticism(t string) bool {
	return isClaimNoun(t) || t == "critics" || t == "criticism" || t == "accusers"
}

// isReportVerb reports a verb that introduces what someone says or
// believes.
func isReportVerb(t string) bool {
	switch t {
	case "said", "says", "say", "saying", "claimed", "claims", "alleged", "alleges", "believes", "believe",
		"concluded", "confirmed", "insisted", "stated", "told", "tells", "added", "announced", "found", "proves",
		"proved", "showed", "shows", "suspected", "suspects", "suspect", "assume", "assumes", "think", "thinks":
		return true
	}
	return false
}

// isPartyNoun reports a noun or pronoun for those who take part in
// something, which a participle after it describes: "the gunmen involved",
// "everyone involved".
func isPartyNoun(t string) bool {
	switch t {
	case "those", "everyone", "anyone", "all", "people", "men", "gunmen", "militants", "attackers", "individuals",
		"group", "groups", "suspects", "terrorists", "persons", "parties", "countries", "sources", "officers",
		"agencies", "network", "organization", "organisation", "hackers", "criminals", "entity", "entities", "others":
		return true
	}
	return false
}

// isForceNoun reports a noun for an armed or hostile party that a name
// qualifies: "Armenian forces", "Chinese hackers".
func isForceNoun(t string) bool {
	switch t {
	case "forces", "troops", "soldiers", "army", "military", "hackers", "militants", "fighters", "rebels",
		"jets", "drones", "missiles", "navy", "agents", "intelligence", "government", "regime", "militia",
		"militias", "gunboats", "warplanes", "artillery", "units", "side":
		return true
	}
	return false
}

// isQuantifier reports a word that, after a comma inside a clause, opens
// an appositive about what the clause counts: "many of them children".
func isQuantifier(t string) bool {
	switch t {
	case "many", "most", "some", "all", "several", "mostly", "mainly", "among", "both", "including":
		return true
	}
	return false
}

// isEventVerb reports a past-tense verb of what an attack did, which after
// "that" makes it a relative pronoun: "the blast that killed six".
func isEventVerb(t string) bool {
	switch t {
	case "killed", "injured", "wounded", "left", "claimed", "hit", "struck", "destroyed", "damaged", "rocked",
		"shook", "tore", "ripped", "took", "caused", "sparked", "prompted", "triggered", "led", "happened",
		"occurred", "targeted", "disrupted", "crippled", "paralysed", "paralyzed", "affected", "compromised":
		return true
	}
	return false
}

// isChargeVerb reports a verb that brings or states criminal charges:
// "pressed charges", "filed charges", "faces charges".
func isChargeVerb(t string) bool {
	switch t {
	case "pressed", "press", "presses", "filed", "file", "files", "brought", "bring", "brings", "laid", "lay", "lays",
		"unveiled", "announced", "face", "faces", "facing", "faced":
		return true
	}
	return false
}

// isIdeology reports a word naming a militant ideology, which a motive
// found for an attack ties it to: "an Islamist motive".
func isIdeology(t string) bool {
	switch t {
	case "islamist", "jihadist", "jihadi", "extremist", "terrorist", "terror", "racist", "antisemitic", "anti-semitic", "neo-nazi", "supremacist":
		return true
	}
	return false
}

// isCulpritWord reports a word for a culprit or a motive, which ruling out
// or finding no sign of denies: "terrorism", "a role", "links", "foul
// play".
func isCulpritWord(t string) bool {
	return strings.HasPrefix(t, "terror") || t == "role" || t == "involvement" || strings.HasPrefix(t, "link") ||
		t == "sabotage" || t == "foul"
}

// isLyAdverb reports a word of five letters or more ending in "-ly",
// taken for an adverb: "formally", "publicly", "deliberately".
func isLyAdverb(t string) bool {
	return len(t) > 4 && strings.HasSuffix(t, "ly")
}

// isNot reports a negation of a verb: "not", "never", or a contraction
// ending in "n't" ("didn't", "hasn't").
func isNot(t string) bool {
	return t == "not" || t == "never" || strings.HasSuffix(t, "n't")
}

// isNegWord reports isNot's words and the negating determiners and
// pronouns: "no", "none", "nobody".
func isNegWord(t string) bool {
	return isNot(t) || t == "no" || t == "nobody" || t == "none"
}

// isLowered reports a verb that lowers a threat or alert level: "the
// threat level was lowered from severe to substantial".
func isLowered(t string) bool {
	for _, p := range []string{"lower", "reduc", "downgrad", "eased", "eases", "easing"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// isCalling reports a word that calls something by a name, which makes
// the name a verdict on it: "called the warning blackmail", "dismissed it
// as blackmail", "branded the sanctions a form of blackmail".
func isCalling(t string) bool {
	switch t {
	case "called", "calls", "call", "calling", "described", "describes", "dismissed", "dismisses", "branded", "brands",
		"labelled", "labeled", "termed", "amounts":
		return true
	}
	return false
}

// isProspect reports a word that makes what follows it a demand, a fear
// or a promise rather than a fact: "demanded retaliatory strikes",
// "bracing for a possible retaliatory strike", "promised a retaliatory
// attack".
func isProspect(t string) bool {
	for _, p := range []string{"demand", "call", "urg", "brac", "possib", "promis", "vow", "threat", "expect", "fear", "warn", "prepar", "plan", "await", "anticipat", "risk", "likely"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return isModal(t)
}

// isModal reports a modal verb: "could", "will", "cannot".
func isModal(t string) bool {
	switch t {
	case "will", "would", "could", "can", "cannot", "can't", "may", "might", "shall", "should", "won't", "must":
		return true
	}
	return false
}

// isAssigning reports a verb that assigns blame: "has not assigned blame",
// "did not lay the blame".
func isAssigning(t string) bool {
	switch t {
	case "assigned", "assign", "apportioned", "apportion", "laid", "lay", "placed", "place", "pinned", "pin", "attributed", "attribute":
		return true
	}
	return false
}

// isClaimModifier reports a word that may stand between a claim and the
// responsibility claimed: "claimed direct responsibility", "no formal
// claim of responsibility".
func isClaimModifier(t string) bool {
	switch t {
	case "direct", "formal", "official", "full", "any", "immediate", "public", "explicit":
		return true
	}
	return false
}

// isViolence reports a word for violence in general, which a statement
// rejects to condemn it: "we reject terrorism in all its forms".
func isViolence(t string) bool {
	switch t {
	case "violence", "terrorism", "terror", "extremism", "hatred", "radicalism", "brutality", "barbarism":
		return true
	}
	return false
}

// isAdviceChange reports a past verb that issues or changes advice:
// "issued", "has updated", "changed" (not the nouns "issues", "change").
func isAdviceChange(t string) bool {
	if !strings.HasSuffix(t, "ed") {
		return false
	}
	for _, p := range [...]string{"issu", "updat", "chang", "revis", "rais", "tighten", "upgrad", "amend", "strengthen"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// isContractedBe reports a contracted "be" left whole in one token
// ("they're", "i'm", "he's"), as a tokenizer that keeps apostrophes inside
// words gives. normalizeTokens has already expanded the split forms the
// default tokenizer gives ("he ' s" to "he is").
func isContractedBe(t string) bool {
	for _, suffix := range []string{"'re", "'m"} {
		if len(t) > len(suffix) && strings.HasSuffix(t, suffix) {
			return true
		}
	}
	if w, ok := strings.CutSuffix(t, "'s"); ok {
		switch w {
		case "he", "she", "it", "that", "this":
			return true
		}
	}
	return false
}

// isWhWord reports a question word that can be a clause's subject.
func isWhWord(t string) bool {
	switch t {
	case "who", "what", "which":
		return true
	}
	return false
}

// isHarmDone reports an attack or the harm it did, which dismay at it
// grieves.
func isHarmDone(t string) bool {
	if isActNoun(t) {
		return true
	}
	switch t {
	case "killed", "slaughtered", "stabbed", "murdered", "massacred", "shot", "died", "deaths", "victims", "violence", "bloodshed":
		return true
	}
	return false
}

// isCausing reports a verb by which an attack brings something about
// ("the attack prompted a human chain in solidarity").
func isCausing(t string) bool {
	switch t {
	case "prompted", "sparked", "led", "drew", "brought", "inspired":
		return true
	}
	return false
}

// isAccountThreat reports a word after "holds X accountable for" that
// makes it a threat about what may come: "for any attack", "for the
// consequences", "for the safety of the hostages".
func isAccountThreat(t string) bool {
	switch t {
	case "any", "consequences", "whatever", "safety", "fate", "wellbeing", "well":
		return true
	}
	return false
}

// isShowing reports a word for showing solidarity rather than acting on it.
func isShowing(t string) bool {
	switch t {
	case "stood", "together", "outpouring", "expressed", "expressing":
		return true
	}
	return strings.HasPrefix(t, "stand") || strings.HasPrefix(t, "unit") || strings.HasPrefix(t, "message") || strings.HasPrefix(t, "condemn")
}

// isLabour reports a word of a labour strike.
func isLabour(t string) bool {
	switch t {
	case "workers", "dockers", "unions", "union", "staff", "employees", "staged", "called", "nationwide", "hour", "day":
		return true
	}
	return false
}

// isVictimWord reports a word for the people an attack hit.
func isVictimWord(t string) bool {
	switch t {
	case "victims", "victim", "families", "family", "relatives", "bereaved", "wounded", "injured", "survivors", "dead":
		return true
	}
	return false
}

// isGathering reports a word for people showing solidarity together or in
// public: a vigil, a rally, a march, a minute's silence, flags or armbands.
func isGathering(t string) bool {
	switch t {
	case "silence", "minute", "lit", "wore", "candles", "flags", "flag", "armbands":
		return true
	}
	return strings.HasPrefix(t, "vigil") || strings.HasPrefix(t, "rall") || strings.HasPrefix(t, "march") ||
		strings.HasPrefix(t, "gather") || strings.HasPrefix(t, "demonstrat") || strings.HasPrefix(t, "pray")
}

// isAttacking reports the forms of a verb of attacking, beyond isActVerb's,
// that causeSolidarity reads as an attack (some are actVerbs too).
func isAttacking(t string) bool {
	switch t {
	case "attacking", "attacks", "targeting", "targeted", "launched", "launching", "fired", "firing", "struck",
		"striking", "carrying", "conducting", "bombing", "hitting", "target", "targets", "hit", "hits", "fires", "launch",
		"launches", "shelled", "shelling", "seized", "seizing":
		return true
	}
	return false
}

// isCulpritSubject reports a word for culprits not named: "those
// responsible", "whoever did this", "the perpetrators".
func isCulpritSubject(t string) bool {
	switch t {
	case "those", "whoever", "anyone", "everyone", "responsible", "perpetrators", "perpetrator", "culprits",
		"culprit", "attackers", "killers", "all", "attacker", "killer", "gunmen", "gunman", "assailants", "assailant",
		"bomber", "bombers", "shooter", "hijackers":
		return true
	}
	return false
}
