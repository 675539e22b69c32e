package classifier

// The cue families, the word lists the feature extractor knows, and the
// table that finds a token's cue family and word classes in one lookup.

import (
	"cmp"
	"maps"
	"slices"
	"strings"
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

// cueNames are the cue families' names, as features and Explain show them.
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

// newLexicon builds the lexicon from cueLexicon and the word lists.
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

// attackerNouns are the nouns for the one who did an attack, which blame
// whoever is named as one ("has been named as the suspected bomber").
var attackerNouns = []string{
	"bomber", "bombers", "attacker", "attackers", "gunman", "gunmen", "assailant", "assailants", "shooter",
	"killer", "killers", "perpetrator", "perpetrators", "hijacker", "hijackers",
}

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

// stopwords are the function words and punctuation that make no word
// feature of their own (flagStopword).
var stopwords = []string{"the", "a", "an", "of", "to", "in", "on", "at", "for", "and", "or", "that", "this", "is", "was", "were", "be", "been", "it", "its", "by", "with", "as", "from", "had", "has", "have", "he", "she", "they", "his", "her", "their", ",", ".", "'", "s", "\"", "-", "—", "(", ")", ":", "/"}
