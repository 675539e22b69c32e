// Command vocabgen builds the Hugging Face format tokenizer.json used by the
// classifier from the project's JSONL corpus files.
//
// Usage:
//
//	go run ./classifier/internal/vocabgen -out seeds/tokenizer.json seeds/corpus/*.jsonl seeds/labeled.jsonl
//
// Every input line is a JSON object with a "text" field (other fields are
// ignored). Missing input files are reported on stderr and skipped, and so
// are lines that do not parse (counted in the summary), so the command can
// run while the corpus is still being written. The output depends
// only on the multiset of texts read: the vocabulary is sorted by frequency
// and then by byte order, and JSON object keys are written sorted, so re-runs
// over the same data produce byte-identical files.
//
// The pipeline written to the file is:
//
//   - normalizer: Sequence of Replace steps (Unicode space characters to " ",
//     invisible format characters removed (the soft hyphen, joiners, the
//     byte order mark, bidirectional marks and controls), typographic quotes to
//     ASCII quotes) followed by Lowercase;
//   - pre_tokenizer: Sequence[WhitespaceSplit, Punctuation(Isolated)];
//   - model: WordPiece with unk token "[UNK]" and prefix "##" whose vocabulary
//     is every word of the corpus (as produced by the pipeline above), every
//     single character seen plus a baseline alphabet (printable ASCII, Latin,
//     Greek, Cyrillic and Arabic letters, combining accents, general
//     punctuation and currency signs), and "##"+character for each of those
//     characters, so an unseen word decomposes into pieces instead of
//     collapsing to [UNK].
//
// Why Replace steps and not NFKC: sugarme v0.3.0's NFKC normalizer leaves a
// sentence untouched when it is already NFKC-normal and otherwise emits the
// NFKD form with broken alignments, which panics (index out of range) on
// sentences that contain U+00A0 and two or more accented letters, and turns
// "café" into "cafe"+U+0301 only in sentences that also contain U+00A0.
// The Replace steps give the intended effect (compatibility spaces become
// plain spaces, typographic quotes become ASCII) without either problem.
//
// Why one Replace step per character and not one Regex step per class:
// sugarme v0.3.0's tokenizer.json loader looks for "Regex" in the step's
// parameters instead of in its "pattern" object, so a Regex pattern is read
// as an empty String pattern and replaces nothing ("and\u00a0condolences"
// then encodes as [UNK] [UNK]).
//
// The words are computed by running sugarme/tokenizer's own normalizer and
// pre-tokenizer built from the same configuration, so the vocabulary matches
// what the model sees at run time.
package main
