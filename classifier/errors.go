package classifier

import (
	"errors"
	"fmt"
)

// Sentinel errors returned by the package. Callers match them with errors.Is;
// the returned errors wrap them with details such as the offending index.
var (
	// ErrEmptyText reports a text that is empty or only white space and
	// invisible characters (zero-width, byte order and bidirectional marks).
	ErrEmptyText = errors.New("text is empty")
	// ErrInvalidUTF8 reports a text that is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("text is not valid UTF-8")
	// ErrControlChar reports a text holding NUL or another control character
	// other than tab, line feed and carriage return.
	ErrControlChar = errors.New("text contains a control character")
	// ErrEmptyLabel reports an example whose label is empty or blank.
	ErrEmptyLabel = errors.New("label is empty")
	// ErrInvalidLabel reports a label that is not a short lowercase name.
	ErrInvalidLabel = errors.New("label is not valid")
	// ErrUnknownLabel reports a label the model does not have.
	ErrUnknownLabel = errors.New("label is not known to the model")
	// ErrNoExamples reports a training, forgetting or evaluation call with no examples.
	ErrNoExamples = errors.New("no examples")
	// ErrNotLearned reports a Forget of an example the model never learned
	// (or has learned fewer times than it is asked to forget).
	ErrNotLearned = errors.New("example was not learned")
	// ErrTooFewLabels reports a model that would be left with fewer than two labels.
	ErrTooFewLabels = errors.New("a model needs at least two labels")
	// ErrOneLabel reports a Replace whose examples name fewer than two
	// labels: a fault of the examples alone, whatever the model. It wraps
	// ErrTooFewLabels.
	ErrOneLabel = fmt.Errorf("examples name fewer than two labels: %w", ErrTooFewLabels)
	// ErrTooManyLabels reports a Learn or Replace that would give the model
	// more labels than its limit (see WithMaxLabels).
	ErrTooManyLabels = errors.New("model would have more labels than its limit")
	// ErrTooManyLabelsToScore reports an Evaluate whose examples name
	// more labels the model lacks than its label limit (see Evaluate).
	ErrTooManyLabelsToScore = errors.New("examples name more labels the model lacks than its label limit")
	// ErrTooManyFeatures reports a Learn or Replace that would give the
	// model more distinct features than its limit (see WithMaxFeatures).
	// Nothing is changed.
	ErrTooManyFeatures = errors.New("model would have more features than its limit")
	// ErrTooManyLearned reports a Learn or Replace that would give the
	// model more distinct examples than its limit (see WithMaxLearned).
	// Nothing is changed.
	ErrTooManyLearned = errors.New("model would hold more distinct examples than its limit")
	// ErrModelFull reports a change the saved model format cannot hold: an
	// example learned, or a feature counted, more than 2³¹−1 times
	// (summed over its labels), or a model whose saved form
	// would pass the 1 GiB a model file may hold. Nothing is changed; a
	// model saved with it could not be loaded again.
	ErrModelFull = errors.New("model has reached a limit of its saved format")
	// ErrVersionChanged reports a Learn, Forget or Replace made with
	// IfVersion whose model is no longer at the version it expected:
	// another change came first. Nothing is changed.
	ErrVersionChanged = errors.New("model is not at the expected version")
	// ErrPersist reports that a change could not be stored and was not applied.
	ErrPersist = errors.New("model could not be persisted; change not applied")
	// ErrPersistStalled reports that a change has been persisting for
	// longer than WithPersistStall allows (a stalled disk): a Learn,
	// Forget or Replace refused for it, unapplied, rather than wait for
	// it, and a SettledInfo that stopped waiting for it (see
	// PersistStalled).
	ErrPersistStalled = errors.New("a change has been persisting for longer than the model allows (a stalled disk or volume?)")
	// ErrStaleFeatures reports a Forget on a model whose counts were
	// gathered by another revision of the feature extractor (a model saved
	// by an older build), or with another tokenizer when the difference
	// shows (the features to take back were never learned): the examples'
	// features now differ from the ones learned, so they cannot be taken
	// back exactly. Replace retrains it.
	ErrStaleFeatures = errors.New("model's counts were gathered by another feature extractor or tokenizer")
	// ErrBadConfig reports a FeatureConfig a model cannot use (see
	// FeatureConfig.Validate); a Classifier made with one learns nothing.
	ErrBadConfig = errors.New("feature configuration is not valid")
	// ErrBadModel reports a saved model that is corrupt, truncated, of an
	// unknown version or not a model at all.
	ErrBadModel = errors.New("not a valid model file")
	// ErrReloadConfig reports a Reload of a model saved with another
	// feature configuration or smoothing than the served one's.
	ErrReloadConfig = errors.New("the saved model was made with another feature configuration")
	// ErrBadWords reports a word list for Tokenizer.ReadWords that is
	// malformed or not a word list at all.
	ErrBadWords = errors.New("not a valid word list")
	// ErrWordsMismatch reports a word list made with another
	// tokenizer.json than the tokenizer reading it.
	ErrWordsMismatch = errors.New("word list was made with another tokenizer")
)
