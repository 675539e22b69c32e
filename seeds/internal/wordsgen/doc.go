// Command wordsgen writes seeds/words.txt: the tokens the embedded
// tokenizer.json gives every word of the embedded training corpus, which
// the server reads at startup instead of running sugarme/tokenizer on each
// of them (see classifier.Tokenizer.WriteWords).
//
// Usage:
//
//	go run ./seeds/internal/wordsgen -out seeds/words.txt
//
// `make vocab` runs it after writing tokenizer.json. The output depends only
// on the embedded tokenizer.json and corpus, so re-runs give identical
// files; seeds' TestWordsFresh fails when the committed file is stale.
package main
