// Package classifier labels the sentences of news text with the kind of
// claim they make (in the default model: attribution, denial, warning,
// condolence or other). It is a plain library with no RPC in it.
//
// The pipeline is:
//
//   - Segment splits text into sentences with byte offsets: a line break
//     always ends a unit (headlines and captions are sentences of their
//     own), and abbreviations, initials, decimals, times and ellipses do
//     not end one.
//   - Tokenizer turns a sentence into tokens with a sugarme/tokenizer
//     pipeline loaded from a Hugging Face tokenizer.json, memoized per word
//     in a bounded cache without changing a token.
//   - the features (FeatureConfig) turn the tokens into ones that try to
//     find the sentence's main claim: words and word pairs, clause tags,
//     negation scope, claim-cue families and the first cue, sentence shape.
//   - Classifier scores the features with multinomial naive Bayes in log
//     space, its probabilities tempered (FeatureConfig.Temperature) so
//     that a confidence can be taken at its word. It learns and forgets
//     examples exactly (integer counts), never forgets what it did not
//     learn, explains its decisions, evaluates labeled data (the
//     confidences' calibration too), and saves and loads itself in a
//     versioned, checksummed format that records the feature-extractor
//     revision and the tokenizer its counts were gathered with. Learn,
//     Forget, Replace and Evaluate stop, changing nothing, when their
//     context is done; classification never waits for them. ClassifyText
//     and ClassifyBatch stop too, between sentences and (with a Tokenizer)
//     between the pieces of a long one (512 bytes, or 1 KiB on a pipeline
//     the fast path does not serve).
//
// Errors are the package's sentinels (ErrEmptyText, ErrUnknownLabel, …),
// wrapped with details; callers match them with errors.Is.
package classifier
