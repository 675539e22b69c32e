// Command quality measures the default model's accuracy figures:
//
//	go run ./classifier/internal/quality            # (a) k-fold CV on the whole corpus, (b) written corpus -> seed sentences
//	go run ./classifier/internal/quality -errors    # also list the seed sentences (b) gets wrong, with their top features
//	go run ./classifier/internal/quality -loao      # also (d) leave one seed article out
//	go run ./classifier/internal/quality -dev a.jsonl,b.jsonl  # also (c), (e), … the whole corpus scored on held-out sets
//	go run ./classifier/internal/quality -dev a.jsonl -dev-folds 5  # also (c') a.jsonl by 5 folds, each trained on the corpus and the other four
//	go run ./classifier/internal/quality -explain "…"          # every feature of one sentence, and stop
//
// -cfg takes a FeatureConfig as JSON to compare feature sets.
package main
