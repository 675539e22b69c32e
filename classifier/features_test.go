package classifier

import (
	"encoding/binary"
	"hash/fnv"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestNormalizeTokens(t *testing.T) {
	tests := []struct{ in, want string }{
		{"the u . s . embassy", "the u.s. embassy"},
		{"a . b", "a . b"},
		{"russia ' s army", "russia army"},
		// Revision 16: a pronoun's "' s" is a verb, and other
		// contractions are written out.
		{"he ' s not a terrorist", "he is not a terrorist"},
		{"it ' s been a week", "it has been a week"},
		{"who ' s behind it", "who is behind it"},
		{"let ' s wait", "let us wait"},
		{"we ' re sure", "we are sure"},
		{"they ' ll strike", "they will strike"},
		{"we ' ve said", "we have said"},
		{"i ' m here", "i am here"},
		{"they ' d warned", "they had warned"},
		{"they ' d retaliate", "they would retaliate"},
		{"they ' d need more", "they would need more"},
		{"he ' d already left", "he had already left"},
		{"you ' d better go", "you had better go"},
		{"he ' s admitted it", "he admitted it"},
		{"it ' s already been a week", "it has already been a week"},
		{"she ' s repeatedly said so", "she repeatedly said so"},
		{"they ' d led the assault", "they had led the assault"},
		{"it ' s only been a week", "it has only been a week"},
		{"she ' d said so", "she had said so"},
		{"the army ' s claim", "the army claim"},
		{"' re", "' re"},
		{"x ' m", "x ' m"},
		{"5 ' ll", "5 ' ll"},
		{"sa ' d al - din", "sa ' d al - din"},
		{"he ' re", "he ' re"},
		{"could ' ve", "could have"},
		{"may ' ve", "may have"},
		{"who ' ve", "who have"},
		{"he ' s", "he is"},
		{"they ' d", "they would"},
		{"he '", "he '"},
		{"we didn ' t do it", "we didn't do it"},
		{"e ##r ##d ##o ##gan said", "erdogan said"},
		{"## ##x", "##x"},
		{"the end .", "the end ."},
		{"an 8 - year - old girl", "an <age> girl"},
		{"two - month - old twins", "<age> twins"},
		{"a year - old plan", "a year - old plan"},
		{"a 9 - year - long war", "a 9 - year - long war"},
	}
	for _, tt := range tests {
		got := strings.Join(normalizeTokens(strings.Fields(tt.in)), " ")
		if got != tt.want {
			t.Errorf("normalizeTokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCueOf(t *testing.T) {
	tests := []struct {
		tok  string
		want int
	}{
		{"blamed", cueBlame}, {"responsibility", cueBlame}, {"denied", cueDeny}, {"baseless", cueDeny},
		{"warned", cueWarn}, {"threatens", cueWarn}, {"condolences", cueSympathy}, {"mourning", cueSympathy},
		{"didn't", cueNegation}, {"not", cueNegation}, {"lieutenant", cueNone}, {"standards", cueNone},
		{"community", cueNone}, {"support", cueNone}, {"the", cueNone},
		// Words a cue prefix would catch that are no cue.
		{"adviser", cueNone}, {"advised", cueWarn}, {"urgent", cueNone}, {"horrific", cueNone},
		{"horrified", cueSympathy}, {"devastating", cueNone}, {"vigilant", cueWarn},
		// Revision 9.
		{"debunked", cueDeny}, {"inaccurate", cueDeny}, {"illogical", cueDeny}, {"erroneous", cueDeny},
		{"reprisals", cueWarn},
		// Revision 11.
		{"heartache", cueSympathy}, {"sorry", cueSympathy},
		// Revision 15.
		{"pained", cueSympathy}, {"sadness", cueSympathy}, {"sentenced", cueBlame},
		// Revision 16.
		{"heartbreak", cueSympathy},
		// Words that describe or mean ill as often as they grieve
		// ("appalled" grieves only an attack: see TestExtractRegions).
		{"appalled", cueNone}, {"heartbreaking", cueNone}, {"sickened", cueNone},
	}
	for _, tt := range tests {
		if got := cueOf(tt.tok); got != tt.want {
			t.Errorf("cueOf(%q) = %s, want %s", tt.tok, cueNames[got], cueNames[tt.want])
		}
	}
}

// TestLexiconStems checks that every cue stem is filed under the key of
// the words it matches: two lower-case ASCII letters or more.
func TestLexiconStems(t *testing.T) {
	for fam, ws := range cueLexicon {
		for _, w := range ws {
			p, ok := strings.CutSuffix(w, "*")
			if ok && headKey(p) == 0 {
				t.Errorf("cue stem %q (%s) does not start with two lower-case ASCII letters", p, cueNames[fam])
			}
		}
	}
	if got, want := len(lexicon.heads[0]), 0; got != want {
		t.Errorf("got %d stems under key 0, want %d", got, want)
	}
}

// TestLexiconEntry checks that entry finds every word of the lexicon and
// nothing else, on the corpus's tokens.
func TestLexiconEntry(t *testing.T) {
	for w, want := range lexicon.words {
		if got := lexicon.entry(w); got != want {
			t.Errorf("entry(%q) = %+v, want %+v", w, got, want)
		}
	}
	for _, s := range append(corpusTexts(t), hardStrings()...) {
		for _, tok := range normalizeTokens(punctTokens(s)) {
			if got, want := lexicon.entry(tok), lexicon.words[tok]; got != want {
				t.Fatalf("entry(%q) = %+v, want %+v", tok, got, want)
			}
		}
	}
	if got := lexicon.entry(""); got != (lexEntry{}) {
		t.Errorf("entry(\"\") = %+v, want the zero entry", got)
	}
}

// featureNames extracts a sentence's feature names with a space tokenizer.
func featureNames(fc FeatureConfig, s string) []string {
	var names []string
	fc.extract(nil, s, strings.Fields(strings.ToLower(s)), func(_ uint64, kind byte, a, b string) {
		names = append(names, featureName(kind, a, b))
	})
	return names
}

func TestExtractRegions(t *testing.T) {
	fc := DefaultFeatures()
	tests := []struct {
		sentence string
		has      []string
		hasNot   []string
	}{
		// The relative clause's cue is set apart from the main clause's.
		{"Umarov , who claimed responsibility , lifted the ban .", []string{"r:claim", "s:blame"}, []string{"w:claim", "f:blame"}},
		// The first main-clause cue is weighted; later ones are plain cues.
		{"Kyiv denied the report and blamed Moscow .", []string{"f:deny", "c:deny", "c:blame"}, []string{"f:blame"}},
		// What a rejected claim says is a clause.
		{"Kyiv denied the claim that it blamed Moscow .", []string{"f:deny", "c:deny", "s:blame"}, []string{"f:blame", "c:blame"}},
		// Negation scope marks what follows, and a negated blame word denies.
		{"The army was not involved .", []string{"n:involv", "c:negation", "f:deny"}, []string{"w:involv", "f:blame"}},
		// So does an accusation framed as an attempt.
		{"They are trying to blame us .", []string{"f:deny"}, []string{"f:blame"}},
		// An attacker or suspect named by a passive naming verb is blamed;
		// one named in an appositive is left to the main verb.
		{"The gunman was identified as Robin Westman .", []string{"f:blame"}, nil},
		{"The suspect has since been named as a local man .", []string{"f:blame"}, nil},
		{"The slain terrorist was identified as a student .", []string{"f:blame"}, nil},
		{"The suspect , identified as Ali , was caught .", nil, []string{"f:blame"}},
		{"The victims were identified as two teachers .", nil, []string{"f:blame"}},
		{"The suspect identified the car .", nil, []string{"f:blame"}},
		{"The victims of the gunman were identified as two teachers .", nil, []string{"f:blame"}},
		{"The mother of the suspect was named as Maria .", nil, []string{"f:blame"}},
		{"Two of the attackers were identified as brothers .", []string{"f:blame"}, nil},
		{"One of the suspects has been named as Ali .", []string{"f:blame"}, nil},
		// Revision 11: a theory just named can be ruled out, and
		// "before" opens a clause once a claim is found, not before.
		{"Investigators later ruled this out .", []string{"f:deny"}, nil},
		{"The coach ruled him out of the match .", nil, []string{"f:deny"}},
		{"The referee ruled it out for offside .", nil, []string{"f:deny"}},
		{"Officials said it was too early to rule it out .", nil, []string{"f:deny"}},
		{"He is accused of wounding him just before the author spoke on stage .", []string{"f:blame", "r:stage"}, []string{"w:stage"}},
		{"The prime minister said before the meeting that Iran was behind the attack .", []string{"f:blame"}, []string{"s:blame"}},
		{"Police said the gunman had no known relationship with the victims .", nil, []string{"f:deny"}},
		// Revision 12: terrorism ruled out in the passive, respects paid,
		// sorry unless negated.
		{"Terrorism was ruled out as a motive .", []string{"f:deny"}, nil},
		{"Counter - terrorism police ruled out a gas leak .", nil, []string{"f:deny"}},
		{"Police believe it was terrorism and have ruled out an accident .", nil, []string{"f:deny"}},
		{"The king paid his respects to the victims .", []string{"f:sympathy"}, nil},
		{"They respects the law .", nil, []string{"f:sympathy"}},
		{"Russia said it was not sorry for the strike .", nil, []string{"f:sympathy"}},
		// Revision 13: charges brought, an ideological motive.
		{"Police have pressed charges against 23 people .", []string{"f:blame"}, nil},
		{"The attacker had a radical Islamist motive .", []string{"f:blame"}, nil},
		{"The bank charges a fee .", nil, []string{"f:blame"}},
		{"The motive is not yet known .", nil, []string{"f:blame"}},
		// An age is one word, and its hyphens end no clause.
		{"Mourners held a vigil for the 8 - year - old girl who was killed .", []string{"w:<age>", "r:kill"}, []string{"w:year", "w:kill"}},
		// Declining to comment is no claim, whatever follows.
		{"Peskov declined to comment on reports that Washington warned Moscow .", []string{"f:nocomment"}, []string{"f:warn"}},
		// A parenthetical between dashes is a clause.
		{"Putin insinuated Ukraine was involved — a claim Kyiv denies — without evidence .", []string{"r:deny", "s:deny"}, []string{"w:deny"}},
		// Headlines.
		{"Militants Claim Hotel Siege", []string{"h:headline", "f:blame"}, nil},
		// A participle running to the end carries the claim; one set off by
		// commas does not.
		{"Officials stepped up pressure , blaming the rebels .", []string{"f:blame", "r:blam"}, nil},
		{"Putin , blaming Kyiv , left .", []string{"s:blame"}, []string{"f:blame"}},
		// Scorn aimed at a claim, information called too vague, and a
		// negated link deny.
		{"Minister Slams Rival's Assertion On Attack", []string{"f:deny"}, nil},
		{"The tip was too vague to act on .", []string{"f:deny"}, nil},
		{"The group said it had no links to the gunmen .", []string{"f:deny"}, nil},
		{"Police linked the suspect to the cell .", nil, []string{"c:deny"}},
		// An account presented as manipulation is denied.
		{"They are trying to make us think that Kyiv did it .", []string{"f:deny"}, nil},
		{"They are trying to make the country ungovernable .", nil, []string{"f:deny"}},
		// The threat formula.
		{"Those behind the attack will pay a heavy price .", []string{"c:warn"}, nil},
		{"Everyone responsible will pay .", []string{"f:warn"}, []string{"c:blame"}},
		{"Russia must pay reparations .", nil, []string{"c:warn"}},
		// A call for cooperation is no warning.
		{"The council urged all states to cooperate with the inquiry .", nil, []string{"f:warn"}},
		{"Police urged residents to stay away from the station .", []string{"f:warn"}, nil},
		// "behind" and "carried" blame only when they name who did it.
		{"A priest walked in the grave behind the church .", nil, []string{"c:blame"}},
		{"The group behind the bombing issued a statement .", []string{"f:blame"}, nil},
		{"Officials said the militia was behind it .", []string{"f:blame"}, nil},
		{"His coffin was carried to the shrine .", nil, []string{"c:blame"}},
		{"The attack was carried out by the cell .", []string{"f:blame"}, nil},
		{"The attack was carried out at dawn .", nil, []string{"c:blame"}},
		{"The cell carried out the attack .", []string{"f:blame"}, nil},
		// Negated warnings are none.
		{"Residents said they had received no warning .", nil, []string{"c:warn", "f:warn"}},
		// A denial-of-service attack denies nothing.
		{"A denial - of - service attack hit the site .", nil, []string{"c:deny"}},
		// A reporting credit is furniture.
		{"Jane Doe in Riga contributed to this report .", []string{"h:credit"}, nil},
		// A tag line has no main clause.
		{"attack , condolences , nato , putin , russia , trump", []string{"h:list", "c:sympathy"}, []string{"f:sympathy"}},
		// A claim of responsibility outside a headline; not one when negated.
		{"The group claimed Sunday's bombing in a statement .", []string{"f:blame"}, nil},
		{"No group has claimed the attack .", nil, []string{"f:blame", "f:deny"}},
		// Evidence denies only when there is none.
		{"Preliminary evidence pointed to the militia .", nil, []string{"f:deny", "c:deny"}},
		{"There is no evidence for the claim .", []string{"f:deny"}, nil},
		{"The junta blamed France , without offering any evidence .", []string{"f:blame"}, []string{"c:deny"}},
		{"He accused them , despite having no evidence .", nil, []string{"c:deny"}},
		// "No reason to believe" negates the clause it governs.
		{"Officials have no reason to believe the navy was responsible .", []string{"f:deny"}, []string{"f:blame"}},
		// A duty to keep safe is no blame; responsibility that lies with
		// someone is blame, not a lie.
		{"Staff must take responsibility for their own security .", nil, []string{"c:blame"}},
		{"The responsibility lies with the rebels .", []string{"f:blame"}, []string{"c:deny"}},
		// Unproven links, claims called irresponsible, and a suspect's
		// innocence deny; a perpetrator named as a noun blames no one.
		{"The link to the group has not been proven .", []string{"f:deny"}, nil},
		{"We reject these irresponsible claims .", []string{"c:deny"}, nil},
		{"The irresponsible driver fled .", nil, []string{"c:deny"}},
		{"The suspect proclaims his innocence .", []string{"f:deny"}, nil},
		{"The perpetrator fooled the program .", nil, []string{"c:blame"}},
		// A title in sentence case is a headline.
		{"Survivors say army drone killed dozens at market", []string{"h:headline"}, nil},
		{"Al Shabaab claims attack on army base in capital", []string{"h:headline", "f:blame"}, nil},
		// Names inside a sentence are one feature, counted once.
		{"Officials in Kabul and Kandahar said so .", []string{"w:<name>"}, []string{"w:kabul", "w:kandahar"}},
		{"Officials in Kabul said so .", []string{"w:<name>"}, []string{"w:kabul"}},
		// A wire dateline is furniture; a short capitalised word before a
		// dash is no dateline.
		{"TOKYO (AP) — The ministry denied the report .", []string{"f:deny"}, []string{"w:tokyo", "b:tokyo (ap)", "b:— the"}},
		{"JOHANNESBURG, South Africa -- Al Shabab claimed the attack .", []string{"f:blame"}, []string{"w:johannesburg,", "w:--"}},
		{"US - China talks resumed .", []string{"w:us"}, nil},
		// A dated dateline, with a place in capitals or title case, ends
		// at a dash, a colon, an agency or "/TASS/."; a date alone is none.
		{"London, 29 October 2022 (dpa) - Britain rejected the accusations .", []string{"f:deny"}, []string{"w:london", "w:2022", "w:dpa"}},
		{"SRINAGAR, Jan 2: The outfit rejected the report .", []string{"f:deny"}, []string{"w:srinagar", "b:2 :"}},
		{"Moscow, Jun 24 (EFE).- The group said so .", nil, []string{"w:<name>", "w:efe", "b:. -"}},
		{"BISHKEK, October 13. /TASS/. Allegations are nonsense .", []string{"f:deny"}, []string{"w:bishkek", "w:tass"}},
		{"Dubai, Sep 24 (IANS) The minister rejected the report .", []string{"f:deny"}, []string{"w:ians"}},
		{"Friday, September 2, 1983", []string{"w:1983"}, nil},
		{"Smoke rose on Saturday, Sept. 14, 2019 .", []string{"w:smoke"}, nil},
		{"MOSCOW ( Reuters - AFP ) — Police blamed the group .", []string{"f:blame"}, []string{"w:afp", "w:moscow", "w:reuter"}},
		// A question is no claim; nor is a later clause that opens without a
		// comma once the main claim is found.
		{"Police asked whether the militia was involved .", []string{"s:blame"}, []string{"f:blame", "c:blame"}},
		{"Prosecutors warned of more attacks after a man confessed to the killings .", []string{"f:warn", "s:blame"}, []string{"c:blame"}},
		// Culprits who are being hunted are not named.
		{"Police are hunting down the culprits .", nil, []string{"c:blame"}},
		{"The culprits were members of the cell .", []string{"f:blame"}, nil},
		// A report called untrue, a story disputed and a group distancing
		// itself deny; a disputed territory does not.
		{"He said the rumours were not true .", []string{"f:deny"}, nil},
		{"Eritrea disputes the story of the massacre .", []string{"f:deny"}, nil},
		{"The disputed territory was shelled .", nil, []string{"c:deny"}},
		{"The cartel distanced itself from the attack .", []string{"f:deny"}, nil},
		{"A spokesman distanced the group from the bombing .", []string{"f:deny"}, nil},
		{"The village is a short distance from the border .", nil, []string{"c:deny"}},
		// A reserved right to respond warns; standing with a people and
		// reaffirmed support are sympathy.
		{"Tehran reserves the right to respond .", []string{"f:warn"}, nil},
		{"We stand with the people of Pakistan .", []string{"f:sympathy"}, nil},
		{"The council reaffirmed its support for the victims .", []string{"f:sympathy"}, nil},
		// Vengeance, a raised threat level and promised punishment warn;
		// punishment already handed down does not; a vow of support is
		// sympathy.
		{"The guards promised vengeance .", []string{"f:warn"}, nil},
		{"The threat level was raised to severe .", []string{"f:warn"}, nil},
		{"Those responsible will be punished .", []string{"f:warn"}, nil},
		{"The officers were punished last year .", nil, []string{"c:warn"}},
		{"NATO vows support for Finland .", []string{"f:sympathy"}, []string{"c:warn"}},
		{"It is a sad day for the city .", []string{"f:sympathy"}, nil},
		// A promised fitting response and attacks that will continue warn;
		// taking credit claims an attack.
		{"The minister promised a befitting reply .", []string{"f:warn"}, nil},
		{"The response was slow .", nil, []string{"c:warn"}},
		{"Similar attacks will continue , he said .", []string{"f:warn"}, nil},
		{"Islamists Take Credit for Train Bombing", []string{"f:blame"}, nil},
		// A claim made by a past-tense verb counts twice more; a noun or a
		// participle after "was" or "the" does not.
		{"The ministry warned of more attacks .", []string{"f:warn", "v:warn"}, nil},
		{"The warning was issued late .", []string{"f:warn"}, []string{"v:warn"}},
		{"The army was involved .", []string{"f:blame"}, []string{"v:blame"}},
		// A negated attack denies it; a plain one does not.
		{"We did not attack the convoy .", []string{"f:deny"}, nil},
		{"The agency has never undertaken any hacker attacks .", []string{"f:deny"}, nil},
		{"The rebels attacked the convoy .", nil, []string{"c:deny"}},
		// An attack or a reply that a modal makes possible warns, in the
		// main clause; asked about, it is a clause's cue.
		{"Russia could attack Ukraine at any time .", []string{"f:warn"}, nil},
		{"Iran will surely respond at the proper time .", []string{"f:warn"}, nil},
		{"Reporters asked whether the militia would attack again .", []string{"s:warn"}, []string{"c:warn"}},
		{"The attack hit the depot .", nil, []string{"c:warn"}},
		// Claims called defamatory or a bid to divert attention are denied.
		{"The ministry called the report defamatory .", []string{"f:deny"}, nil},
		{"Moscow said the story was an attempt to divert attention .", []string{"c:deny"}, nil},
		{"Flights were diverted to Larnaca .", nil, []string{"c:deny"}},
		{"May described the attacks as appalling .", nil, []string{"c:warn"}},
		{"It will require a response .", nil, []string{"c:warn"}},
		{"We will carry out such attacks again .", []string{"f:warn"}, nil},
		{"Police will carry out checks .", nil, []string{"c:warn"}},
		// A group said not to be behind an attack is cleared of it.
		{"The minister said the group was not behind the attack .", []string{"f:deny"}, []string{"f:blame"}},
		// Blame presented as shifted, or as an accusation of lying, denies.
		{"Kabul should look inwards instead of blaming us .", []string{"f:deny"}, []string{"f:blame"}},
		{"They are shifting the blame .", []string{"f:deny"}, nil},
		{"Tehran accused Washington of fabricating a crisis .", []string{"f:deny"}, []string{"f:blame"}},
		{"Police accused the man of planting the bomb .", []string{"f:blame"}, []string{"c:deny"}},
		// Blame that is what a claim says yields to the denial of the claim.
		{"These accusations have always been groundless .", []string{"f:deny"}, []string{"f:blame"}},
		{"The claim that the militia was responsible was dismissed .", []string{"f:deny"}, []string{"f:blame"}},
		{"The rebels were responsible , and the claim was not dismissed .", []string{"f:blame"}, nil},
		// Scorn at a claim: contradicted, doubted, fended off.
		{"Officials fended off allegations of a cover - up .", []string{"f:deny"}, nil},
		{"His statement contradicts the minister 's claim .", []string{"f:deny"}, nil},
		// Shock and messages of support are sympathy.
		{"Residents were stunned by the attack .", []string{"f:sympathy"}, nil},
		{"Messages of support poured in for the city .", []string{"f:sympathy"}, nil},
		// "Involved" before its object includes; "identified as the
		// perpetrators" and a passive with its agent name who did it.
		{"The incident involved two drones .", nil, []string{"c:blame"}},
		{"Two men were identified as the perpetrators .", []string{"f:blame"}, nil},
		{"The attacks were planned by a single cell .", []string{"f:blame"}, nil},
		{"The airliner was shot down by a missile .", []string{"f:blame"}, nil},
		{"The attack was planned for weeks .", nil, []string{"c:blame"}},
		{"Police carried out raids overnight .", nil, []string{"c:blame"}},
		// A threat that remains, shelter orders and a wake - up call warn.
		{"The threat remains high .", []string{"f:warn"}, nil},
		{"Residents were told to take cover .", []string{"f:warn"}, nil},
		{"The attack is a wake - up call for Europe .", []string{"f:warn"}, nil},
		// A named party's attack is blame when someone says it; told by
		// the reporter, or of an unnamed attacker, it is not.
		{"Russia said Ukraine launched the drone attack .", []string{"f:blame"}, nil},
		{"The army said that Armenian forces had fired at its posts .", []string{"f:blame"}, nil},
		{"The ministry said Azerbaijan 's forces downed the helicopter .", []string{"f:blame"}, nil},
		{"Police said gunmen attacked the bus .", nil, []string{"c:blame"}},
		{"Israeli jets struck the camp .", nil, []string{"c:blame"}},
		{"The drones , claimed by Houthi rebels attacked the plant .", nil, []string{"f:blame"}},
		// An appositive inside a relative clause does not end it; "that"
		// before an event verb opens one.
		{"Basayev claimed the siege , in which 300 hostages , many of them children , died .", []string{"f:blame", "r:died"}, []string{"w:died"}},
		{"The group claimed the blast that killed six people .", []string{"f:blame", "r:kill"}, []string{"w:kill"}},
		{"Officials said that militants attacked the base .", []string{"b:that militants"}, nil},
		// Reminders of a threat, no immunity, vulnerability to attack,
		// readiness for the worst and a modal passive warn.
		{"The attacks are a stark reminder of the threat we all face .", []string{"f:warn"}, nil},
		{"No country is immune from that risk .", []string{"f:warn"}, nil},
		{"Such events are vulnerable to attack .", []string{"f:warn"}, nil},
		{"Let us be prepared for any eventuality .", []string{"f:warn"}, nil},
		{"Westerners could be targeted by militants .", []string{"f:warn"}, nil},
		{"Westerners were targeted by militants .", nil, []string{"c:warn"}},
		// Ruling out a motive or a culprit denies; ruling out an accident,
		// or not ruling out a motive, does not. Retracting a claim, and
		// speculation called a lie, deny.
		{"Police ruled out terrorism as a motive .", []string{"f:deny"}, nil},
		{"Police ruled out a gas leak .", nil, []string{"c:deny"}},
		{"Police have not ruled out terrorism .", nil, []string{"f:deny"}},
		{"The outlets later retracted the claim .", []string{"f:deny"}, nil},
		{"Speculation that Moscow ordered the hit as revenge is an absolute lie .", []string{"f:deny"}, []string{"f:warn"}},
		// What a denied allegation says is a clause of its own; a claim
		// noun as the subject keeps its clause main.
		{"Russia denied British allegations on Tuesday that it was responsible .", []string{"f:deny", "s:blame"}, []string{"c:blame"}},
		{"The claim that the militia was responsible was dismissed .", []string{"f:deny"}, nil},
		// A claim of responsibility no one has made is neither blame nor
		// denial; nor is blaming whoever did it.
		{"No group has yet claimed responsibility for the attack .", nil, []string{"c:blame", "c:deny"}},
		{"Israel has not claimed responsibility .", nil, []string{"c:blame", "c:deny"}},
		{"No group or individual has claimed responsibility for the attack .", []string{"f:nocomment"}, []string{"f:blame", "c:blame"}},
		{"No one has claimed the bombing , but officials blamed the cell .", []string{"f:blame", "c:nocomment"}, nil},
		{"The statement praised the fighters without naming those it claimed were behind the attack .", []string{"c:blame"}, []string{"c:nocomment"}},
		{"The group claimed responsibility .", []string{"f:blame"}, nil},
		// Revision 14: the claim no one made as a noun, in the passive,
		// across an aside, and with its modifier or its "or deny".
		{"There was no immediate claim of responsibility for the attack .", []string{"f:nocomment"}, []string{"f:deny", "c:deny", "c:blame"}},
		{"There have been no claims of responsibility .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"Responsibility for the attack has not been claimed .", []string{"f:nocomment"}, []string{"f:blame", "c:blame"}},
		{"The attack has not been claimed by any group .", []string{"f:nocomment"}, []string{"c:deny", "c:blame"}},
		{"No group has , as yet , formally claimed responsibility for the bombing .", []string{"f:nocomment"}, []string{"c:blame"}},
		{"No one has , so far , claimed the bombing .", []string{"f:nocomment"}, []string{"c:blame"}},
		{"ISIS did not claim direct responsibility .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"The Taliban did not claim or deny responsibility for the blast .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"The ministry neither confirmed nor denied the report .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"There was no claim of responsibility , but officials blamed the PKK .", []string{"f:blame", "c:nocomment"}, nil},
		{"A claim of responsibility was posted online .", []string{"f:blame"}, []string{"c:nocomment"}},
		{"Responsibility for the attack was claimed by the group .", []string{"f:blame"}, []string{"c:nocomment"}},
		{"Islamic State claimed direct responsibility for the bombing .", []string{"f:blame"}, []string{"c:nocomment"}},
		{"The Kremlin denied responsibility , saying it had not claimed anything .", []string{"f:deny"}, nil},
		{"The group said , once again , that it claimed the bombing .", []string{"f:blame"}, []string{"c:nocomment"}},
		// Blaming reported as not done, or stopped short of, is no claim
		// either; the accused side's own "do not blame us" stays a denial.
		{"The US had not blamed anyone for the attack .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"Putin did not accuse Kiev of being behind it .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"Without accusing a faction , Abbas called them terrorists .", []string{"c:nocomment"}, []string{"c:deny"}},
		{"The government has not yet assigned blame for the attack .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"Officials stopped short of blaming Russia for the breach .", []string{"f:nocomment"}, []string{"c:blame"}},
		{"Pakistan should not blame Afghanistan for it .", []string{"f:deny"}, []string{"c:nocomment"}},
		{"Iran is not to blame for the attack .", []string{"f:deny"}, []string{"c:nocomment"}},
		{"We do not accept the blame .", []string{"f:deny"}, []string{"c:nocomment"}},
		// A negation a claim or warning took for itself leaves the act
		// after it alone: it is the claim's object, not an act denied.
		{"The rebels did not claim the attack .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"Officials said they had received no warning before the attack .", nil, []string{"c:deny", "c:warn"}},
		{"We did not attack the convoy .", []string{"f:deny"}, nil},
		{"Neither side has accepted responsibility for the shelling .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"Officials have not publicly accused Tarsova .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"The threat level was lowered to substantial .", nil, []string{"c:warn"}},
		{"Britain lowered its threat level .", nil, []string{"c:warn"}},
		{"The threat level was raised to critical .", []string{"f:warn"}, nil},
		// Near misses a review found: "yet" alone negates nothing, a
		// negation in the subject does not reach the verb, contractions
		// and adverbs are read through, a passive accusation clears.
		{"The group has , yet again , claimed responsibility for the attack .", []string{"f:blame"}, []string{"c:nocomment"}},
		{"The group , as yet unnamed , claimed responsibility .", []string{"f:blame"}, []string{"c:nocomment"}},
		{"Responsibility for the as yet unexplained blast was claimed by the group .", []string{"f:blame"}, []string{"c:nocomment"}},
		{"Responsibility has yet to be claimed .", []string{"f:nocomment"}, []string{"c:blame"}},
		{"An attack on no fewer than six posts was claimed by the group .", []string{"f:blame"}, []string{"c:nocomment"}},
		{"The bombing has not yet been claimed .", []string{"f:nocomment"}, nil},
		{"The attack did not appear to have been claimed by any group .", []string{"f:nocomment"}, []string{"c:blame"}},
		{"Putin didn't accuse Kiev of the attack .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"Officials did not blame any group .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"The US has not yet formally accused Russia .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"He was not accused of the bombing .", []string{"f:deny"}, []string{"c:nocomment"}},
		{"Do not blame us .", []string{"f:deny"}, []string{"c:nocomment"}},
		{"Suspicion did not fall on the Taliban .", nil, []string{"c:blame"}},
		{"No suspicion fell on the Taliban .", nil, []string{"c:blame"}},
		{"Suspicion fell to zero .", nil, []string{"c:blame"}},
		{"Israel neither confirms nor denies foreign reports of its strikes .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"The army would not deny or confirm the report .", []string{"f:nocomment"}, nil},
		{"It was not possible to verify the group's claim of responsibility .", []string{"f:nocomment"}, []string{"c:deny"}},
		// A claim a negated "say" would have made, and credit nobody took.
		{"No one has come forward to say they carried out the attack .", []string{"f:nocomment"}, []string{"c:blame"}},
		{"No group had come forward by Monday evening to say it was behind the abduction .", []string{"f:nocomment"}, []string{"c:blame"}},
		{"Police did not say why , but said the group was behind it .", []string{"f:blame"}, nil},
		{"Nobody has taken credit for the bombing .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"The group took credit for the bombing .", []string{"f:blame"}, nil},
		// Saying nothing is no comment; an anonymous agent names no one.
		{"He said nothing to reporters on his way out .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"The group said nothing about the attack .", []string{"f:nocomment"}, []string{"c:deny"}},
		// A retaliation made is no warning; one threatened is.
		{"Pakistan retaliates with strikes inside Iran .", nil, []string{"c:warn"}},
		{"Turkish retaliatory airstrikes killed 12 civilians .", nil, []string{"c:warn"}},
		{"Iran vowed to retaliate .", []string{"f:warn"}, nil},
		{"The statement said the bombing was revenge for the raids .", nil, []string{"c:warn"}},
		{"Her injuries are not thought to be life - threatening .", nil, []string{"c:warn"}},
		{"They were taken to hospital with non - life - threatening injuries .", nil, []string{"c:warn"}},
		{"The gang threatened to publish the data .", []string{"f:warn"}, nil},
		{"Prosecutors are investigating attempted blackmail .", nil, []string{"c:deny"}},
		{"The hackers left a blackmail letter .", nil, []string{"c:deny"}},
		{"Putin called the warning blackmail .", []string{"c:deny"}, nil},
		// An accusation that only names the subject gives way to its plea.
		{"The man accused of the bombing pleaded not guilty .", []string{"f:deny"}, nil},
		{"Teen accused of assassination attempt pleads not guilty", []string{"f:deny"}, nil},
		{"Russia accused Ukraine of the attack , but Kyiv denied it .", []string{"f:blame"}, nil},
		{"The man charged with murder was denied bail .", []string{"f:blame"}, nil},
		// A third review: revenge and retaliation to come still warn,
		// blackmail as a fact is none, the accused's own plea only.
		{"Hamas said there would be retribution for the assassination .", []string{"f:warn"}, nil},
		{"Several deputies demanded retaliatory strikes on Kyiv .", []string{"f:warn"}, nil},
		{"Officials are bracing for a possible retaliatory strike .", []string{"f:warn"}, nil},
		{"Retaliatory strikes hit three training camps overnight .", nil, []string{"c:warn"}},
		{"Moscow called the Western sanctions a form of blackmail .", []string{"f:deny"}, nil},
		{"Police said the motive was blackmail .", nil, []string{"c:deny"}},
		{"None of the militant groups active in the area has said it carried out the attack .", []string{"f:nocomment"}, []string{"c:blame"}},
		{"No group has as yet said it carried out the attack .", []string{"f:nocomment"}, []string{"c:blame"}},
		{"The attack was carried out by a young man with a knife .", nil, []string{"c:blame"}},
		{"The attack was carried out by a gunman with links to the group .", []string{"f:blame"}, nil},
		{"The man accused of the bombing denied the charges .", []string{"f:deny"}, nil},
		{"The man accused of the bombing was denied access to a lawyer .", []string{"f:blame"}, nil},
		{"The man accused of the bombing said police had denied him a lawyer .", []string{"f:blame"}, nil},
		{"Russia was also accused of the attack , yet denied it .", []string{"f:blame"}, nil},
		{"This is pure blackmail .", []string{"f:deny"}, nil},
		{"The group said it had nothing to do with the attack .", []string{"f:deny"}, nil},
		{"The junta has said nothing about the group's claim for the ambush .", []string{"f:deny"}, []string{"c:nocomment"}},
		{"The attack was carried out by a suicide bomber .", nil, []string{"c:blame"}},
		{"The attack was carried out by two unidentified gunmen .", nil, []string{"c:blame"}},
		{"The attack was carried out by the Islamic State group .", []string{"f:blame"}, nil},
		{"The attack was carried out by a suicide bomber from the Islamic State group .", []string{"f:blame"}, nil},
		// A second review: the negation must be the say's own, and the
		// party may come before the attacker.
		{"Police did not comment but said the group was behind it .", []string{"f:blame"}, nil},
		{"Nobody was hurt and police said the group was behind it .", []string{"f:blame"}, []string{"c:nocomment"}},
		{"A group no one had heard of said it carried out the attack .", []string{"f:blame"}, []string{"c:nocomment"}},
		{"Not long after the blast the group said it carried out the attack .", []string{"f:blame"}, []string{"c:nocomment"}},
		{"Nobody said it was behind the attack .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"The militants have not said they were behind the attack .", []string{"f:nocomment"}, []string{"c:deny"}},
		{"The group said it was not behind the attack .", []string{"f:deny"}, []string{"c:nocomment"}},
		{"The attack was carried out by a Hamas gunman .", []string{"f:blame"}, nil},
		{"The attack was carried out by a suicide bomber sent by the Taliban .", []string{"f:blame"}, nil},
		{"The attack was carried out by an unidentified suicide bomber .", nil, []string{"c:blame"}},
		{"The attack was carried out by gunmen .", nil, []string{"c:blame"}},
		{"The group said nothing about the attack .", []string{"f:nocomment"}, []string{"c:deny"}},
		// Suspicion falling on someone names a likely culprit.
		{"Suspicion fell on the Taliban .", []string{"f:blame"}, nil},
		{"No one has claimed the attack , but suspicion is likely to centre on the militants .", []string{"c:nocomment", "f:blame"}, nil},
		{"The suspicion of police grew .", nil, []string{"c:blame"}},
		{"Whoever is behind this must stop .", nil, []string{"c:blame"}},
		// Retaliation as the motive of a past act warns of nothing.
		{"The missiles were fired in retaliation for the strike .", nil, []string{"c:warn"}},
		{"The guards vowed retaliation .", []string{"f:warn"}, nil},
		// Rejecting violence condemns it.
		{"Quebec categorically rejects this barbaric violence .", nil, []string{"c:deny"}},
		{"Quebec categorically rejects these claims .", []string{"f:deny"}, nil},
		// A passive claim with its agent blames.
		{"The bombing has been claimed by the sect .", []string{"f:blame"}, nil},
		// Calling on the bereaved is sympathy.
		{"The president spoke with the families of the victims .", []string{"f:sympathy"}, nil},
		{"The families of the victims sued the city .", nil, []string{"c:sympathy"}},
		// Revision 7: a named party that opened fire, told by someone,
		// blames; an act done on someone's orders blames; criticism or
		// questioning aimed at a claim denies; a vow to stand with a
		// people is sympathy, not a threat; dismay is sympathy.
		{"Armenia said Azerbaijani forces opened fire at dawn .", []string{"f:blame"}, nil},
		{"Police said gunmen opened fire at dawn .", nil, []string{"c:blame"}},
		{"Armenia said Azerbaijani forces opened the border .", nil, []string{"c:blame"}},
		{"His team says he was poisoned on Putin 's orders .", []string{"f:blame"}, nil},
		{"The gunmen were acting on orders from Tehran .", []string{"f:blame"}, nil},
		{"The court issued orders to seize the assets .", nil, []string{"c:blame"}},
		{"The minister criticized the story of the massacre .", []string{"f:deny"}, nil},
		{"The envoy questioned the findings of the inquiry .", []string{"f:deny"}, nil},
		{"Police questioned the driver for hours .", nil, []string{"c:deny"}},
		{"Countries around the globe have vowed to stand with France .", []string{"f:sympathy"}, []string{"c:warn"}},
		{"The group vowed to strike again .", []string{"f:warn"}, nil},
		{"The agency said it was deeply dismayed .", []string{"f:sympathy"}, nil},
		// A party said to be linked to an attack is blamed; a reported
		// act takes more verbs and report verbs of suspicion.
		{"The group has been linked to the attacks .", []string{"f:blame"}, nil},
		{"The Russia - linked gang posted a message .", nil, []string{"c:blame"}},
		{"Officials suspected Iran conducted the attack .", []string{"f:blame"}, nil},
		{"Officials quoted sources saying Chinese hackers accessed the computers .", []string{"f:blame"}, nil},
		// Those involved, or responsible, named as a party are no claim.
		{"Four gunmen involved are now dead .", nil, []string{"c:blame"}},
		{"Police arrested one of the gunmen responsible for the attack .", nil, []string{"c:blame"}},
		{"Police said the gunmen were responsible for the attack .", []string{"f:blame"}, nil},
		// A prayer for the victims is sympathy; prayers as a rite are not.
		{"Our prayers are with the families .", []string{"f:sympathy"}, nil},
		{"We pray for the victims .", []string{"f:sympathy"}, nil},
		{"Gunmen opened fire during evening prayers .", nil, []string{"c:sympathy"}},
		// Consequences promised warn; consequences suffered do not. A
		// stern response warns like a swift one.
		{"The US will face serious consequences .", []string{"f:warn"}, nil},
		{"The attack will be met with international consequences .", []string{"f:warn"}, nil},
		{"He spoke of the tragic consequences of the blast .", nil, []string{"c:warn"}},
		{"The attack will be followed by a stern response .", []string{"f:warn"}, nil},
		// A cue after "and" replaces a claim of responsibility no one
		// has made, as one after "but" does.
		{"No group has claimed responsibility , and the PKK has denied involvement .", []string{"f:deny", "c:nocomment"}, nil},
		// A clause opened inside a sentence by "after", "because",
		// "despite" and the like is subordinate even before the main
		// claim is found.
		{"Ambulances stood at a roadblock after a teen carried out the attack .", []string{"s:blame"}, []string{"f:blame", "c:blame"}},
		{"The two blasts occurred amid tensions over the strike .", nil, []string{"w:tension"}},
		// Retribution promised warns, as revenge does; as the motive of a
		// past act it does not. A crime that will not go unpunished is a
		// threat, not a negated one.
		{"They will face inevitable retribution .", []string{"f:warn"}, nil},
		{"The strikes were launched in retribution for the bombings .", nil, []string{"c:warn"}},
		{"This vile crime will not go unpunished .", []string{"f:warn"}, nil},
		// A party's claim of its own act blames; an inquiry it launched
		// does not.
		{"Officials in Kyiv said it hit the ship with missiles .", []string{"f:blame"}, nil},
		{"The Houthi rebels said they had carried out the attack .", []string{"f:blame"}, nil},
		{"The Investigative Committee said it had launched an investigation .", nil, []string{"c:blame"}},
		{"Witnesses said it hit the ground hard .", nil, []string{"c:blame"}},
		// Traces deny only when none were found.
		{"Medics found no traces of a chemical attack .", []string{"f:deny"}, nil},
		{"Investigators found traces of explosives .", nil, []string{"c:deny"}},
		// Threats received are a past warning reported; a defence against
		// accusations denies them.
		{"Friends said he had received anonymous death threats .", []string{"f:warn"}, nil},
		{"The journalist had faced threats from a businessman .", []string{"f:warn"}, nil},
		{"The president defended himself against accusations that his rhetoric inspired the gunman .", []string{"f:deny"}, nil},
		{"Israel has the right to defend itself against the group .", nil, []string{"c:deny"}},
		// Revision 8. More attacks to come, a hunt or a reply promised,
		// force threatened and blood that will not go unavenged warn.
		{"The statement said it would be followed by more attacks .", []string{"f:warn"}, nil},
		{"Officials fear further terrorist attacks .", []string{"f:warn"}, nil},
		{"More people attended the vigil .", nil, []string{"c:warn"}},
		{"We will hunt down the perpetrators .", []string{"f:warn"}, nil},
		{"We will find you .", []string{"f:warn"}, nil},
		{"Police will find a way .", nil, []string{"c:warn"}},
		{"The coalition will use military force against violators .", []string{"f:warn"}, nil},
		{"The government pledged to respond to the attack .", []string{"f:warn"}, nil},
		{"You will regret taking part in this disorder .", []string{"f:warn"}, nil},
		{"We regret the loss of life .", nil, []string{"c:warn"}},
		{"Rioters will face the full force of the law .", []string{"f:warn"}, nil},
		{"The commanders said the assaults would continue .", []string{"f:warn"}, nil},
		{"This wave of attacks is expected to continue .", []string{"f:warn"}, nil},
		{"Talks are expected to continue .", nil, []string{"c:warn"}},
		// An accusation of a provocation, a group dissociating itself, a
		// suspect said not to be the killer and a plea of innocence deny.
		{"Ukraine accused Russia of staging a false provocation .", []string{"f:deny"}, []string{"f:blame"}},
		{"The leaders dissociated themselves from the massacre .", []string{"f:deny"}, nil},
		{"Nemmouche is not the killer , his lawyer said .", []string{"f:deny"}, nil},
		{"We are innocent .", []string{"f:deny"}, nil},
		{"The victims were innocent civilians .", nil, []string{"c:deny"}},
		{"The blood of the martyrs will not remain unavenged .", []string{"f:warn"}, nil},
		{"The guards would not leave the shedding of blood unanswered .", []string{"f:warn"}, nil},
		{"Many questions remain unanswered .", nil, []string{"c:warn"}},
		// A pledge to stand by a people is sympathy.
		{"Bush pledges to stand by Lebanon", []string{"f:sympathy"}, nil},
		// A party called the prime suspect, an attacker named, an admission
		// and pointed fingers blame; a suspect who is arrested, a patient
		// admitted and an admission no one made do not.
		{"Officials said Zarqawi is a prime suspect .", []string{"f:blame"}, nil},
		{"The main suspect was arrested .", nil, []string{"c:blame"}},
		{"Police have named the man as the suspected bomber .", []string{"f:blame"}, nil},
		{"The bomber died in the blast .", nil, []string{"c:blame"}},
		{"The Dane has admitted he killed five people .", []string{"f:blame"}, nil},
		{"He was admitted to hospital .", nil, []string{"c:blame"}},
		{"Moscow has not admitted responsibility .", nil, []string{"c:blame", "c:deny"}},
		{"Fingers are pointing at the cell .", []string{"f:blame"}, nil},
		// Claims discounted, doubted, and no signs of a culprit deny; no
		// doubt affirms, and no sign of damage denies nothing.
		{"The commander discounted suggestions that it was deliberate .", []string{"f:deny"}, nil},
		{"Investigators are doubtful that the act was terrorism .", []string{"f:deny"}, nil},
		{"There is no doubt that the group did it .", nil, []string{"c:deny"}},
		{"Police found no signs of foreign interference .", []string{"f:deny"}, nil},
		{"There was no sign of damage .", nil, []string{"c:deny"}},
		// Revision 15: what an attack or a person was not takes back the
		// claim that it was; a negation that is not of "be" does not.
		{"Police said the stabbing was not an act of terrorism .", []string{"f:deny"}, nil},
		{"His family says he's not a terrorist", []string{"f:deny"}, nil},
		{"The attack isn't terrorism .", []string{"f:deny"}, nil},
		{"It was certainly not terror - related .", []string{"f:deny"}, nil},
		{"They did not fund terrorism .", nil, []string{"f:deny"}},
		{"Terrorism is not over .", nil, []string{"c:deny"}},
		{"Londoners are not terrorised .", nil, []string{"c:deny"}},
		// The tokenizer splits "he's" and normalizeTokens drops the "' s".
		{"His family says he ' s not a terrorist", []string{"f:deny"}, nil},
		{"It ' s not terrorism , he said .", []string{"f:deny"}, nil},
		{"We ' re not terrorists , the group said .", []string{"f:deny"}, nil},
		{"I ' m not a terrorist , the suspect told the court .", []string{"f:deny"}, nil},
		{"Who ' s not a terrorist these days ?", nil, []string{"c:deny"}},
		// Revision 16: normalizeTokens writes contractions out, so "' ll"
		// is the "will" of a threat, and "' s", "' re" and "' m" the "be"
		// of a denial.
		{"We ' ll hunt down the killers , the commander said .", []string{"f:warn"}, nil},
		{"They ' d find them , the group said .", []string{"f:warn"}, nil},
		{"They ' d found them , the group said .", nil, []string{"c:warn"}},
		{"We ' re not terrorists .", []string{"f:deny"}, nil},
		{"What ' s not terrorism these days ?", nil, []string{"c:deny"}},
		{"\" Who ' s not a terrorist these days ? \" he asked .", nil, []string{"c:deny", "s:deny"}},
		{"The shooting , which was not an act of terrorism , was a robbery .", []string{"s:deny"}, nil},
		{"He ' s admitted killing five people .", []string{"f:blame"}, nil},
		{"He ' s carried out several attacks .", []string{"f:blame"}, nil},
		// Revision 16, from held-out 39: a hard time someone is seen
		// through, reaching out to the bereaved and an attack done by
		// someone.
		{"We are with you in these dark hours .", []string{"f:sympathy"}, nil},
		{"We stand with you in such a difficult time .", []string{"f:sympathy"}, nil},
		{"We are with you in this very difficult time .", []string{"f:sympathy"}, nil},
		{"The man was killed by gunmen during this tragic period .", nil, []string{"c:sympathy"}},
		{"Police asked the public for help at this difficult time .", nil, []string{"c:sympathy"}},
		{"Markets struggled with inflation in this difficult time .", nil, []string{"c:sympathy"}},
		{"The most difficult days are ahead of us .", nil, []string{"c:sympathy"}},
		{"He had a very difficult time finding work .", nil, []string{"c:sympathy"}},
		{"At this difficult time we must stay calm .", nil, []string{"c:sympathy"}},
		{"During this tragic period , the group claimed responsibility for the attack .", []string{"f:blame"}, []string{"c:sympathy"}},
		{"Investors face a very difficult time as markets fall .", nil, []string{"c:sympathy"}},
		{"This tragic incident killed four .", nil, []string{"c:sympathy"}},
		{"The mayor will reach out to the families .", []string{"f:sympathy"}, nil},
		{"Police reached out to the public for help .", nil, []string{"c:sympathy"}},
		{"The attack was done by insiders .", []string{"f:blame"}, nil},
		{"The damage done by the storm was vast .", nil, []string{"c:blame"}},
		{"The autopsy was done by the state pathologist .", nil, []string{"c:blame"}},
		{"The work will be done by Friday .", nil, []string{"c:blame"}},
		{"I believe it was done by people inside the country .", []string{"f:blame"}, nil},
		{"The bombing had been done by a local cell .", []string{"f:blame"}, nil},
		{"This was done by the pathologist .", nil, []string{"c:blame"}},
		{"It will be done by Friday .", nil, []string{"c:blame"}},
		{"The investigation into the attack was done by federal agents .", nil, []string{"c:blame"}},
		{"The strike was done by a mistake , Israel said .", nil, []string{"c:blame"}},
		// An advisory's own "not" takes nothing back, and travel advice
		// issued or changed warns (a mention of it does not).
		{"The State Department issued a do not travel warning for the state .", []string{"f:warn"}, nil},
		{"The embassy urged citizens not to travel to the region .", []string{"f:warn"}, nil},
		{"We do not go around blaming others for the attack , the ministry said .", []string{"f:deny"}, []string{"c:blame"}},
		{"He told them not to go blaming Iran for the attack .", nil, []string{"c:blame"}},
		{"The Foreign Office said there was no change to its travel advice .", nil, []string{"c:warn"}},
		{"Issues of travel advice were discussed at the meeting .", nil, []string{"c:warn"}},
		{"The ministry did not warn citizens .", nil, []string{"f:warn"}},
		{"The office has changed its travel advice for the coast .", []string{"f:warn"}, nil},
		{"Britain updated its travel advice on Monday .", []string{"f:warn"}, nil},
		{"Our travel advice reflects our assessment .", nil, []string{"c:warn"}},
		{"UK travel advice", nil, []string{"c:warn"}},
		{"Israel said the strike was done by mistake .", nil, []string{"c:blame"}},
		// Revision 17: an attacker's "in solidarity with" is a motive, not
		// sympathy; solidarity shown at a gathering, after an attack, by
		// workers on strike or with the victims is sympathy still.
		{"The Houthis say they are conducting the attacks in solidarity with Palestinians .", []string{"w:solidarity(motive)", "b:in solidarity(motive)", "b:solidarity(motive) with"}, []string{"c:sympathy", "w:solidarity", "b:in solidarity"}},
		{"The strike came amid a flurry of drone attacks by Iran - backed rebels in the Red Sea in solidarity with Gaza .", nil, []string{"c:sympathy"}},
		{"The rebels have attacked ships in solidarity with Gaza .", nil, []string{"c:sympathy"}},
		{"Thousands rallied after the attack in solidarity with the country .", []string{"f:sympathy", "w:solidarity", "b:in solidarity"}, []string{"w:solidarity(motive)"}},
		{"The attack prompted vigils in solidarity with the city .", []string{"f:sympathy"}, nil},
		{"Dockers went on strike in solidarity with the crew .", []string{"f:sympathy"}, nil},
		{"The bombing drew messages in solidarity with the victims .", []string{"f:sympathy"}, nil},
		{"Following the attack , in solidarity with France , flags flew at half - mast .", []string{"f:sympathy"}, nil},
		{"In solidarity with the people of Gaza , the group fired rockets .", []string{"f:sympathy"}, nil},
		{"The minister expressed solidarity after the attacks .", []string{"f:sympathy"}, nil},
		// Holding a party accountable blames it; a promise to hold
		// someone to account, or culprits not named, blame no one.
		{"Israel also holds Iran accountable for this unfortunate incident .", []string{"f:blame"}, nil},
		{"The report held the militia to account for the massacre .", []string{"f:blame"}, nil},
		{"Moscow was held accountable for the downing by the panel .", []string{"f:blame"}, nil},
		{"We will hold those responsible accountable .", nil, []string{"c:blame"}},
		{"The perpetrators must be held to account .", nil, []string{"c:blame"}},
		{"The president vowed to hold Iran accountable .", nil, []string{"c:blame"}},
		{"The perpetrators were held accountable in court .", nil, []string{"c:blame"}},
		{"Washington does not hold Kyiv accountable for the strike .", nil, []string{"c:blame"}},
		{"Officials should be accountable to parliament .", nil, []string{"c:blame"}},
		{"He gave an account of the attack .", nil, []string{"c:blame"}},
		// The review's near misses: motives said in other words, solidarity
		// shown after condemning or as the attack's effect, labour
		// strikes; no one held accountable, demands, threats and copulas.
		{"The Houthis have since attacked more than 100 ships in solidarity with Palestinians .", nil, []string{"c:sympathy"}},
		{"The Houthis have carried out over 100 attacks on shipping in solidarity with Gaza .", nil, []string{"c:sympathy"}},
		{"The Houthis attacked the tanker in March in solidarity with Gaza .", nil, []string{"c:sympathy"}},
		{"Houthis hit Greek tanker in solidarity with Gaza", nil, []string{"c:sympathy"}},
		{"The Houthis fired missiles at Eilat in a show of solidarity with Gaza .", nil, []string{"c:sympathy"}},
		{"The rebels say they attack ships out of solidarity with the Palestinians .", nil, []string{"c:sympathy"}},
		{"Muslim leaders condemned the attack and stood in solidarity with the Jewish community .", []string{"f:sympathy"}, nil},
		{"The attack drew an outpouring of messages in solidarity with the city .", []string{"f:sympathy"}, nil},
		{"The attack has united Australians in solidarity with the Jewish community .", []string{"f:sympathy"}, nil},
		{"The bombing prompted messages in solidarity with the family of the slain officer .", []string{"f:sympathy"}, nil},
		{"Unions called a nationwide strike in solidarity with the crew .", []string{"f:sympathy"}, nil},
		{"The tower turned off its lights on the night of the attack in solidarity with Britain .", []string{"f:sympathy"}, nil},
		{"The Houthis have been targeting ships in the Red Sea in what they say is solidarity with Palestinians .", nil, []string{"c:sympathy"}},
		{"Hezbollah began firing rockets at Israel on October 8 , in solidarity with Hamas .", nil, []string{"c:sympathy"}},
		{"The Eiffel Tower went dark on Tuesday , in solidarity with the victims of the attack .", []string{"f:sympathy"}, nil},
		{"Leaders gathered in Paris on Sunday , in solidarity with France .", []string{"f:sympathy"}, nil},
		{"The attack was condemned worldwide in solidarity with Spain .", []string{"f:sympathy"}, nil},
		{"What is solidarity worth , he asked .", []string{"f:sympathy"}, nil},
		// The second review: only a comma right before the phrase is
		// crossed; condemning the attack is solidarity shown; "in what it
		// said was", "in what they call"; an attack that prompted the
		// solidarity; "to condemn" as a motive; "Oct. 8"; a threat to
		// hostages' safety.
		{"Within hours of the attack , hundreds queued to donate blood in solidarity with the city .", []string{"f:sympathy"}, nil},
		{"The mosque , attacked by arsonists last year , opened its doors in solidarity with the synagogue .", []string{"f:sympathy"}, nil},
		{"The Security Council condemned the attack in solidarity with Pakistan .", []string{"c:sympathy"}, nil},
		{"Hezbollah began firing at Israel in what it said was solidarity with Gaza .", nil, []string{"c:sympathy"}},
		{"The rebels attack ships in what they call solidarity with the Palestinians .", nil, []string{"c:sympathy"}},
		{"The attack on the synagogue prompted neighbours to form a human chain in solidarity with the community .", []string{"c:sympathy"}, nil},
		{"The Houthis said they targeted the ship to condemn the war and in solidarity with Palestinians .", nil, []string{"c:sympathy"}},
		{"Hezbollah began firing rockets at Israel on Oct . 8 , in solidarity with Hamas .", nil, []string{"c:sympathy"}},
		{"Israel says it holds Hamas accountable for the safety of the hostages .", nil, []string{"c:blame"}},
		// A claim to have done a hostile act claims it; main suspects are
		// named as suspect is.
		{"The IRGC also claimed to have struck a gathering place of ISIS in Syria .", []string{"f:blame"}, nil},
		{"The group claims to have hacked the ministry .", []string{"f:blame"}, nil},
		{"The rebels claimed to have shot down the drone .", []string{"f:blame"}, nil},
		{"He claimed to have seen the gunman flee .", nil, []string{"c:blame"}},
		{"No group has claimed to have carried out the attack .", []string{"f:nocomment"}, []string{"f:blame"}},
		{"Officials dismissed the group ' s claim to have breached the bank .", []string{"f:deny"}, nil},
		{"U.S. officials said the DHKP - C were the main suspects .", []string{"f:blame"}, nil},
		{"The main suspects were arrested on Monday .", nil, []string{"c:blame"}},
		{"Israel holds the Iran - backed Houthis accountable for the attack on the tanker .", []string{"f:blame"}, nil},
		{"Kenya holds al - Shabaab accountable for the attack on the university .", []string{"f:blame"}, nil},
		{"No one has been held accountable for the attack .", nil, []string{"c:blame"}},
		{"None of the officers involved were held accountable .", nil, []string{"c:blame"}},
		{"The government has never held the militia commanders accountable .", nil, []string{"c:blame"}},
		{"Zelensky demanded that Russia be held accountable for the strike .", nil, []string{"c:blame"}},
		{"Kyiv wants Moscow held to account for the strike on the hospital .", nil, []string{"c:blame"}},
		{"The United States will fully hold Iran accountable .", nil, []string{"c:blame"}},
		{"Will Iran be held accountable ?", nil, []string{"c:blame"}},
		{"Israel holds the Lebanese government accountable for any attack from its territory .", nil, []string{"c:blame"}},
		{"The gunmen were held accountable in court .", nil, []string{"c:blame"}},
		{"The company that holds the security contract is accountable to the ministry .", nil, []string{"c:blame"}},
		// No indication of a culprit, a tie or a motive denies; of harm, or
		// of who did it, it does not, nor do indications found.
		{"There is no indication that he was linked to a group .", []string{"f:deny"}, nil},
		{"Investigators have not found any indications suggesting that he was inspired by the group .", []string{"f:deny"}, nil},
		{"There is no indication of any further threat to members of the public .", nil, []string{"c:deny"}},
		{"There are strong indications that the group was behind it .", nil, []string{"c:deny"}},
		{"There is no indication of survivors .", nil, []string{"c:deny"}},
		{"There was no indication of who was responsible .", nil, []string{"c:deny"}},
		// Not being aware of an operation or a link denies knowing of it.
		{"The company said it was not aware of the breach .", []string{"f:deny"}, nil},
		{"The firm remains unaware of any connection .", []string{"f:deny"}, nil},
		{"The Kremlin is unaware of the details .", nil, []string{"c:deny"}},
		{"We are not aware of harm to any other personnel .", nil, []string{"c:deny"}},
		{"He said he was not aware that any ransom was paid .", []string{"f:deny"}, nil},
		{"Washington said it was not aware of any Ukrainian involvement .", []string{"f:deny"}, nil},
		{"I was not aware that he had died .", nil, []string{"c:deny"}},
		{"Officials were not aware of any threat before the attack .", nil, []string{"c:deny"}},
		{"Residents were unaware of the attack until they heard sirens .", nil, []string{"c:deny"}},
		{"The ministry was not aware of the attack until it was reported .", nil, []string{"c:deny"}},
		// Remembering the dead is sympathy; a lesson never forgotten is
		// a threat, and sadness is grief.
		{"We will never forget them .", []string{"f:sympathy"}, nil},
		{"We will teach them a lesson they will never forget .", nil, []string{"c:sympathy"}},
		{"The world must never forget the victims .", []string{"f:sympathy"}, nil},
		{"She will never forget that day .", nil, []string{"c:sympathy"}},
		{"Israel will never forget and never forgive .", nil, []string{"c:sympathy"}},
		{"We will never forget and we will never forgive .", nil, []string{"c:sympathy"}},
		{"We will never forget who did this .", nil, []string{"c:sympathy"}},
		{"We must never forget the lessons of that day .", nil, []string{"c:sympathy"}},
		{"The president expressed deep sadness .", []string{"f:sympathy"}, nil},
		{"The UN chief was appalled by the attack .", []string{"f:sympathy"}, nil},
		{"Ban was appalled by reports that hundreds of civilians were slaughtered .", []string{"f:sympathy"}, nil},
		{"The minister said she was appalled by his remarks .", nil, []string{"c:sympathy"}},
		{"She was appalled by the response to the attack .", nil, []string{"c:sympathy"}},
		{"We are not appalled by the bombing , the militant leader said .", nil, []string{"c:sympathy"}},
		{"I am deeply pained by the attack .", []string{"f:sympathy"}, nil},
		// A sentence passed names who did it, as a charge does.
		{"Two men were sentenced to life for the bombing .", []string{"f:blame"}, nil},
	}
	for _, tt := range tests {
		names := featureNames(fc, tt.sentence)
		for _, h := range tt.has {
			if !slices.Contains(names, h) {
				t.Errorf("%q: features %v lack %s", tt.sentence, names, h)
			}
		}
		for _, h := range tt.hasNot {
			if slices.Contains(names, h) {
				t.Errorf("%q: features have %s", tt.sentence, h)
			}
		}
	}
}

// devTexts returns the sentences of the two development sets.
func devTexts(tb testing.TB) []string {
	tb.Helper()
	var texts []string
	for _, name := range []string{"testdata/dev/articles_dev.jsonl", "testdata/dev/hard_dev.jsonl"} {
		f, err := os.Open(name)
		if err != nil {
			tb.Fatal(err)
		}
		exs, err := ReadExamples(f)
		f.Close()
		if err != nil {
			tb.Fatal(err)
		}
		for _, ex := range exs {
			texts = append(texts, ex.Text)
		}
	}
	return texts
}

// TestFrameWords checks that extract, which calls the frame rules only on
// frameWords, misses none of their triggers: every position of every
// development sentence where a rule reports a frame has a word of the list.
func TestFrameWords(t *testing.T) {
	found := 0
	for _, text := range devTexts(t) {
		toks := normalizeTokens(punctTokens(text))
		names := capitalisedWords(text)
		for i, tok := range toks {
			if !(modalThreat(toks, i) || responseThreat(toks, i) || passiveAgent(toks, i) || offerOfHelp(toks, i, true) ||
				reportedAct(toks, i, &names) || ruledOut(toks, i)) {
				continue
			}
			found++
			if lexicon.words[tok].flags&flagFrame == 0 {
				t.Errorf("%q: a frame starts on %q, which frameWords lacks", text, tok)
			}
		}
	}
	if found < 50 {
		t.Errorf("got %d frames in the development sets, want at least 50", found)
	}
}

// TestCueFastPath checks that skipping the cue rules for tokens mayCue
// rules out changes no feature of any corpus or development sentence.
func TestCueFastPath(t *testing.T) {
	texts := append(corpusTexts(t), devTexts(t)...)
	texts = append(texts, hardStrings()...)
	for _, line := range revisionTexts(t) {
		// Every rule's trigger, rare words too, each part on its own:
		// features are deduplicated, so a cue found twice in one line
		// would hide a part the fast path skipped.
		texts = append(texts, strings.Split(line, ";")...)
	}
	fast, all := DefaultFeatures(), DefaultFeatures()
	all.allRules = true
	var a, b []uint64
	for _, s := range texts {
		toks := punctTokens(s)
		b = all.extract(b[:0], s, slices.Clone(toks), nil) // extract rewrites toks
		a = fast.extract(a[:0], s, toks, nil)
		if !slices.Equal(a, b) {
			t.Fatalf("%q: features differ with every cue rule run on every token", s)
		}
	}
	if len(texts) < 8000 {
		t.Errorf("got %d sentences, want at least 8000", len(texts))
	}
}

// featureGolden maps FeatureRevision to a hash of the features extracted
// from testdata/revision/sentences.txt with DefaultFeatures. Each entry was
// recorded on the file as it was at that revision (revision 4 added ten
// sentences, revision 5 eight more, revision 6 eight, revision 7 five,
// revision 8 five, revision 9 one, revision 10 one, revision 11 one,
// revision 12 one, revision 13 one, revision 14 one, revision 15 one,
// revision 16 one and revision 17 the last one).
var featureGolden = map[int]uint64{
	2:  0x3186206a1c275d80,
	3:  0x77e7866045c2fc0b,
	4:  0x4479d7ea9aea949a,
	5:  0xe26d06731b7ccb6d,
	6:  0x4ffe8b09089cd3fc,
	7:  0x95afbc1df56535b2,
	8:  0x41434b56ad1d952f,
	9:  0x534addf09735f02b,
	10: 0xe1c428ec8a3b6c41,
	11: 0xb6b3300dfb685796,
	12: 0xd26ebe96fec9d810,
	13: 0x93f5d761545446c4,
	14: 0xd448b523f2e1940,
	15: 0x11eb8a837a668638,
	16: 0x1ac841bb25d2a0c6,
	17: 0x807e74476c854dc4,
}

// punctTokens splits lower-cased text into runs of letters and digits and
// single other characters, roughly as the real tokenizer does.
func punctTokens(s string) []string {
	var out []string
	s = strings.ToLower(s)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += n
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			j := i
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r2) && !unicode.IsDigit(r2) {
					break
				}
				j += n2
			}
			out = append(out, s[i:j])
			i = j
		default:
			out = append(out, s[i:i+n])
			i += n
		}
	}
	return out
}

// revisionTexts returns the lines of testdata/revision/sentences.txt,
// which hold a trigger of every cue rule.
func revisionTexts(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("testdata/revision/sentences.txt")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// TestFeatureRevisionGolden fails when feature extraction changes what a
// sentence yields. Saved models record FeatureRevision, and an older
// model's Forget is refused on the strength of it, so such a change must
// bump FeatureRevision: then record the hash this test prints.
func TestFeatureRevisionGolden(t *testing.T) {
	fc := DefaultFeatures()
	h := fnv.New64a()
	var buf [8]byte
	var feats []uint64
	for _, s := range revisionTexts(t) {
		feats = fc.extract(feats[:0], s, punctTokens(s), nil)
		for _, f := range feats {
			binary.LittleEndian.PutUint64(buf[:], f)
			h.Write(buf[:])
		}
		h.Write([]byte{0xff})
	}
	got := h.Sum64()
	want, ok := featureGolden[FeatureRevision]
	if !ok || got != want {
		t.Errorf("features of testdata/revision/sentences.txt hash to %#x, want %#x for FeatureRevision %d.\n"+
			"If extraction changed on purpose, bump FeatureRevision and record %d: %#x in featureGolden.", got, want, FeatureRevision, FeatureRevision, got)
	}
}

// TestDedupe checks both of dedupe's paths, the scan of short lists and
// the map past dedupeScan: repeats go, first occurrences stay in order,
// and what comes before start is left alone.
func TestDedupe(t *testing.T) {
	long := make([]uint64, 0, 3*dedupeScan)
	var want []uint64
	for i := range 3 * dedupeScan {
		long = append(long, uint64(i%(2*dedupeScan)))
		if i < 2*dedupeScan {
			want = append(want, uint64(i))
		}
	}
	for _, tt := range []struct {
		name  string
		in    []uint64
		start int
		want  []uint64
	}{
		{"empty", nil, 0, nil},
		{"short", []uint64{7, 3, 7, 9, 3, 3}, 0, []uint64{7, 3, 9}},
		{"after start", []uint64{7, 7, 3, 7, 3}, 2, []uint64{7, 7, 3, 7}},
		{"long", long, 0, want},
		{"long after start", append([]uint64{5, 5}, long...), 2, append([]uint64{5, 5}, want...)},
	} {
		got := dedupe(slices.Clone(tt.in), tt.start)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %d hashes %v…, want %d %v…", tt.name, len(got), got[:min(len(got), 8)], len(tt.want), tt.want[:min(len(tt.want), 8)])
		}
	}
}
