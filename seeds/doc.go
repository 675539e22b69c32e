// Package seeds holds the project's training data, embedded in the binary:
// the five seed news articles with a reference label for every sentence,
// the written training corpus, and the default tokenizer definition.
//
// The default model is trained from Corpus, which holds the seed
// sentences (Labeled) too; they are real news, and a model trained on
// Written alone is tested on them (the quality tool's figure (b)).
package seeds
