// Command quality measures the default model's accuracy figures:
//
//	go run ./classifier/internal/quality            # (a) k-fold CV on the whole corpus, (b) written corpus -> seed sentences
//	go run ./classifier/internal/quality -errors    # also list the seed sentences (b) gets wrong, with their top features
//	go run ./classifier/internal/quality -loao      # also (d) leave one seed article out
//	go run ./classifier/internal/quality -dev a.jsonl,b.jsonl  # also (c), (e), … the whole corpus scored on held-out sets
//	go run ./classifier/internal/quality -dev a.jsonl -dev-folds 5  # also (c') a.jsonl by 5 folds, each trained on the corpus and the other four
//	go run ./classifier/internal/quality -explain "…"          # every feature of one sentence, and stop
//	go run ./classifier/internal/quality -agree a.jsonl,b.jsonl  # how far two labelings of the same sentences agree, and stop
//	go run ./classifier/internal/quality -suspects  # the written sentences whose label their out-of-fold model confidently contradicts (file:line), and stop
//	go run ./classifier/internal/quality -without starter.jsonl  # every figure with these corpus files left out
//
// Under each set it prints the macro-F1, accuracy and confusion matrix,
// and the calibration of the confidences (the expected calibration error
// and how many sentences get 0.8 or 0.9 or more, and how many of those
// are right). -cfg takes a whole FeatureConfig as JSON to compare feature
// sets; a field it leaves out is zero, so a temperature left out is naive
// Bayes's own (add "temperature": 6 for the default's).
package main
