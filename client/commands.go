package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

type classifyOpts struct {
	json      bool
	sentences bool
	explain   int
}

func classifyFlags(fs *flag.FlagSet) any {
	o := &classifyOpts{}
	fs.BoolVar(&o.json, "json", false, "print one JSON object per sentence")
	fs.BoolVar(&o.sentences, "sentences", false, "treat each input line as one sentence (no segmentation)")
	fs.IntVar(&o.explain, "explain", 0, "show up to this many features that decided each label")
	return o
}

// readInput reads the file named by the first argument, or stdin for "-"
// or no argument.
func readInput(e *env) ([]byte, error) {
	if len(e.args) > 1 {
		return nil, usageErrorf("expected at most one FILE, got %d arguments", len(e.args))
	}
	if len(e.args) == 0 || e.args[0] == "-" {
		return io.ReadAll(e.stdin)
	}
	return os.ReadFile(e.args[0])
}

// jsonFeature is one deciding feature in --json output, in weight order.
type jsonFeature struct {
	Name   string  `json:"name"`
	Weight float64 `json:"weight"`
}

func runClassify(ctx context.Context, e *env, opts any) error {
	o := opts.(*classifyOpts)
	input, err := readInput(e)
	if err != nil {
		return err
	}
	// A byte order mark is not text; offsets stay those of the file.
	base := 0
	if bytes.HasPrefix(input, utf8BOM) {
		input, base = input[len(utf8BOM):], len(utf8BOM)
	}
	l := serverLimits(ctx, e)
	// Input beyond the server's per-request limits goes in several
	// requests; sentence indexes and offsets are those of the whole input.
	var results []*claimsv1.SentenceResult
	var resultVersion []uint64 // model version that classified each result
	versions := map[uint64]bool{}
	var version uint64
	classify := func(req *claimsv1.ClassifyRequest, start int) error {
		req.Explain = int32(o.explain)
		cctx, cancel := e.common.callContext(ctx)
		defer cancel()
		resp, err := e.client().Classify(cctx, req)
		if err != nil {
			return err
		}
		version = resp.GetModelVersion()
		versions[version] = true
		for i, s := range resp.GetSentences() {
			s.Index = int32(len(results) + i)
			if req.GetText() != "" {
				s.Start += int32(start)
				s.End += int32(start)
			}
		}
		results = append(results, resp.GetSentences()...)
		for range resp.GetSentences() {
			resultVersion = append(resultVersion, version)
		}
		return nil
	}
	if o.sentences {
		var lines []string
		for _, line := range strings.Split(string(input), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				lines = append(lines, line)
			}
		}
		for _, part := range chunkSentences(lines, l) {
			if err := classify(&claimsv1.ClassifyRequest{Sentences: part}, 0); err != nil {
				return err
			}
		}
	} else {
		for _, c := range chunkText(string(input), l) {
			if err := classify(&claimsv1.ClassifyRequest{Text: c.text}, base+c.start); err != nil {
				return err
			}
		}
	}
	if len(versions) > 1 {
		fmt.Fprintf(e.stderr, "client: the model changed while the input was classified (%d versions); the last was %d\n", len(versions), version)
	}
	if o.json {
		enc := json.NewEncoder(e.stdout)
		for i, s := range results {
			line := map[string]any{
				"index": s.GetIndex(), "text": s.GetText(), "label": s.GetLabel(),
				"confidence": s.GetConfidence(), "model_version": resultVersion[i],
			}
			if !o.sentences {
				line["start"], line["end"] = s.GetStart(), s.GetEnd()
			}
			if len(s.GetScores()) > 0 {
				scores := make(map[string]float64, len(s.GetScores()))
				for _, sc := range s.GetScores() {
					scores[sc.GetLabel()] = sc.GetProbability()
				}
				line["scores"] = scores
			}
			if len(s.GetFeatures()) > 0 {
				fs := make([]jsonFeature, len(s.GetFeatures()))
				for i, f := range s.GetFeatures() {
					fs[i] = jsonFeature{f.GetName(), f.GetWeight()}
				}
				line["features"] = fs
			}
			if err := enc.Encode(line); err != nil {
				return err
			}
		}
		return nil
	}
	var t table
	t.add("#", "LABEL", "CONF", "SENTENCE")
	for _, s := range results {
		t.add(strconv.Itoa(int(s.GetIndex())+1), s.GetLabel(), fmt.Sprintf("%.2f", s.GetConfidence()), ellipsize(s.GetText(), 100))
		for _, f := range s.GetFeatures() {
			t.add("", "", fmt.Sprintf("%+.2f", f.GetWeight()), "  "+f.GetName())
		}
	}
	if err := t.write(e.stdout); err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "\nmodel version %d, %d sentences\n", version, len(results))
	return err
}

// utf8BOM is the byte order mark some editors write at the start of a
// UTF-8 file.
var utf8BOM = []byte("\ufeff")

// ellipsize shortens s to at most n runes for the table.
func ellipsize(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}

type dataOpts struct {
	data    string
	batch   int
	replace bool
	newLbls bool
}

func dataFlags(fs *flag.FlagSet) any {
	o := &dataOpts{}
	fs.StringVar(&o.data, "data", "", "JSON Lines file of {\"text\": ..., \"label\": ...} examples (- for stdin)")
	fs.IntVar(&o.batch, "batch", 1000, "examples per request")
	return o
}

func trainFlags(fs *flag.FlagSet) any {
	o := dataFlags(fs).(*dataOpts)
	fs.BoolVar(&o.replace, "replace", false, "rebuild the model from exactly this file (sent as one request)")
	fs.BoolVar(&o.newLbls, "allow-new-labels", false, "add labels the model does not have yet")
	return o
}

// examples are the --data file's examples, with the line each was read
// from.
type examples struct {
	file  string
	exs   []*claimsv1.Example
	lines []int
}

// readExamples reads the --data file and checks each example as the server
// would, so that a bad one is reported with its line before anything is
// sent.
func readExamples(e *env, o *dataOpts) (*examples, error) {
	if len(e.args) > 0 {
		return nil, usageErrorf("unexpected arguments %q (the examples go in --data FILE.jsonl)", e.args)
	}
	if o.data == "" {
		return nil, usageErrorf("--data FILE.jsonl is required")
	}
	if o.batch <= 0 {
		return nil, usageErrorf("--batch must be positive")
	}
	var r io.Reader = e.stdin
	file := "stdin"
	if o.data != "-" {
		f, err := os.Open(o.data)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r, file = bufio.NewReader(f), o.data
	}
	exs, lines, err := classifier.ReadExampleLines(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(exs) == 0 {
		return nil, fmt.Errorf("%s: no examples", file)
	}
	out := &examples{file: file, lines: lines, exs: make([]*claimsv1.Example, len(exs))}
	for i, ex := range exs {
		if err := classifier.CheckText(ex.Text); err != nil {
			return nil, fmt.Errorf("%s line %d: text: %w", file, lines[i], err)
		}
		if _, err := classifier.NormalizeLabel(ex.Label); err != nil {
			return nil, fmt.Errorf("%s line %d: label: %w", file, lines[i], err)
		}
		out.exs[i] = &claimsv1.Example{Text: ex.Text, Label: ex.Label}
	}
	return out, nil
}

// progress draws a progress bar on w (a terminal or a log).
type progress struct {
	w     io.Writer
	total int
	verb  string
	start time.Time
	drawn bool
}

func (p *progress) update(done int) {
	const width = 30
	fill := width * done / p.total
	rate := float64(done) / time.Since(p.start).Seconds()
	fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d examples (%.0f/s)", p.verb, strings.Repeat("=", fill), strings.Repeat(" ", width-fill), done, p.total, rate)
	p.drawn = done < p.total
	if !p.drawn {
		fmt.Fprintln(p.w)
	}
}

// end ends an unfinished bar's line, so that what follows starts on a
// line of its own.
func (p *progress) end() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

// inBatches sends the examples in batches within the server's limits and
// --batch, calling send for each; on an error it reports which line failed
// and what the batches before it did (did: "applied", "forgotten").
func inBatches(ctx context.Context, e *env, d *examples, batch int, verb, did string, send func(ctx context.Context, exs []*claimsv1.Example) error) error {
	p := &progress{w: e.stderr, total: len(d.exs), verb: verb, start: time.Now()}
	for _, b := range batchExamples(d.exs, batch, serverLimits(ctx, e)) {
		cctx, cancel := e.common.callContext(ctx)
		err := send(cctx, d.exs[b.lo:b.hi])
		cancel()
		if err != nil {
			p.end()
			return batchError(err, d.file, d.lines, b, did)
		}
		p.update(b.hi)
	}
	return nil
}

func runTrain(ctx context.Context, e *env, opts any) error {
	o := opts.(*dataOpts)
	d, err := readExamples(e, o)
	if err != nil {
		return err
	}
	client := e.client()
	if o.replace {
		cctx, cancel := e.common.callContext(ctx)
		defer cancel()
		resp, err := client.Train(cctx, &claimsv1.TrainRequest{Examples: d.exs, Replace: true})
		if err != nil {
			return batchError(err, d.file, d.lines, span{0, len(d.exs)}, "applied")
		}
		fmt.Fprintf(e.stdout, "replaced the model with %d examples: version %d, %d examples in all\n", resp.GetExamplesApplied(), resp.GetModelVersion(), resp.GetTotalExamples())
		printCounts(e.stdout, resp.GetLabelCounts())
		return nil
	}
	var last *claimsv1.TrainResponse
	err = inBatches(ctx, e, d, o.batch, "training", "applied", func(ctx context.Context, exs []*claimsv1.Example) error {
		resp, err := client.Train(ctx, &claimsv1.TrainRequest{Examples: exs, AllowNewLabels: o.newLbls})
		last = resp
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "trained %d examples: model version %d, %d examples in all\n", len(d.exs), last.GetModelVersion(), last.GetTotalExamples())
	printCounts(e.stdout, last.GetLabelCounts())
	return nil
}

func runForget(ctx context.Context, e *env, opts any) error {
	o := opts.(*dataOpts)
	d, err := readExamples(e, o)
	if err != nil {
		return err
	}
	client := e.client()
	var last *claimsv1.ForgetResponse
	err = inBatches(ctx, e, d, o.batch, "forgetting", "forgotten", func(ctx context.Context, exs []*claimsv1.Example) error {
		resp, err := client.Forget(ctx, &claimsv1.ForgetRequest{Examples: exs})
		last = resp
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "forgot %d examples: model version %d, %d examples in all\n", len(d.exs), last.GetModelVersion(), last.GetTotalExamples())
	printCounts(e.stdout, last.GetLabelCounts())
	return nil
}

func printCounts(w io.Writer, counts map[string]int64) {
	labels := make([]string, 0, len(counts))
	for l := range counts {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	t := table{rows: [][]string{{"LABEL", "EXAMPLES"}}}
	for _, l := range labels {
		t.add(l, strconv.FormatInt(counts[l], 10))
	}
	t.write(w)
}

func runEval(ctx context.Context, e *env, opts any) error {
	o := opts.(*dataOpts)
	d, err := readExamples(e, o)
	if err != nil {
		return err
	}
	// Batches are scored apart and summed: each answer's confusion matrix
	// gives back its (true, predicted) pairs, which are scored together as
	// the server scores one batch.
	var gold, pred []string
	versions := map[uint64]bool{}
	var version uint64
	err = inBatches(ctx, e, d, o.batch, "evaluating", "scored", func(ctx context.Context, exs []*claimsv1.Example) error {
		resp, err := e.client().Evaluate(ctx, &claimsv1.EvaluateRequest{Examples: exs})
		if err != nil {
			return err
		}
		version = resp.GetModelVersion()
		versions[version] = true
		cm := resp.GetConfusion()
		for _, row := range cm.GetRows() {
			for j, n := range row.GetPredicted() {
				for range n {
					gold = append(gold, row.GetActual())
					pred = append(pred, cm.GetLabels()[j])
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	m := classifier.Score(gold, pred)
	w := e.stdout
	fmt.Fprintf(w, "model version %d, %d examples: accuracy %.3f, macro-F1 (claim labels) %.3f\n", version, m.Examples, m.Accuracy, m.MacroF1)
	if len(versions) > 1 {
		fmt.Fprintf(w, "(the model changed during the evaluation: its batches were scored by %d versions)\n", len(versions))
	}
	fmt.Fprintln(w)
	scores := table{right: true, rows: [][]string{{"label", "precision", "recall", "F1", "support"}}}
	for _, l := range m.PerLabel {
		scores.add(l.Label, fmt.Sprintf("%.3f", l.Precision), fmt.Sprintf("%.3f", l.Recall), fmt.Sprintf("%.3f", l.F1), strconv.Itoa(l.Support))
	}
	if err := scores.write(w); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nconfusion matrix (rows: true label, columns: predicted)")
	confusion := table{right: true, rows: [][]string{append([]string{""}, m.Labels...)}}
	for i, row := range m.Confusion {
		cells := []string{m.Labels[i]}
		for _, n := range row {
			cells = append(cells, strconv.Itoa(n))
		}
		confusion.add(cells...)
	}
	return confusion.write(w)
}

func runModel(ctx context.Context, e *env, _ any) error {
	if len(e.args) > 0 {
		return usageErrorf("unexpected arguments %q", e.args)
	}
	cctx, cancel := e.common.callContext(ctx)
	defer cancel()
	m, err := e.client().GetModel(cctx, &claimsv1.GetModelRequest{})
	if err != nil {
		return err
	}
	w := e.stdout
	trained := "never"
	if m.GetTrainedTime() != nil {
		trained = m.GetTrainedTime().AsTime().Format(time.RFC3339)
	}
	fmt.Fprintf(w, "version       %d\ntrained       %s\nexamples      %d\nvocabulary    %d\nlabels        %s\ncontent hash  %s\ntokenizer     %s\nfeatures      revision %d",
		m.GetVersion(), trained, m.GetTotalExamples(), m.GetVocabularySize(), strings.Join(m.GetLabels(), ", "), m.GetContentHash(), m.GetTokenizer(), m.GetFeatureRevision())
	if m.GetFeatureRevision() != m.GetExtractorRevision() {
		fmt.Fprintf(w, " (the server extracts revision %d: forget is refused until train --replace retrains the model)", m.GetExtractorRevision())
	}
	if mt, t := m.GetModelTokenizerSha256(), m.GetTokenizerSha256(); mt != "" && t != "" && mt != t {
		fmt.Fprintf(w, "\ntokenizer.json %.12s… (the model was trained with %.12s…: forget is refused and accuracy may suffer until train --replace retrains it)", t, mt)
	}
	fmt.Fprint(w, "\n\n")
	printCounts(w, m.GetLabelCounts())
	if l := m.GetLimits(); l != nil {
		fmt.Fprintf(w, "\nlimits: text %d bytes, %d sentences, %d examples, gRPC message %d bytes, HTTP body %d bytes, call timeout %s, %d streams a connection, %d classify streams, explain %d\n",
			l.GetMaxTextBytes(), l.GetMaxSentences(), l.GetMaxExamples(), l.GetMaxGrpcReceiveBytes(), l.GetMaxHttpBodyBytes(),
			l.GetCallTimeout().AsDuration(), l.GetMaxConcurrentStreams(), l.GetMaxClassifyStreams(), l.GetMaxExplain())
	}
	return nil
}
