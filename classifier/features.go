package classifier

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// FeatureConfig chooses the features the model extracts from a sentence.
// It is saved with the model, so a loaded model extracts what it was
// trained on. The zero value means "unigrams only".
type FeatureConfig struct {
	// Bigrams adds adjacent token pairs.
	Bigrams bool `json:"bigrams"`
	// Negation marks tokens in the scope of a negation ("not involved"
	// becomes a different feature from "involved").
	Negation bool `json:"negation"`
	// Clauses tags tokens inside relative clauses ("…, who claimed …,")
	// and fronted or comma-delimited subordinate and participial clauses
	// ("After …,", ", ignoring …,"), where a sentence's main claim rarely
	// sits, so their cue words count apart from the main clause's.
	Clauses bool `json:"clauses"`
	// Cues adds one feature per claim-cue family (blame, denial, warning,
	// sympathy) found in the main clause, and a stronger one for the first
	// such cue, which is most often the main verb.
	Cues bool `json:"cues"`
	// Shape adds features of the sentence's form: headline casing, quotes,
	// very short units.
	Shape bool `json:"shape"`
	// Binary counts a feature once per sentence however often it occurs.
	Binary bool `json:"binary"`
	// FirstCueWeight is how many times the first main-clause cue counts.
	FirstCueWeight int `json:"first_cue_weight"`
	// VerbCueWeight is how many times a second feature counts when the
	// first main-clause cue is a verb in the past tense ("warned",
	// "denied", "blamed"): the act of making the claim, reported, which
	// names the sentence's claim more surely than a noun ("the warning")
	// does. Models saved without it have 0.
	VerbCueWeight int `json:"verb_cue_weight"`
	// Names replaces words capitalised inside a sentence (names of people,
	// places, groups: what changes from one event to the next) with one
	// shared feature, counted once per sentence, so the model learns claims
	// rather than events and a sentence full of names does not outweigh
	// its claim. Bigrams keep the names.
	Names bool `json:"names"`
	// Complement scores each label by how badly its complement (all other
	// labels' counts) explains the sentence (Rennie et al., 2003), which is
	// steadier than plain multinomial NB when labels have unequal data.
	Complement bool `json:"complement"`
	// Stem reduces words to a crude stem ("blamed", "blames", "blaming" ->
	// "blam") for the word features, so an inflection seen once in training
	// counts for the others.
	Stem bool `json:"stem"`
	// allRules makes extract run every cue rule on every token, without
	// the shortcut mayCue allows; TestCueFastPath compares the two.
	allRules bool

	// OtherBias is added to the log prior of the OtherLabel label, if the
	// model has one. The training corpus holds far more claims than news
	// does, where most sentences make none; without a correction the model
	// finds claims in sentences that carry only their vocabulary.
	OtherBias float64 `json:"other_bias"`

	// Temperature divides a sentence's log scores before they become
	// probabilities; 0 counts as 1, naive Bayes's own posterior. It
	// changes no label, only how sure the model says it is. Naive Bayes
	// counts each piece of evidence as if it were independent of the
	// others, and these features overlap (a word, its pairs, its cue
	// family, the first cue weighted again), so its own probabilities
	// are near 0 or 1 even where it is often wrong; a temperature above 1
	// spreads them back so that a confidence of 0.8 is right about four
	// times in five. It is saved with the model; files of builds from
	// before it read as 0, except those of the default features (see
	// Load).
	Temperature float64 `json:"temperature"`
}

// maxCueWeight bounds FirstCueWeight and VerbCueWeight.
const maxCueWeight = 16

// MaxTemperature bounds FeatureConfig.Temperature: past it the
// probabilities of an ordinary sentence are all but uniform.
const MaxTemperature = 1000

// Validate reports, wrapping ErrBadConfig, a config no model can use: a
// cue weight outside 0 to 16, an OtherBias that is not a finite number,
// or a Temperature outside 0 to MaxTemperature.
func (fc FeatureConfig) Validate() error {
	switch {
	case fc.FirstCueWeight < 0 || fc.FirstCueWeight > maxCueWeight:
		return fmt.Errorf("%w: first-cue weight %d is outside 0 to %d", ErrBadConfig, fc.FirstCueWeight, maxCueWeight)
	case fc.VerbCueWeight < 0 || fc.VerbCueWeight > maxCueWeight:
		return fmt.Errorf("%w: verb-cue weight %d is outside 0 to %d", ErrBadConfig, fc.VerbCueWeight, maxCueWeight)
	case math.IsNaN(fc.OtherBias) || math.IsInf(fc.OtherBias, 0):
		return fmt.Errorf("%w: other bias %v is not a finite number", ErrBadConfig, fc.OtherBias)
	case !(fc.Temperature >= 0 && fc.Temperature <= MaxTemperature):
		return fmt.Errorf("%w: temperature %v is outside 0 to %d", ErrBadConfig, fc.Temperature, MaxTemperature)
	}
	return nil
}

// FeatureRevision numbers the feature extractor's behaviour. It goes up
// whenever a change to extraction (a cue rule, the tokens a word yields)
// makes the same sentence and FeatureConfig give different features. A
// saved model records the revision its counts were gathered with; models
// saved before revisions were recorded are revision 1.
// TestFeatureRevisionGolden fails when extraction changes without a bump.
const FeatureRevision = 17

// DefaultFeatures returns the feature set of the default model, chosen by
// error analysis and by scoring on real news the model was not trained on
// (see the README).
func DefaultFeatures() FeatureConfig {
	return FeatureConfig{
		Bigrams:        true,
		Negation:       true,
		Clauses:        true,
		Cues:           true,
		Shape:          true,
		Names:          true,
		Stem:           true,
		FirstCueWeight: 4,
		VerbCueWeight:  2,
		OtherBias:      5,
		Temperature:    6,
	}
}

// Feature kinds: the first byte hashed into every feature, and the prefix
// of its readable name.
const (
	kindWord     = 'w' // unigram in the main clause
	kindClause   = 'r' // unigram in a relative or subordinate clause
	kindNegated  = 'n' // unigram in a negation's scope
	kindBigram   = 'b' // adjacent pair
	kindCue      = 'c' // cue family in the main clause
	kindFirstCue = 'f' // first cue family in the main clause
	kindSubCue   = 's' // cue family in a relative or subordinate clause
	kindShape    = 'h' // form of the sentence
	kindClauseBi = 'q' // adjacent pair inside a relative or subordinate clause
	kindVerbCue  = 'v' // first cue family in the main clause, said by a past-tense verb
)

// fnvOffset and fnvPrime are the 64-bit FNV-1a parameters hashFeature uses.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hashFeature is a feature's 64-bit FNV-1a hash: its kind, then a, then
// (when b is not empty) a byte no UTF-8 text holds and b, so that the pair
// ("a b", "") and ("a", "b") hash apart.
func hashFeature(kind byte, a, b string) uint64 {
	h := uint64(fnvOffset)
	h ^= uint64(kind)
	h *= fnvPrime
	for i := 0; i < len(a); i++ {
		h ^= uint64(a[i])
		h *= fnvPrime
	}
	if b != "" {
		h ^= 0xff // cannot occur in UTF-8
		h *= fnvPrime
		for i := 0; i < len(b); i++ {
			h ^= uint64(b[i])
			h *= fnvPrime
		}
	}
	return h
}

// featureName is the readable name of a feature, e.g. "w:blamed" or
// "b:claimed responsibility".
func featureName(kind byte, a, b string) string {
	if b == "" {
		return string(kind) + ":" + a
	}
	return string(kind) + ":" + a + " " + b
}

// namer receives the name of every feature extracted; it is nil on the
// classification path, where names are not needed.
type namer func(h uint64, kind byte, a, b string)

// extract appends the features of one sentence to dst. raw is the sentence
// as given and toks its tokens.
func (fc *FeatureConfig) extract(dst []uint64, raw string, toks []string, name namer) []uint64 {
	toks = normalizeTokens(toks)
	if n := datelineEnd(raw); n > 0 {
		// "CAIRO (Reuters) — The ministry said…": the dateline is page
		// furniture; its words say nothing of the claim that follows.
		// Its tokens are those whose bytes add up to its own, less
		// spaces; if none do (a normalizer changed a character), it stays.
		want := nonSpaceBytes(raw[:n])
		k, got := 0, 0
		for ; k < len(toks) && got < want; k++ {
			got += len(toks[k])
		}
		if got == want && k < len(toks) {
			toks = toks[k:]
			raw = raw[n:]
		}
	}
	start := len(dst)
	emit := func(kind byte, a, b string) {
		h := hashFeature(kind, a, b)
		dst = append(dst, h)
		if name != nil {
			name(h, kind, a, b)
		}
	}
	const (
		regionMain = iota
		regionClause
	)
	region := regionMain
	negLeft := 0
	// negSpent records that a cue in the negation's scope has taken the
	// negation for itself (a claim or warning nobody made), so that a
	// later act word in it is that claim's object, not an act denied.
	negSpent := false
	firstCue, firstCueAt := cueNone, -1
	claimAt := -1 // the first claim noun of the main clause
	coordAt := -1 // the last "but", "and" or ";" of the main clause
	namesSeen := false
	var seenCue [len(cueNames)]bool
	headline := isHeadline(raw)
	commas := strings.Count(raw, ",")
	isList := commas >= 4 && commas*4 >= len(toks)
	credit := isCredit(raw, len(toks))
	// A title in sentence case ("Survivors say army drone hit market")
	// has no closing punctuation either; it gets the headline rules but
	// keeps its names.
	titled := headline || untitledHeadline(raw, len(toks))
	var names nameSet
	if fc.Names && !headline {
		names = capitalisedWords(raw)
	}
	prev := ""
	// A pair of dashes sets off a parenthetical ("– a claim Kyiv denies –"),
	// which is a clause of its own. A dash after a dateline ("RIGA, Latvia
	// —") opens none.
	dashOpen, dashClose := -1, -1
	if fc.Clauses {
		for i, t := range toks {
			if !isDash(t) || i < 4 {
				continue
			}
			if dashOpen < 0 {
				dashOpen = i
			} else if i-dashOpen <= 16 {
				dashClose = i
				break
			} else {
				dashOpen = i
			}
		}
	}
	appos := false                           // inside an appositive that interrupts a clause
	prevRegion, lastRegion := region, region // the region before the last comma
	for i, t := range toks {
		lex := lexicon.entry(t)
		if fc.Clauses {
			if t == "," {
				prevRegion = lastRegion
			}
			switch {
			case dashClose > 0 && i == dashOpen:
				region = regionClause
			case dashClose > 0 && i == dashClose:
				region = regionMain
			case dashClose > 0 && i > dashOpen && i < dashClose:
				// inside the parenthetical until its closing dash
			case t == "," && appos:
				region, appos = regionClause, false // the clause resumes: "…, many of them children, died"
			case isClauseBreak(t):
				region = regionMain
			case prev == "," && prevRegion == regionClause && isQuantifier(t):
				region, appos = regionClause, true // "in which 320 hostages, many of them children, died"
			case t == "that" && firstCue != cueNone && behindInClause(toks, i, 3, isClaimNoun):
				region = regionClause // "denied allegations that it was responsible": what the claim says
			case t == "that" && i > 0 && i+1 < len(toks) && isEventVerb(toks[i+1]):
				region = regionClause // "the blast that killed six": a relative clause
			case lex.flags&flagRelativizer != 0 && i > 0:
				region = regionClause
			case lex.flags&flagSubordinator != 0 && (i == 0 || prev == ","):
				region = regionClause
			case region == regionMain && i > 3 && midSub(t) && (firstCue != cueNone || t != "when" && t != "while" && t != "before"):
				region = regionClause
			case t == "whether":
				region = regionClause // "asked whether Iran was involved": a question, not a claim
			case prev == "," && len(t) > 4 && strings.HasSuffix(t, "ing"):
				region = regionClause // ", ignoring the warning,"
			case prev == "," && len(t) > 4 && strings.HasSuffix(t, "ed") && i+1 < len(toks) && toks[i+1] == "by":
				region = regionClause // ", orchestrated by gunmen,"
			case prev == "instead" && len(t) > 4 && strings.HasSuffix(t, "ing"):
				region = regionClause // "instead focusing on blaming"
			}
		}
		if fc.Negation {
			if isClauseBreak(t) || isQuote(t) {
				negLeft = 0
			}
		}
		lastRegion = region
		kind := byte(kindWord)
		switch {
		case region == regionClause:
			kind = kindClause
		case negLeft > 0:
			kind = kindNegated
		}
		// An attacker's "in solidarity" is another sense of the word than
		// sympathy: its word and word pairs are features of their own.
		motive := fc.Cues && t == "solidarity" && causeSolidarity(toks, i)
		pair := t // the token in word pairs
		if motive {
			pair = motiveSolidarity
		}
		word := pair
		stop := false
		if names.has(t) {
			word = "<name>"
			if namesSeen {
				stop = true
			}
			namesSeen = true
		} else if fc.Stem && !motive {
			word = stem(t)
		}
		stop = stop || lex.flags&flagStopword != 0
		if word != t && word != "<name>" && !motive {
			stop = len(word) <= maxStopwordLen && lexicon.entry(word).flags&flagStopword != 0
		}
		if !stop {
			emit(kind, word, "")
		}
		if fc.Bigrams && prev != "" {
			if region == regionClause {
				emit(kindClauseBi, prev, pair)
			} else {
				emit(kindBigram, prev, pair)
			}
		}
		c := cueNone
		if fc.Cues {
			c = cueOfEntry(t, lex)
		}
		if fc.Cues && (fc.allRules || mayCue(t, lex, c, negLeft)) {
			claimed := false
			if c == cueNone && lex.flags&flagClaim != 0 && (titled && (t == "claim" || t == "claims") || claimsAct(toks, i)) {
				// "Militants Claim Hotel Siege", "the group claimed the
				// bombing": a claim of responsibility. "No group has
				// claimed the attack" is none, not a denial.
				c, claimed = cueBlame, true
			}
			if lex.flags&flagEvidence != 0 && (!(negLeft > 0 || i >= 2 && (toks[i-2] == "lack" || toks[i-2] == "absence")) || evidenceHedge(toks, i)) {
				// "evidence pointed to": only "no evidence" denies, and not
				// the reporter's "blamed Kyiv without offering evidence".
				c = cueNone
			}
			if c == cueDeny && strings.HasPrefix(t, "reject") && aheadInClause(toks, i, 5, isViolence) {
				c = cueNone // "rejects this barbaric violence": a condemnation, not a denial
			}
			if c == cueDeny && t == "denial" && i+2 < len(toks) && toks[i+1] == "-" && toks[i+2] == "of" {
				c = cueNone // "denial-of-service attack"
			}
			if c == cueDeny && (t == "lies" || t == "lie") && i+1 < len(toks) && toks[i+1] == "with" {
				c = cueNone // "the responsibility lies with Yerevan"
			}
			if noComment(toks, i) || c == cueDeny && claimOrDeny(toks, i) {
				// "declined to comment", "would not confirm", "neither
				// confirmed nor denied": no claim, whatever follows.
				c = cueNoComment
			}
			switch {
			case c == cueScorn:
				c = cueNone
				if scornsClaim(toks, i) {
					c = cueDeny // "slammed the assertion", "mocked claims"
				}
			case c != cueNone:
			case negLeft > 0 && lex.flags&flagLink != 0:
				c = cueDeny // "was not linked to", "has no connection with"
			case negLeft > 0 && t == "aware":
				// The negation is the awareness's: "not aware of the attack
				// until it was reported" denies no attack.
				negSpent = true
				if awareOfAct(toks, i) {
					c = cueDeny // "said it was not aware of the operation"
				}
			case negLeft == 0 && t == "unaware" && awareOfAct(toks, i):
				c = cueDeny // "remains unaware of any connection"
			case t == "appalled" && negLeft == 0 && appalledByHarm(toks, i):
				c = cueSympathy // "appalled by the attack", "appalled that Rushdie was stabbed"; not "appalled by his remarks"
			case negLeft > 0 && t == "forget" && i > 0 && toks[i-1] == "never" && remembers(toks, i):
				c = cueSympathy // "we will never forget them"; not "a lesson they will never forget"
			case (t == "linked" || t == "tied") && i >= 1 && (isBe(toks[i-1]) || i >= 2 && isBe(toks[i-2])) && i+1 < len(toks) && toks[i+1] == "to":
				c = cueBlame // "the group has been linked to the attacks"
			case negLeft == 0 && lex.flags&flagFrame != 0 && ruledOut(toks, i):
				c = cueDeny // "police ruled out terrorism"
			case negLeft > 0 && !negSpent && deniesTerror(toks, i):
				c = cueDeny // "the stabbing was not an act of terrorism", "he's not a terrorist"
			case negLeft > 0 && !negSpent && isActVerb(t):
				// "we did not attack", "have never undertaken any attacks";
				// not the object of a negated claim or warning ("did not
				// claim the attack", "received no warning before the
				// attack")
				c = cueDeny
			case (strings.HasPrefix(t, "divert") || strings.HasPrefix(t, "deflect")) && aheadInClause(toks, i, 3, func(t string) bool { return t == "attention" }):
				c = cueDeny // "an attempt to divert attention from"
			case lex.flags&flagPersuade != 0 && persuadeFrame(toks, i):
				c = cueDeny // "they are trying to make us think that…"
			case lex.flags&flagVague != 0 && i > 0 && toks[i-1] == "too":
				c = cueDeny // "too vague to act on"
			case (strings.HasPrefix(t, "distanc") || strings.HasPrefix(t, "dissociat") || strings.HasPrefix(t, "disassociat")) && i+1 < len(toks) && isReflexive(toks[i+1]),
				(t == "distanced" || t == "distancing") && aheadInClause(toks, i, 4, func(t string) bool { return t == "from" }):
				c = cueDeny // "the cartel distanced itself from the attack", "distanced the group from the bombing"
			case strings.HasPrefix(t, "reserv") && i+2 < len(toks) && toks[i+1] == "the" && toks[i+2] == "right":
				c = cueWarn // "reserves the right to respond"
			case (t == "stand" || t == "stands" || t == "stood" || t == "standing") && i+1 < len(toks) && toks[i+1] == "with":
				c = cueSympathy // "we stand with the people of Pakistan"
			case strings.HasPrefix(t, "defend") && aheadInClause(toks, i, 6, isCriticism):
				c = cueDeny // "defended himself against accusations", "defends rhetoric after critics point fingers"
			case (t == "orders" || t == "order") && onOrders(toks, i):
				c = cueBlame // "was poisoned on Putin's orders", "acting on orders from Tehran"
			case (t == "pay" || t == "price") && payThreat(toks, i):
				c = cueWarn // "will pay a heavy price"
			}
			if (c == cueWarn && strings.HasPrefix(t, "vow") || c == cueNone && strings.HasPrefix(t, "pledg")) && vowsSupport(toks, i) {
				c = cueSympathy // "NATO vows support", "vowed to stand with France", "pledges to stand by Lebanon"
			}
			if c == cueNone && (t == "more" || t == "further") && moreAttacks(toks, i) {
				c = cueWarn // "warned of more attacks", "would be followed by further attacks"
			}
			if c == cueNone && strings.HasPrefix(t, "admit") && !(i > 0 && isBe(toks[i-1])) {
				c = cueBlame // "the Dane has admitted he killed five", "Iran admitted shooting down the plane"
				if negatedBefore(toks, i) {
					c = cueNoComment // "has not admitted responsibility": no claim
				}
			}
			if c == cueNone && t == "innocent" && i > 0 && isBe(toks[i-1]) && (i+1 == len(toks) || isClauseBreak(toks[i+1]) || isQuote(toks[i+1]) || toks[i+1] == "and" || toks[i+1] == "of") {
				c = cueDeny // "we are innocent", "said he was innocent and"; not "were innocent civilians"
			}
			if c == cueNone && lex.flags&flagAttacker != 0 {
				switch {
				case i >= 2 && (toks[i-2] == "not" || toks[i-2] == "never" || strings.HasSuffix(toks[i-2], "n't")) && (toks[i-1] == "the" || toks[i-1] == "a"):
					c = cueDeny // "Nemmouche is not the killer"
				case behindInClause(toks, i, 6, isNaming) || namedAfter(toks, i):
					c = cueBlame // "has been named as the Liverpool bomber", "identified the gunman as", "the gunman was identified as"
				}
			}
			if c == cueNone && (t == "suspect" || t == "suspects" || t == "terrorist" || t == "terrorists") && namedAfter(toks, i) {
				c = cueBlame // "the suspect was identified as", "the slain terrorist was named as"
			}
			if c == cueNone && (t == "charges" || t == "charge") && behindInClause(toks, i, 4, isChargeVerb) {
				c = cueBlame // "police have pressed charges against 23 people", "faces charges of murder"
			}
			if c == cueNone && (t == "motive" || t == "motives" || t == "background" || t == "motivation") && behindInClause(toks, i, 3, isIdeology) {
				c = cueBlame // "had a radical Islamist motive", "a jihadist background to the act"
			}
			if c == cueNone && t == "respects" && behindInClause(toks, i, 3, func(t string) bool { return t == "pay" || t == "pays" || t == "paid" || t == "paying" }) {
				c = cueSympathy // "paid their respects"
			}
			if c == cueNone && strings.HasPrefix(t, "suspicion") && suspicionFalls(toks, i) {
				c = cueBlame // "suspicion fell on the Taliban", "suspicion is likely to centre on militants"
			}
			if c == cueNone && (t == "suspect" || t == "suspects") && namedSuspect(toks, i) {
				c = cueBlame // "Zarqawi is a prime suspect", "named as the main suspect", "were the main suspects"
			}
			if c == cueNone && isGrounds(t) && i > 0 && (toks[i-1] == "no" || negLeft > 0 && toks[i-1] == "any") && groundsOfClaim(toks, i) {
				c = cueDeny // "no signs of foreign interference", "have not found any indications suggesting that he was inspired by"
			}
			if c == cueNone && (t == "threat" || t == "threats") && i+1 < len(toks) && (toks[i+1] == "level" || toks[i+1] == "levels") &&
				!aheadInClause(toks, i, 6, isLowered) && !behindInClause(toks, i, 3, isLowered) {
				c = cueWarn // "the threat level was raised", not "was lowered"
			}
			if c == cueNone && strings.HasPrefix(t, "punish") && punishThreat(toks, i) {
				c = cueWarn // "those responsible will be punished"
			}
			frame := lex.flags&flagFrame != 0
			if c == cueNone && frame && modalThreat(toks, i) {
				c = cueWarn // "Russia could attack at any time", "Iran will respond"
			}
			if c == cueNone && frame && responseThreat(toks, i) {
				c = cueWarn // "a befitting reply", "attacks will continue"
			}
			if c == cueNone && t == "credit" && i > 0 && (strings.HasPrefix(toks[i-1], "tak") || toks[i-1] == "took" || lexicon.entry(toks[i-1]).flags&flagClaim != 0) {
				c = cueBlame // "Islamists take credit for train bombing"
			}
			if c == cueWarn && i > 0 && (strings.HasPrefix(t, "retaliat") || t == "revenge" || t == "vengeance" || t == "retribution") &&
				(toks[i-1] == "in" || toks[i-1] == "as" || (toks[i-1] == "was" || toks[i-1] == "were" || toks[i-1] == "been") && i+1 < len(toks) && toks[i+1] == "for") {
				// "fired in retaliation for", "as revenge for", "may have
				// been retribution for": the motive of a past act; not
				// "there will be retribution for"
				c = cueNone
			}
			if c == cueWarn && (t == "retaliated" || t == "retaliates" || t == "retaliatory" && !behindInClause(toks, i, 6, isProspect) && !aheadInClause(toks, i, 8, isModal)) {
				// "Pakistan retaliates with strikes", "retaliatory
				// airstrikes killed 12": a reply made; not "demanded
				// retaliatory strikes", "bracing for a possible
				// retaliatory strike", "retaliatory bombings cannot be
				// ruled out"
				c = cueNone
			}
			if c == cueDeny && strings.HasPrefix(t, "blackmail") && !behindInClause(toks, i, 12, isCalling) && !verdictBe(toks, i) {
				c = cueNone // "attempted blackmail", "a blackmail letter": extortion, not "called the warning blackmail"
			}
			if c == cueWarn && strings.HasPrefix(t, "threat") && i >= 2 && toks[i-1] == "-" && toks[i-2] == "life" {
				c = cueNone // "her injuries are not life-threatening": a casualty's state, not a threat
			}
			if c == cueWarn && strings.HasPrefix(t, "urg") && callsForCalm(toks, i) {
				c = cueNone // "urged all states to cooperate": a call, not a warning
			}
			if c == cueBlame && t == "involved" && i+1 < len(toks) && isDeterminer(toks[i+1]) {
				c = cueNone // "the incident involved two drones": included, not implicated
			}
			if c == cueNone && strings.HasPrefix(t, "perpetrator") && (i > 0 && toks[i-1] == "as" || i > 1 && toks[i-2] == "as" && toks[i-1] == "the") {
				c = cueBlame // "identified as the perpetrators"
			}
			if c == cueBlame && (strings.HasPrefix(t, "responsib") || t == "credit") && (unclaimed(toks, i) || claimedAheadNegated(toks, i)) {
				// "no group has yet claimed responsibility", "there was no
				// claim of responsibility", "responsibility has not been
				// claimed": no claim, and no denial
				c = cueNoComment
			}
			if c == cueBlame && (i > 0 && (toks[i-1] == "those" || toks[i-1] == "whoever" || toks[i-1] == "everyone" || toks[i-1] == "anyone") ||
				i > 1 && toks[i-2] == "whoever") {
				c = cueNone // "bring those responsible to justice"
			}
			if c == cueBlame && (strings.HasPrefix(t, "culprit") || t == "masterminds" || t == "mastermind") && pursued(toks, i) {
				c = cueNone // "hunt down the culprits", "tracking the attack's masterminds"
			}
			if c == cueBlame && strings.HasPrefix(t, "responsib") && ownSafety(toks, i) {
				c = cueNone // "take responsibility for their own security"
			}
			if c == cueBlame && i+1 < len(toks) && toks[i+1] == "game" {
				c = cueNone // "the blame game"
			}
			if c == cueBlame && t == "behind" && i > 0 && (strings.HasPrefix(toks[i-1], "rall") || strings.HasPrefix(toks[i-1], "stand") || toks[i-1] == "stood" || toks[i-1] == "united") {
				c = cueSympathy // "rally behind", "stand behind"
			}
			if c == cueSympathy && t == "sorry" && negLeft > 0 {
				c = cueNone // "Russia said it was not sorry for the strike"
			}
			if c == cueSympathy && strings.HasPrefix(t, "pray") && !prayerFor(toks, i) {
				c = cueNone // "during evening prayers": the rite, not a prayer for the victims
			}
			if c == cueBlame && (t == "involved" || t == "responsible") && i >= 1 && isPartyNoun(toks[i-1]) {
				c = cueNone // "the gunmen involved are dead": who, not a claim
			}
			if c == cueBlame && (t == "behind" && !titled && !behindAct(toks, i) || t == "carried" && !carriedOutBy(toks, i)) {
				c = cueNone // "the grave behind the church", "the coffin was carried"
			}
			if c == cueNone && t == "support" && (i >= 2 && toks[i-1] == "of" && strings.HasPrefix(toks[i-2], "message") ||
				aheadInClause(toks, i, 3, func(t string) bool { return strings.HasPrefix(t, "pour") })) {
				c = cueSympathy // "messages of support", "support pours in"
			}
			if c == cueNone && (t == "families" || t == "relatives" || t == "bereaved") && visitsFamilies(toks, i) {
				c = cueSympathy // "Biden spoke with the families of the victims"
			}
			if c == cueNone && t == "advice" && i > 0 && (toks[i-1] == "travel" || toks[i-1] == "safety") && behindInClause(toks, i-1, 3, isAdviceChange) {
				c = cueWarn // "updated its travel advice"; not "our travel advice reflects"
			}
			if c == cueNone && hardTimes(toks, i) {
				c = cueSympathy // "we stand with you at this difficult time", "in these dark hours"
			}
			if c == cueSympathy && motive {
				c = cueNone // "are conducting the attacks in solidarity with Palestinians": a motive, not sympathy
			}
			if c == cueNone && negLeft == 0 && (t == "accountable" || t == "account" && i > 0 && toks[i-1] == "to") && holdsToAccount(toks, i) {
				c = cueBlame // "Israel holds Iran accountable for the incident"; not "will hold those responsible accountable"
			}
			if c == cueNone && frame && passiveAgent(toks, i) {
				c = cueBlame // "the attacks were planned by", "was shot down by"
			}
			if c == cueNone && frame && region == regionMain && names.n > 0 && reportedAct(toks, i, &names) {
				c = cueBlame // "Russia said Ukraine launched the attack"
			}
			if c == cueNone && frame && offerOfHelp(toks, i, titled) {
				c = cueSympathy // "offered full support", "will help"
			}
			if t == "claimed" && !claimed && (c == cueNone || c == cueBlame) && negatedAux(toks, i) {
				c = cueNoComment // "the attack has not been claimed by any group", "has not yet been claimed"
			}
			if claimed && negatedAcrossAside(toks, i) {
				c = cueNoComment // "no group or individual has claimed the attack", "no group has, as yet, claimed the bombing": no claim
			} else if claimed && negLeft > 0 {
				c = cueNone // "without naming those it claimed were behind it"
			}
			if c == cueWarn && negLeft > 0 && !threatInNegation(t) {
				c, negSpent = cueNone, true // "they had received no warning"
			}
			if c == cueBlame && unsaid(toks, i) {
				c = cueNoComment // "no one has come forward to say they carried out the attack", "no group has said it was behind it"
			}
			if c == cueBlame && (negLeft > 0 && accusesNone(toks, i) || shortOf(toks, i)) {
				// "the US had not blamed anyone", "has not yet assigned
				// blame", "stopped short of blaming Moscow": no claim, and
				// no denial
				c = cueNoComment
			}
			if c == cueBlame && (negLeft > 0 || smearFrame(toks, i)) {
				// "was not involved", "no responsibility", "they are trying
				// to blame us": blame words that deny.
				c = cueDeny
			}
			if c == cueNoComment && negLeft > 0 {
				negSpent = true // "did not claim the attack": the negation is the claim's
			}
			// A participle that runs to the end of the sentence (",
			// blaming Kyiv.") carries the subject's claim: its cue counts
			// as the main clause's.
			mainCue := region == regionMain || (prev == "," && c != cueNone && c != cueNegation && strings.HasSuffix(t, "ing") && trailing(toks, i))
			if c != cueNone {
				if mainCue {
					if !seenCue[c] {
						seenCue[c] = true
						emit(kindCue, cueNames[c], "")
					}
					if (firstCue == cueNone && c != cueNegation) || (c == cueNoComment && firstCueAt == i-2) {
						// "refused to comment": the frame replaces "refused".
						firstCue, firstCueAt = c, i
					} else if c == cueDeny && firstCue != cueDeny && claimAt >= 0 && claimAt <= firstCueAt {
						// "The accusations are groundless", "the claim
						// that the group was responsible was dismissed":
						// the blame is what the claim says, and the
						// denial is the sentence's.
						firstCue, firstCueAt = c, i
					} else if c == cueDeny && firstCue == cueBlame && coordAt < firstCueAt && reducedAccusation(toks, firstCueAt) && pleaOf(toks, firstCueAt, i) {
						// "The man accused of the bombing pleaded not
						// guilty": the accusation only names the subject,
						// and the plea is the sentence's claim.
						firstCue, firstCueAt = c, i
					} else if firstCue == cueNoComment && c != cueNegation && c != cueNoComment && coordAt > firstCueAt {
						// "No one has claimed the attack, but officials
						// blamed the cell": the claim is after "but".
						firstCue, firstCueAt = c, i
					}
				} else {
					emit(kindSubCue, cueNames[c], "")
				}
			}
		}
		if (t == "but" || t == "and" || t == ";") && region == regionMain {
			coordAt = i
		}
		if claimAt < 0 && region == regionMain && lex.flags&flagClaimNoun != 0 {
			claimAt = i
		}
		if negLeft > 0 {
			negLeft--
		}
		if fc.Negation && (lex.flags&flagNegator != 0 || strings.HasSuffix(t, "n't")) && !(i+1 < len(toks) && toks[i+1] == "only") && !advisoryNot(toks, i) {
			// A negator that is itself a no-claim ("said nothing to
			// reporters") has spent its negation already.
			negLeft, negSpent = 4, c == cueNoComment
			if i+1 < len(toks) && isGrounds(toks[i+1]) {
				negLeft = 8 // "no reason to believe Israel was responsible"
			}
		}
		prev = pair
	}
	if fc.Shape {
		if len(toks) <= 4 {
			emit(kindShape, "short", "")
		}
		if titled {
			emit(kindShape, "headline", "")
		}
		if strings.HasSuffix(strings.TrimRight(raw, " \"”'’"), "?") {
			emit(kindShape, "question", "")
		}
		if isList {
			emit(kindShape, "list", "") // a tag or keyword line
		}
		if credit {
			emit(kindShape, "credit", "") // a byline or reporting credit
		}
		first, _ := utf8.DecodeRuneInString(raw)
		if first == '"' || first == '“' || first == '«' || first == '‘' {
			emit(kindShape, "opens-quote", "")
		} else if hasQuote(raw) {
			emit(kindShape, "has-quote", "")
		}
	}
	if fc.Binary {
		dst = dedupe(dst, start)
	}
	// The first cue is added after deduplication: it is weighted by
	// repetition. A tag or keyword line ("attack, condolences, NATO, ...")
	// has no main clause, so none of its cues is a claim.
	if firstCue != cueNone && !isList && !credit {
		for k := 0; k < fc.FirstCueWeight; k++ {
			emit(kindFirstCue, cueNames[firstCue], "")
		}
		if pastVerb(toks, firstCueAt) {
			for k := 0; k < fc.VerbCueWeight; k++ {
				emit(kindVerbCue, cueNames[firstCue], "")
			}
		}
	}
	return dst
}

// dedupe removes repeated hashes from dst[start:] in place, keeping the
// first occurrence. Most sentences are short, and a scan of what is kept
// beats a map there; past dedupeScan features a map keeps a long sentence
// linear.
func dedupe(dst []uint64, start int) []uint64 {
	if len(dst)-start > dedupeScan {
		seen := make(map[uint64]struct{}, len(dst)-start)
		out := start
		for _, h := range dst[start:] {
			if _, dup := seen[h]; !dup {
				seen[h] = struct{}{}
				dst[out] = h
				out++
			}
		}
		return dst[:out]
	}
	out := start
	for i := start; i < len(dst); i++ {
		h := dst[i]
		dup := false
		for j := start; j < out; j++ {
			if dst[j] == h {
				dup = true
				break
			}
		}
		if !dup {
			dst[out] = h
			out++
		}
	}
	return dst[:out]
}

// dedupeScan is the most features dedupe scans for repeats.
const dedupeScan = 256
