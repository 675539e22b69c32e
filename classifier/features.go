package classifier

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode"
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

// cue families.
const (
	cueNone = iota
	cueBlame
	cueDeny
	cueWarn
	cueSympathy
	cueNegation
	cueNoComment
	// cueScorn marks words of scorn ("slammed", "mocked"), which deny only
	// when aimed at a claim; extract resolves it to cueDeny or cueNone.
	cueScorn
)

var cueNames = [...]string{"", "blame", "deny", "warn", "sympathy", "negation", "nocomment", "scorn"}

// cueLexicon lists the words of each cue family. An entry ending in '*' is
// a prefix ("blam*" matches "blamed", "blaming"); others match whole
// tokens only. Words used as often outside claims as in them ("support",
// "help", "claimed") are left out: their unigrams speak for themselves.
var cueLexicon = map[int][]string{
	cueBlame: {
		"blam*", "accus*", "responsib*", "culprit*", "perpetrat*", "orchestrat*", "mastermind*",
		"behind", "attribut*", "implicat*", "fingerprints", "sponsor*", "guilty", "convict*",
		"charged", "indict*", "confess*", "involvement", "involved", "complicit*", "plotted",
		"carried", "traced", "hallmark*", "scapegoat*", "finger", "fingers", "fault", "sentenced",
	},
	cueDeny: {
		"deni*", "deny*", "reject*", "dismiss*", "refut*", "rebuff*", "rebut*", "absurd*",
		"baseless", "groundless", "unfounded", "nonsense", "false*", "fabricat*", "lie", "lies",
		"lying", "propaganda", "slander*", "fake", "ridiculous", "rubbish", "provocation*",
		"disinformation", "smear*", "fairy", "untrue", "preposterous", "staged",
		"libel*", "fiction", "nothing", "evidence", "proof", "trace", "traces", "blackmail", "refus*", "ignor*", "farce", "hoax",
		"hoaxes", "myth", "myths", "fantasy", "fantasies", "innocence", "unsubstantiated",
		"defam*", "concoct*", "untenable", "bogus", "nonsensical", "fictitious", "misleading", "distort*",
		"retract*", "fallac*", "debunk*", "inaccurat*", "illogical", "erroneous*",
	},
	cueWarn: {
		"warn*", "threaten*", "alert*", "advisory", "advisories", "advis*", "vigilan*", "caution*",
		"imminent", "vow*", "retaliat*", "retribution", "unpunished", "unavenged", "evacuat*", "revenge", "avenge", "vengeance", "precaution*", "reprisal*",
		"heightened", "suspicious", "urge", "urged", "urges", "urging",
	},
	cueSympathy: {
		"condolenc*", "condole*", "sympath*", "mourn*", "solidarity", "sadden*", "grief",
		"griev*", "pray*", "tribute*", "vigil*", "shock*", "horrified", "heartbroken", "hearts",
		"thoughts", "sorrow*", "compassion*", "flowers", "candle*", "devastated", "sad", "saddest",
		"half-mast", "armbands", "anguish*", "stunned", "dismayed", "heartache", "heartbreak", "sorry", "sadness", "pained",
	},
	cueNegation: {"not", "never", "no"},
	cueScorn:    {"discount*", "disput*", "scorn*", "criticis*", "criticiz*", "question*", "contradict*", "doubt*", "downplay*", "fend*", "fended", "slam*", "mock*", "ridicul*", "scoff*", "lambast*", "derid*", "laugh*", "irresponsible", "wild", "politicised", "politicized"},
}

// maxStopwordLen is the length in bytes of the longest stopword.
const maxStopwordLen = 5

// Word classes in lexEntry.flags.
const (
	flagRelativizer = 1 << iota
	flagSubordinator
	flagNegator
	flagStopword
	flagClaim     // "claim", "claimed": maybe a claim of responsibility
	flagEvidence  // "evidence", "proof": deny only when there is none
	flagPersuade  // "convince", "make": maybe "trying to make us think"
	flagLink      // "linked", "ties": deny when negated
	flagVague     // "vague", "general": deny after "too"
	flagNoCue     // a word a cue prefix would match but that is no cue ("adviser")
	flagClaimNoun // "claim", "allegation": what a denial rejects
	flagFrame     // a word some frame rule starts on ("respond", "planned", "help")
	flagRule      // a word another cue rule starts on ("stand", "credit", "comment")
	flagAct       // an actVerbs verb ("launched", "fired"): reportedAct may blame
	flagAttacker  // an attackerNouns noun ("bomber", "gunman"): blamed when named

	// quietFlags are the classes no cue rule starts on.
	quietFlags = flagRelativizer | flagSubordinator | flagStopword
)

// lexEntry is what the feature extractor knows about a whole word: its cue
// family (cueNone if it is not a cue word) and its classes.
type lexEntry struct {
	cue   int8
	flags uint16
}

// prefixCue is a cue stem ("blam" of "blam*").
type prefixCue struct {
	stem string
	cue  int
}

// lexiconTable indexes cueLexicon and the word lists so that a token costs
// one map lookup, plus one for prefix cues.
type lexiconTable struct {
	words map[string]lexEntry
	// heads holds the stems by their first two bytes (headKey), longest
	// first, so that the longest matching stem wins.
	heads [headKeys][]prefixCue
	// slots holds words again, for entry (see buildSlots).
	slots []lexSlot
	mask  uint32
}

// headKeys is the number of keys headKey returns.
const headKeys = 27 * 27

// headKey files a word or stem by its first two bytes: a pair of ASCII
// lower-case letters has a key of its own, and everything else shares
// key 0. A stem shorter than two bytes would match words under many keys,
// so the lexicon has none (TestLexiconStems).
func headKey(w string) int {
	if len(w) < 2 || w[0] < 'a' || w[0] > 'z' || w[1] < 'a' || w[1] > 'z' {
		return 0
	}
	return int(w[0]-'a'+1)*27 + int(w[1]-'a'+1)
}

func newLexicon() *lexiconTable {
	t := &lexiconTable{words: map[string]lexEntry{}}
	for fam, ws := range cueLexicon {
		for _, w := range ws {
			if p, ok := strings.CutSuffix(w, "*"); ok {
				k := headKey(p)
				t.heads[k] = append(t.heads[k], prefixCue{p, fam})
			} else {
				e := t.words[w]
				e.cue = int8(fam)
				t.words[w] = e
			}
		}
	}
	for _, ps := range &t.heads {
		slices.SortFunc(ps, func(a, b prefixCue) int {
			if c := cmp.Compare(len(b.stem), len(a.stem)); c != 0 {
				return c
			}
			return strings.Compare(a.stem, b.stem)
		})
	}
	classes := []struct {
		flag  uint16
		words []string
	}{
		{flagRelativizer, relativizers},
		{flagSubordinator, subordinators},
		{flagNegator, negators},
		{flagStopword, stopwords},
		{flagClaim, []string{"claim", "claims", "claimed", "claiming"}},
		{flagEvidence, []string{"evidence", "proof", "trace", "traces"}},
		{flagPersuade, []string{"convince", "persuade", "make"}},
		{flagLink, []string{"linked", "link", "links", "related", "connected", "connection", "connections", "ties", "tied", "role", "proven", "proved", "substantiated", "true", "credible", "accurate"}},
		{flagVague, []string{"vague", "general", "unspecific", "imprecise", "sketchy"}},
		{flagClaimNoun, claimNouns},
		{flagFrame, frameWords},
		{flagFrame | flagAct, actVerbs},
		{flagRule, ruleWords},
		{flagAttacker, attackerNouns},
		{flagNoCue, []string{"perpetrator", "perpetrators", "adviser", "advisers", "advisor", "advisors", "shockwaves", "vigilantes"}},
	}
	for _, c := range classes {
		for _, w := range c.words {
			e := t.words[w]
			e.flags |= c.flag
			t.words[w] = e
		}
	}
	t.buildSlots()
	return t
}

// lexSlot is one slot of lexiconTable.slots: a word and its entry, or
// empty.
type lexSlot struct {
	word  string
	entry lexEntry
}

// buildSlots fills slots from words: open addressing with linear probing
// at a load of at most one in eight, so a word that is not in the table,
// which is most tokens, is usually rejected by its first slot.
func (t *lexiconTable) buildSlots() {
	n := 8
	for n < 8*len(t.words) {
		n *= 2
	}
	t.slots = make([]lexSlot, n)
	t.mask = uint32(n - 1)
	words := slices.Sorted(maps.Keys(t.words))
	for _, w := range words {
		i := lexHash(w) & t.mask
		for t.slots[i].word != "" {
			i = (i + 1) & t.mask
		}
		t.slots[i] = lexSlot{w, t.words[w]}
	}
}

// lexHash mixes a word's length with three of its bytes: enough to spread
// the lexicon's few hundred words, and cheaper than hashing every byte.
func lexHash(w string) uint32 {
	n := len(w)
	if n == 0 {
		return 0
	}
	h := uint32(n)*0x9e3779b1 ^ uint32(w[0])*0x85ebca6b ^ uint32(w[n-1])*0xc2b2ae35 ^ uint32(w[n/2])*0x27d4eb2f
	return h ^ h>>15
}

// entry returns what the lexicon knows about w: the zero lexEntry for a
// word it does not hold. It reads slots, not words, which is faster for
// the many tokens that are not in it.
func (t *lexiconTable) entry(w string) lexEntry {
	if w == "" {
		return lexEntry{}
	}
	for i := lexHash(w) & t.mask; ; i = (i + 1) & t.mask {
		sl := &t.slots[i]
		if sl.word == "" {
			return lexEntry{}
		}
		if sl.word == w {
			return sl.entry
		}
	}
}

// lexicon is the package's word table, built once from cueLexicon and the
// word lists; it is never modified after.
var lexicon = newLexicon()

// cueOf returns the cue family of a lower-case token.
func cueOf(tok string) int { return cueOfEntry(tok, lexicon.entry(tok)) }

// cueOfEntry is cueOf for a token whose lexicon entry is known.
func cueOfEntry(tok string, e lexEntry) int {
	if e.cue != cueNone {
		return int(e.cue)
	}
	if e.flags&flagNoCue != 0 {
		return cueNone
	}
	if strings.HasSuffix(tok, "n't") {
		return cueNegation
	}
	if len(tok) >= 3 {
		for _, p := range lexicon.heads[headKey(tok)] {
			if strings.HasPrefix(tok, p.stem) {
				return p.cue
			}
		}
	}
	return cueNone
}

// negators open a negation scope.
var negators = []string{"not", "no", "never", "nothing", "neither", "nor", "without", "none", "nobody", "cannot"}

// relativizers open a relative clause.
var relativizers = []string{"who", "which", "whose", "whom"}

// subordinators open a subordinate clause when they start the sentence or
// follow a comma.
var subordinators = []string{"after", "as", "when", "while", "despite", "although", "though", "since", "because", "following", "amid", "before", "until", "if", "whereas", "once", "even"}

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

// attackerNouns are the nouns for the one who did an attack, which blame
// whoever is named as one ("has been named as the suspected bomber").
var attackerNouns = []string{
	"bomber", "bombers", "attacker", "attackers", "gunman", "gunmen", "assailant", "assailants", "shooter",
	"killer", "killers", "perpetrator", "perpetrators", "hijacker", "hijackers",
}

// isNaming reports a verb that names who someone is.
func isNaming(t string) bool {
	switch t {
	case "named", "names", "identified", "identifies", "identify":
		return true
	}
	return false
}

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

// isGrounds reports a noun that, negated, widens the negation to the
// clause it governs: "no reason to believe", "no indication that".
func isGrounds(t string) bool {
	switch t {
	case "reason", "indication", "indications", "sign", "signs", "suggestion":
		return true
	}
	return false
}

// ownSafety reports "responsibility for (their own) security" at toks[i]:
// a duty, not blame.
func ownSafety(toks []string, i int) bool {
	return aheadInClause(toks, i, 4, func(t string) bool { return t == "security" || t == "safety" })
}

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

// isClaimOrConfirm reports a form of "claim" or "confirm", which a
// claimOrDeny pairs with a form of "deny".
func isClaimOrConfirm(t string) bool {
	switch t {
	case "claim", "claims", "claimed", "claiming", "confirm", "confirms", "confirmed", "confirming":
		return true
	}
	return false
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

// isAnonymousModifier reports a word that describes a lone attacker
// without naming a party: "suicide", "unidentified", "masked".
func isAnonymousModifier(t string) bool {
	switch t {
	case "suicide", "unidentified", "unknown", "lone", "armed", "masked", "female", "male", "teenage", "young", "single", "suspected":
		return true
	}
	return false
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

// claimNouns are the nouns isClaimNoun reports.
var claimNouns = []string{
	"claim", "claims", "assertion", "assertions", "allegation", "allegations", "accusation", "accusations",
	"suggestion", "suggestions", "insinuation", "insinuations", "charge", "charges", "report", "reports", "version",
	"story", "stories", "account", "findings", "verdict", "conclusion", "conclusions", "narrative",
	"speculation", "rumour", "rumours", "rumor", "rumors", "theory", "theories",
}

// frameWords, with actVerbs, are the words on which responseThreat,
// modalThreat, passiveAgent, offerOfHelp, reportedAct and ruledOut can
// report a frame; extract calls them only for these (TestFrameWords checks
// the lists against the corpus).
var frameWords = []string{
	"response", "reply", "answer", "continue", "remain", "remains", "remained", "cover", "shelter", "call",
	"attack", "strike", "target", "hit", "respond", "retaliate", "carry", "launch", "conduct", "stage", "mount",
	"committed", "planned", "ordered", "organised", "organized", "staged", "plotted", "shot", "claimed", "done",
	"help", "support", "assistance", "aid", "assist", "solidarity",
	"threat", "threats", "risk", "risks", "danger", "dangers", "immune", "vulnerable", "prepared",
	"rule", "rules", "ruled", "ruling",
	"opened", "carried", "consequences", "consequence", "hunt", "track", "find", "use", "regret", "force", "unanswered",
}

// actVerbs are the past-tense verbs of a hostile act that reportedAct
// blames a named party for when someone reports it ("Russia said Ukraine
// launched the attack"). They are frame words too.
var actVerbs = []string{
	"attacked", "targeted", "fired", "shelled", "launched", "bombed", "hacked", "struck", "orchestrated",
	"sabotaged", "downed", "mined", "ambushed", "raided", "stormed", "invaded", "violated", "provoked",
	"conducted", "detonated", "planted", "assassinated", "accessed", "breached", "infiltrated", "poisoned", "kidnapped", "abducted",
}

// ruleWords are the words, other than cue words and the words of the
// other classes, on which a cue rule of extract can start; rulePrefix has
// the stems. TestCueFastPath checks them against the corpus.
var ruleWords = []string{
	"stand", "stands", "stood", "standing", "pay", "price", "threat", "threats", "credit", "families",
	"relatives", "bereaved", "comment", "confirm", "say", "elaborate", "discuss", "speculate", "order", "orders",
	"more", "further", "suspect", "suspects", "terrorist", "terrorists", "sign", "signs", "indication", "indications", "admit", "innocent", "respects", "charges", "motive", "motives", "background", "motivation",
	"unaware", "appalled", "advice", "difficult", "painful", "tragic", "dark", "darkest", "trying",
	"accountable", // "account" is a claim noun, which reaches the rules already
}

// rulePrefix reports a word a cue rule of extract starts on by its stem.
func rulePrefix(t string) bool {
	if len(t) < 6 {
		return false
	}
	switch t[0] {
	case 'd':
		return strings.HasPrefix(t, "divert") || strings.HasPrefix(t, "deflect") || strings.HasPrefix(t, "distanc") || strings.HasPrefix(t, "defend") ||
			strings.HasPrefix(t, "dissociat") || strings.HasPrefix(t, "disassociat")
	case 'r':
		return strings.HasPrefix(t, "reserv")
	case 'p':
		return strings.HasPrefix(t, "punish") || strings.HasPrefix(t, "perpetrator") || strings.HasPrefix(t, "pledg")
	case 'a':
		return strings.HasPrefix(t, "admit")
	case 's':
		return strings.HasPrefix(t, "suspicion")
	}
	return false
}

// mayCue reports whether a cue rule of extract can give token t a cue: it
// is a cue word (c, its cueOfEntry), a negation is in scope, or it is a
// word or stem some rule starts on. extract skips the rules for the other
// tokens, most of them.
func mayCue(t string, lex lexEntry, c, negLeft int) bool {
	return c != cueNone || negLeft > 0 || lex.flags&^quietFlags != 0 || rulePrefix(t)
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

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

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

var stopwords = []string{"the", "a", "an", "of", "to", "in", "on", "at", "for", "and", "or", "that", "this", "is", "was", "were", "be", "been", "it", "its", "by", "with", "as", "from", "had", "has", "have", "he", "she", "they", "his", "her", "their", ",", ".", "'", "s", "\"", "-", "—", "(", ")", ":", "/"}

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

// isReflexive reports a reflexive pronoun.
func isReflexive(t string) bool {
	switch t {
	case "itself", "himself", "herself", "themselves", "ourselves", "myself":
		return true
	}
	return false
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

// isSupportWord reports a word of support offered after an attack.
func isSupportWord(t string) bool {
	switch t {
	case "support", "help", "solidarity", "assistance", "aid", "assist":
		return true
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

// isASCIIAlnum reports an ASCII letter or digit.
func isASCIIAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
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

// onOrders reports an act done on someone's orders at toks[i], "order"
// or "orders": "on the orders of the military", "on Putin's orders",
// "acting on orders from Tehran", "done on my order".
func onOrders(toks []string, i int) bool {
	return behindInClause(toks, i, 4, func(t string) bool { return t == "on" })
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

// isAssigning reports a verb that assigns blame: "has not assigned blame",
// "did not lay the blame".
func isAssigning(t string) bool {
	switch t {
	case "assigned", "assign", "apportioned", "apportion", "laid", "lay", "placed", "place", "pinned", "pin", "attributed", "attribute":
		return true
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

// isWhWord reports a question word that can be a clause's subject.
func isWhWord(t string) bool {
	switch t {
	case "who", "what", "which":
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
