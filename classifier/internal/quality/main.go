package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/claimsvc/claims/classifier"
	"github.com/claimsvc/claims/seeds"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quality:", err)
		os.Exit(1)
	}
}

func run(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("quality", flag.ContinueOnError)
	cfgJSON := fs.String("cfg", "", "feature config as JSON (default: the default model's)")
	alpha := fs.Float64("alpha", classifier.DefaultAlpha, "additive smoothing")
	folds := fs.Int("folds", 10, "folds for cross-validation (0 skips it)")
	showErrors := fs.Bool("errors", false, "list misclassified seed sentences")
	dev := fs.String("dev", "", "also score these JSONL files, comma-separated (trained on the whole corpus)")
	loao := fs.Bool("loao", false, "also score leave-one-seed-article-out")
	seedWeight := fs.Int("seed-weight", 1, "with -loao, how many times the seed sentences count")
	devFolds := fs.Int("dev-folds", 0, "with -dev, also score each set by this many folds of consecutive examples, each trained on the whole corpus and the set's other folds: what the model could reach with data like the set's (0 skips it)")
	explain := fs.String("explain", "", "print every feature of this sentence under the written-corpus model, and stop")
	agree := fs.String("agree", "", "A.jsonl,B.jsonl: score B's labels against A's, the same sentences in the same order labeled twice (how far two readers agree), and stop")
	without := fs.String("without", "", "leave these written-corpus files (names as in seeds/corpus, comma-separated) out of every model")
	showSuspects := fs.Bool("suspects", false, "list the written corpus's sentences whose label their out-of-fold model (-folds folds, each trained on the other folds and the seed sentences) confidently contradicts, and stop")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *agree != "" {
		names := strings.Split(*agree, ",")
		if len(names) != 2 {
			return fmt.Errorf("-agree %q: give two files, comma-separated", *agree)
		}
		var sets [2][]classifier.Example
		for i, name := range names {
			exs, err := readFile(name)
			if err != nil {
				return fmt.Errorf("-agree: %w", err)
			}
			sets[i] = exs
		}
		a, b := sets[0], sets[1]
		m, err := agreement(a, b)
		if err != nil {
			return fmt.Errorf("-agree: %w", err)
		}
		report(w, fmt.Sprintf("%s's labels scored against %s's (%d sentences)", names[1], names[0], len(a)), m)
		return nil
	}
	if *devFolds < 0 || *devFolds == 1 || *devFolds > 0 && *dev == "" {
		return fmt.Errorf("-dev-folds %d: give 0, or 2 or more with -dev", *devFolds)
	}
	fc := classifier.DefaultFeatures()
	if *cfgJSON != "" {
		fc = classifier.FeatureConfig{}
		if err := json.Unmarshal([]byte(*cfgJSON), &fc); err != nil {
			return fmt.Errorf("-cfg: %w", err)
		}
	}
	tok, err := classifier.NewTokenizer(bytes.NewReader(seeds.Tokenizer()))
	if err != nil {
		return err
	}
	newModel := func() *classifier.Classifier {
		return classifier.New(tok, classifier.WithFeatures(fc), classifier.WithAlpha(*alpha))
	}
	cfs, err := seeds.WrittenFiles()
	if err != nil {
		return err
	}
	cfs, err = leaveOut(cfs, *without)
	if err != nil {
		return fmt.Errorf("-without: %w", err)
	}
	var written []classifier.Example
	for _, f := range cfs {
		written = append(written, f.Examples...)
	}
	labeled, err := seeds.Labeled()
	if err != nil {
		return err
	}
	all := append(append([]classifier.Example(nil), written...), labeled...)
	if *showSuspects {
		if *folds < 2 {
			return fmt.Errorf("-suspects: -folds %d: give 2 or more", *folds)
		}
		n, ss, err := suspects(written, labeled, *folds, newModel)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%d of the %d written sentences are misclassified out of fold (%d folds, each model trained on the other folds and the %d seed sentences); %d of them confidently, their label under %.2f and another over %.2f:\n",
			n, len(written), *folds, len(labeled), len(ss), suspectGold, suspectOther)
		for _, x := range ss {
			f, line := whereIs(cfs, x.index)
			fmt.Fprintf(w, "%-11s -> %-11s %.2f  %s:%d  %s\n", x.Label, x.got, x.confidence, f, line, x.Text)
		}
		return nil
	}

	if *folds > 1 {
		m, err := classifier.CrossValidate(all, *folds, 1, newModel)
		if err != nil {
			return err
		}
		report(w, fmt.Sprintf("(a) %d-fold cross-validation on the whole corpus (%d sentences)", *folds, len(all)), m)
	}
	model := newModel()
	if _, err := model.Replace(context.Background(), written); err != nil {
		return err
	}
	m, err := model.Evaluate(context.Background(), labeled)
	if err != nil {
		return err
	}
	if *explain != "" {
		p, err := model.Explain(*explain, 1000)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s %.2f\n", p.Label, p.Confidence)
		for _, f := range p.Features {
			fmt.Fprintf(w, "  %-30s %6.2f\n", f.Feature, f.Weight)
		}
		return nil
	}
	report(w, fmt.Sprintf("(b) trained on the written corpus (%d), tested on the seed sentences (%d)", len(written), len(labeled)), m)
	if *showErrors {
		listErrors(w, model, labeled)
	}
	if *loao {
		docs, err := seeds.Documents()
		if err != nil {
			return err
		}
		dm, err := pooled(len(docs), "article", newModel, func(i int) (train, test []classifier.Example) {
			train = append(train, written...)
			for j, o := range docs {
				if j != i {
					for range *seedWeight {
						train = append(train, o.Sentences...)
					}
				}
			}
			return train, docs[i].Sentences
		})
		if err != nil {
			return err
		}
		report(w, fmt.Sprintf("(d) leave one seed article out: trained on the written corpus and the other four articles (weight %d)", *seedWeight), dm)
	}
	if *dev != "" {
		full := newModel()
		if _, err := full.Replace(context.Background(), all); err != nil {
			return err
		}
		// The development sets are (c), (e), (f), … in the order given:
		// (d) was taken before the hard set was added as (e).
		letters := "cefghijklmnopqrstuvwxyz"
		for i, name := range strings.Split(*dev, ",") {
			letter := "?"
			if i < len(letters) {
				letter = letters[i : i+1]
			}
			exs, err := readFile(name)
			if err != nil {
				return err
			}
			dm, err := full.Evaluate(context.Background(), exs)
			if err != nil {
				return err
			}
			report(w, fmt.Sprintf("(%s) trained on the whole corpus, tested on %s (%d)", letter, name, len(exs)), dm)
			if *showErrors {
				listErrors(w, full, exs)
			}
			if *devFolds > 0 {
				k := min(*devFolds, len(exs))
				m, err := devCV(all, exs, k, newModel)
				if err != nil {
					return err
				}
				report(w, fmt.Sprintf("(%s') %d folds of %s, each trained on the whole corpus and the other folds", letter, k, name), m)
			}
		}
	}
	return nil
}

// devCV scores dev by k folds of consecutive examples (an article's
// sentences mostly stay in one fold), each classified by a model trained
// on corpus and dev's other folds; k is at most len(dev).
func devCV(corpus, dev []classifier.Example, k int, newModel func() *classifier.Classifier) (classifier.Metrics, error) {
	return pooled(k, "fold", newModel, func(f int) (train, test []classifier.Example) {
		lo, hi := f*len(dev)/k, (f+1)*len(dev)/k
		train = append(append(append(train, corpus...), dev[:lo]...), dev[hi:]...)
		return train, dev[lo:hi]
	})
}

// pooled trains a model (newModel) for each of n parts on the part's
// training examples and classifies its test examples (split(i)), and
// scores the predictions of all parts together; part names a part in
// errors.
func pooled(n int, part string, newModel func() *classifier.Classifier, split func(i int) (train, test []classifier.Example)) (classifier.Metrics, error) {
	var gold, pred []string
	var cal classifier.Calibration
	for i := range n {
		train, test := split(i)
		m := newModel()
		if _, err := m.Replace(context.Background(), train); err != nil {
			return classifier.Metrics{}, fmt.Errorf("%s %d of %d: %w", part, i+1, n, err)
		}
		for _, ex := range test {
			p, err := m.Classify(ex.Text)
			if err != nil {
				return classifier.Metrics{}, err
			}
			gold, pred = append(gold, ex.Label), append(pred, p.Label)
			cal.Add(p.Confidence, p.Label == ex.Label)
		}
	}
	m := classifier.Score(gold, pred)
	m.Calibration = cal
	return m, nil
}

// leaveOut returns cfs without the files named in list (comma-separated);
// a name that is not one of them is an error that lists them.
func leaveOut(cfs []seeds.CorpusFile, list string) ([]seeds.CorpusFile, error) {
	if list == "" {
		return cfs, nil
	}
	drop := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		if !slices.ContainsFunc(cfs, func(f seeds.CorpusFile) bool { return f.Name == name }) {
			names := make([]string, len(cfs))
			for i, f := range cfs {
				names[i] = f.Name
			}
			return nil, fmt.Errorf("%q is not a corpus file; they are %s", name, strings.Join(names, ", "))
		}
		drop[name] = true
	}
	return slices.DeleteFunc(slices.Clone(cfs), func(f seeds.CorpusFile) bool { return drop[f.Name] }), nil
}

// whereIs returns the file and line of the i-th example of cfs, counted
// across the files in order.
func whereIs(cfs []seeds.CorpusFile, i int) (string, int) {
	for _, f := range cfs {
		if i < len(f.Examples) {
			return f.Name, f.Lines[i]
		}
		i -= len(f.Examples)
	}
	return "?", 0
}

// A suspect is an example whose out-of-fold prediction gives its label a
// probability under suspectGold and another label one over suspectOther.
const (
	suspectGold  = 0.1
	suspectOther = 0.8
)

// suspect is a corpus example its out-of-fold model confidently
// contradicts.
type suspect struct {
	classifier.Example
	index      int     // in the corpus
	got        string  // the label predicted
	confidence float64 // its probability
}

// suspects classifies every example of corpus with a model (newModel)
// trained on the other k-1 folds of corpus (example i is in fold i%k) and
// on extra. It returns how many are misclassified, and the suspects among
// them by gold label, then predicted label, then confidence, highest
// first.
func suspects(corpus, extra []classifier.Example, k int, newModel func() *classifier.Classifier) (int, []suspect, error) {
	wrong := 0
	var out []suspect
	for f := range k {
		var train []classifier.Example
		for i, ex := range corpus {
			if i%k != f {
				train = append(train, ex)
			}
		}
		m := newModel()
		if _, err := m.Replace(context.Background(), append(train, extra...)); err != nil {
			return 0, nil, fmt.Errorf("fold %d of %d: %w", f+1, k, err)
		}
		for i := f; i < len(corpus); i += k {
			ex := corpus[i]
			p, err := m.Classify(ex.Text)
			if err != nil {
				return 0, nil, fmt.Errorf("example %d: %w", i+1, err)
			}
			if p.Label == ex.Label {
				continue
			}
			wrong++
			gold := 0.0
			for _, sc := range p.Scores {
				if sc.Label == ex.Label {
					gold = sc.Probability
				}
			}
			if gold < suspectGold && p.Confidence > suspectOther {
				out = append(out, suspect{Example: ex, index: i, got: p.Label, confidence: p.Confidence})
			}
		}
	}
	slices.SortFunc(out, func(a, b suspect) int {
		return cmp.Or(cmp.Compare(a.Label, b.Label), cmp.Compare(a.got, b.got), cmp.Compare(b.confidence, a.confidence), cmp.Compare(a.index, b.index))
	})
	return wrong, out, nil
}

// agreement scores the labels of b against those of a, which must hold the
// same sentences in the same order.
func agreement(a, b []classifier.Example) (classifier.Metrics, error) {
	if len(a) != len(b) {
		return classifier.Metrics{}, fmt.Errorf("the files hold %d and %d sentences", len(a), len(b))
	}
	first, second := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		if a[i].Text != b[i].Text {
			return classifier.Metrics{}, fmt.Errorf("sentence %d differs: %q against %q", i+1, a[i].Text, b[i].Text)
		}
		first[i], second[i] = a[i].Label, b[i].Label
	}
	return classifier.Score(first, second), nil
}

// readFile reads a JSONL file of examples; its errors name the file.
func readFile(name string) ([]classifier.Example, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err // *fs.PathError names the file
	}
	defer f.Close()
	exs, err := classifier.ReadExamples(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return exs, nil
}

func report(w io.Writer, title string, m classifier.Metrics) {
	// A set written for some labels only is scored over those: a label
	// with no example in it has F1 0 and would pull the mean down.
	var sum float64
	var missing []string
	n := 0
	for _, l := range m.PerLabel {
		switch {
		case l.Label == classifier.OtherLabel:
		case l.Support == 0:
			missing = append(missing, l.Label)
		default:
			sum += l.F1
			n++
		}
	}
	if len(missing) > 0 && n > 0 {
		fmt.Fprintf(w, "%s\n  macro-F1 over the %d claim labels in the set %.3f, accuracy %.3f (over all claim labels %.3f; the set has no %s)\n",
			title, n, sum/float64(n), m.Accuracy, m.MacroF1, strings.Join(missing, ", "))
	} else {
		fmt.Fprintf(w, "%s\n  macro-F1 (claim labels) %.3f, accuracy %.3f\n", title, m.MacroF1, m.Accuracy)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "  \tP\tR\tF1\tn\t|")
	for _, l := range m.Labels {
		fmt.Fprintf(tw, "\t%.5s", l)
	}
	fmt.Fprintln(tw, "\t")
	for i, l := range m.PerLabel {
		fmt.Fprintf(tw, "  %s\t%.2f\t%.2f\t%.2f\t%d\t|", l.Label, l.Precision, l.Recall, l.F1, l.Support)
		for _, n := range m.Confusion[i] {
			fmt.Fprintf(tw, "\t%d", n)
		}
		fmt.Fprintln(tw, "\t")
	}
	tw.Flush()
	if n := m.Calibration.Examples(); n > 0 {
		fmt.Fprintf(w, "  confidence: calibration error %.3f", m.Calibration.Error())
		for _, from := range []int{8, 9} {
			var b classifier.CalibrationBin
			for _, x := range m.Calibration.Bins[from:] {
				b.Examples += x.Examples
				b.Correct += x.Correct
			}
			fmt.Fprintf(w, "; %.1f or more: %.0f%% of the sentences, %.0f%% of them right", float64(from)/10, 100*float64(b.Examples)/float64(n), 100*b.Accuracy())
		}
		fmt.Fprintln(w)
	}
}

// listErrors prints the examples model gets wrong with their top features.
func listErrors(w io.Writer, model *classifier.Classifier, exs []classifier.Example) {
	for _, ex := range exs {
		p, _ := model.Explain(ex.Text, 6)
		if p.Label == ex.Label {
			continue
		}
		var fs []string
		for _, f := range p.Features {
			fs = append(fs, fmt.Sprintf("%s(%.1f)", f.Feature, f.Weight))
		}
		fmt.Fprintf(w, "gold %-11s got %-11s %.2f | %s\n      %s\n", ex.Label, p.Label, p.Confidence, ex.Text, strings.Join(fs, " "))
	}
}
