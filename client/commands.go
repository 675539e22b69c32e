package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

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
	fs.BoolVar(&o.replace, "replace", false, "rebuild the model from exactly this file, sent as one request whatever --batch; its labels become the model's")
	fs.BoolVar(&o.newLbls, "allow-new-labels", false, "add labels the model does not have yet (with --replace too)")
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
func readExamples(ctx context.Context, e *env, o *dataOpts) (*examples, error) {
	if len(e.args) > 0 {
		return nil, usageErrorf("unexpected arguments %q (the examples go in --data FILE.jsonl)", e.args)
	}
	if o.data == "" {
		return nil, usageErrorf("--data FILE.jsonl is required")
	}
	if o.batch <= 0 {
		return nil, usageErrorf("--batch must be positive")
	}
	file, b, err := readSource(ctx, e, o.data)
	if err != nil {
		return nil, err
	}
	// Lines as long as the input: the server's limit on a text is not
	// known yet, and may be above classifier.MaxJSONLLine.
	exs, lines, err := classifier.ReadExampleLines(strings.NewReader(b), max(len(b), classifier.MaxJSONLLine))
	if le := (*classifier.LineError)(nil); errors.As(err, &le) {
		// Placed as the other checks place a line: "FILE line 3: …".
		hint := ""
		if le.Line == 1 && strings.Contains(b, "\r") && !strings.Contains(b, "\n") {
			hint = " (its lines end in a carriage return alone, as old Mac files do: JSON Lines ends them in LF or CRLF)"
		}
		return nil, fmt.Errorf("%s line %d: %w: %s%s", file, le.Line, classifier.ErrBadJSONL, le.Reason, hint)
	}
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

// checkLengths refuses an example whose text is longer than the server
// takes, when the server said how long that is.
func (d *examples) checkLengths(l limits) error {
	if !l.textReported {
		return nil
	}
	for i, ex := range d.exs {
		if n := len(ex.GetText()); n > l.maxTextBytes {
			return fmt.Errorf("%s line %d: text: %d bytes exceed the server's limit of %d", d.file, d.lines[i], n, l.maxTextBytes)
		}
	}
	return nil
}

// checkLabels refuses, before anything is sent, an example whose label the
// model does not have (as GetModel listed them in state), which the server
// would refuse with its batch after the batches before it were applied:
// format words the error, given the label.
func (d *examples) checkLabels(state modelState, format string) error {
	if state.labels == nil {
		return nil
	}
	for i, ex := range d.exs {
		l, err := classifier.NormalizeLabel(ex.GetLabel()) // checked by readExamples
		if err == nil && !state.labels[l] {
			return fmt.Errorf("%s line %d: label: "+format+"; nothing was sent", d.file, d.lines[i], l)
		}
	}
	return nil
}

// labelsLeftOut returns, sorted, the model's labels that no example has:
// a model rebuilt from the examples loses them.
func (d *examples) labelsLeftOut(state modelState) []string {
	has := make(map[string]bool)
	for _, ex := range d.exs {
		if lb, err := classifier.NormalizeLabel(ex.GetLabel()); err == nil {
			has[lb] = true
		}
	}
	var gone []string
	for lb := range state.labels {
		if !has[lb] {
			gone = append(gone, lb)
		}
	}
	slices.Sort(gone)
	return gone
}

// checkLabelCount refuses, before anything is sent, examples whose new
// labels would give the model more labels than the server's limit, which
// the server would refuse with the batch that passes it, after the
// batches before it (and their new labels) were applied.
func (d *examples) checkLabelCount(l limits, state modelState) error {
	if l.maxLabels <= 0 || state.labels == nil {
		return nil
	}
	fresh := make(map[string]bool)
	for _, ex := range d.exs {
		if lb, err := classifier.NormalizeLabel(ex.GetLabel()); err == nil && !state.labels[lb] {
			fresh[lb] = true
		}
	}
	if n := len(state.labels) + len(fresh); n > l.maxLabels {
		return fmt.Errorf("%s: its %d new labels would give the model %d, above the server's limit of %d (--max-labels); nothing was sent", d.file, len(fresh), n, l.maxLabels)
	}
	return nil
}

// prepare reads and checks the --data file, then asks the server for its
// limits and the model's state, and checks the examples against the
// limits: all before anything is sent.
func prepare(ctx context.Context, e *env, o *dataOpts) (*examples, limits, modelState, error) {
	d, err := readExamples(ctx, e, o)
	if err != nil {
		return nil, limits{}, modelState{}, err
	}
	l, state, err := serverModel(ctx, e)
	if err != nil {
		return nil, limits{}, modelState{}, err
	}
	if err := d.checkLengths(l); err != nil {
		return nil, limits{}, modelState{}, err
	}
	return d, l, state, nil
}

// progress draws a progress bar on w (a terminal or a log).
type progress struct {
	w     io.Writer
	total int
	verb  string
	start time.Time
	drawn bool
	// live says w is a terminal, where the bar is redrawn after each
	// batch; elsewhere (a log file, a CI job's output) only the finished
	// bar is written, a line with no carriage returns.
	live bool
}

// isTerminal reports whether w is a terminal (a character device), or
// says it is one.
func isTerminal(w io.Writer) bool {
	if t, ok := w.(interface{ isTerminal() bool }); ok {
		return t.isTerminal()
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (p *progress) update(done int) {
	if !p.live {
		if done == p.total {
			fmt.Fprintf(p.w, "%s: %d/%d examples (%.0f/s)\n", p.verb, done, p.total, float64(done)/time.Since(p.start).Seconds())
		}
		return
	}
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

// batchJob is one kind of batch inBatches sends.
type batchJob struct {
	verb string // for the progress bar: "training"
	did  string // what a batch that went through did: "applied" ("" when sign is 0)
	// sign is +1 for a call that adds its examples to the model, -1 for
	// one that takes them away, 0 for one that leaves it as it is.
	sign int
	// send sends one batch, with request_id id and if_version ifVersion,
	// and returns the model's state after it.
	send func(ctx context.Context, exs []*claimsv1.Example, id string, ifVersion uint64) (modelState, error)
}

// inBatches sends the examples in batches within the server's limits l
// and --batch. state is the model's before the first batch. On an error
// it reports which line failed and what the batches up to it did: when
// the failure leaves it open whether a batch that changes the model was
// applied, the model is asked (checkApplied).
func inBatches(ctx context.Context, e *env, d *examples, batch int, l limits, state modelState, job batchJob) error {
	p := &progress{w: e.stderr, total: len(d.exs), verb: job.verb, start: time.Now(), live: isTerminal(e.stderr)}
	// A call refused as busy says so on a line of its own (see retryBusy).
	ctx = withLineEnder(ctx, p.end)
	for _, b := range batchExamples(d.exs, batch, l) {
		var next modelState
		send := func(ctx context.Context, id string, ifVersion uint64) error {
			var err error
			next, err = job.send(ctx, d.exs[b.lo:b.hi], id, ifVersion)
			return err
		}
		var retried bool
		var err error
		if job.sign == 0 {
			// Nothing to apply twice, and a batch too slow for --timeout
			// would only be as slow again.
			cctx, cancel := e.common.callContext(ctx)
			err = send(cctx, "", 0)
			cancel()
		} else {
			what := d.file + " " + lineRange(d.lines[b.lo], d.lines[b.hi-1])
			retried, err = sendRetrying(ctx, e, what, state, p.end, send)
		}
		if err != nil {
			p.end()
			want := state.total + int64(job.sign*(b.hi-b.lo))
			return failure(ctx, e, d, b, job.did, state, want, job.sign != 0 && (retried || mayHaveApplied(err)), err)
		}
		state = next
		p.update(b.hi)
	}
	return nil
}

func runTrain(ctx context.Context, e *env, opts any) error {
	o := opts.(*dataOpts)
	d, l, state, err := prepare(ctx, e, o)
	if err != nil {
		return err
	}
	if o.replace {
		// The file's labels become the model's: a label the model lacks
		// (a misspelling) becomes one only when asked for, as without
		// --replace.
		if !o.newLbls {
			if err := d.checkLabels(state, "label is not known to the model: %q (with --replace the file's labels become the model's; --allow-new-labels makes it one)"); err != nil {
				return err
			}
		}
		if err := replaceModel(ctx, e, d, l, state); err != nil {
			return err
		}
		if gone := d.labelsLeftOut(state); len(gone) > 0 {
			them := "them"
			if len(gone) == 1 {
				them = "it"
			}
			fmt.Fprintf(e.stderr, "client: the model no longer has %s: %s has no example of %s\n", strings.Join(gone, ", "), d.file, them)
		}
		return nil
	}
	if !o.newLbls {
		if err := d.checkLabels(state, "label is not known to the model: %q (--allow-new-labels adds it)"); err != nil {
			return err
		}
	} else if err := d.checkLabelCount(l, state); err != nil {
		return err
	}
	client := e.client()
	var last *claimsv1.TrainResponse
	err = inBatches(ctx, e, d, o.batch, l, state, batchJob{verb: "training", did: "applied", sign: 1,
		send: func(ctx context.Context, exs []*claimsv1.Example, id string, ifVersion uint64) (modelState, error) {
			resp, err := client.Train(ctx, &claimsv1.TrainRequest{Examples: exs, AllowNewLabels: o.newLbls, RequestId: id, IfVersion: ifVersion})
			last = resp
			return modelState{known: true, version: resp.GetModelVersion(), total: resp.GetTotalExamples()}, err
		}})
	if err != nil {
		return err
	}
	return changed(e.stdout, fmt.Sprintf("trained %s: model version %d, %s in all", examplesN(int64(len(d.exs))), last.GetModelVersion(), examplesN(last.GetTotalExamples())), last.GetLabelCounts())
}

// replaceModel rebuilds the model from d in one Train request, which must
// fit the server's limits l: it cannot be split. state is the model's
// before it.
func replaceModel(ctx context.Context, e *env, d *examples, l limits, state modelState) error {
	if l.reported && len(d.exs) > l.maxExamples {
		return fmt.Errorf("%s: --replace sends the whole file in one request, and its %s exceed the server's limit of %d (--max-examples)", d.file, examplesN(int64(len(d.exs))), l.maxExamples)
	}
	// The request as it will be sent: a request_id and, on a retry,
	// if_version.
	full := &claimsv1.TrainRequest{Examples: d.exs, Replace: true, RequestId: newRequestID(), IfVersion: state.version + 1}
	if n := proto.Size(full); l.reported && n > l.maxMsgBytes {
		return fmt.Errorf("%s: --replace sends the whole file in one request, and its %d bytes exceed the server's gRPC message limit of %d (--max-grpc-receive-bytes)", d.file, n, l.maxMsgBytes)
	}
	var resp *claimsv1.TrainResponse
	retried, err := sendRetrying(ctx, e, d.file, state, func() {}, func(ctx context.Context, id string, ifVersion uint64) error {
		var err error
		resp, err = e.client().Train(ctx, &claimsv1.TrainRequest{Examples: d.exs, Replace: true, RequestId: id, IfVersion: ifVersion})
		return err
	})
	if err != nil {
		return failure(ctx, e, d, span{0, len(d.exs)}, "applied", state, int64(len(d.exs)), retried || mayHaveApplied(err), err)
	}
	return changed(e.stdout, fmt.Sprintf("replaced the model with %s: version %d, %s in all", examplesN(resp.GetExamplesApplied()), resp.GetModelVersion(), examplesN(resp.GetTotalExamples())), resp.GetLabelCounts())
}

func runForget(ctx context.Context, e *env, opts any) error {
	o := opts.(*dataOpts)
	d, l, state, err := prepare(ctx, e, o)
	if err != nil {
		return err
	}
	if err := d.checkLabels(state, "example was not learned: the model has no label %q"); err != nil {
		return err
	}
	client := e.client()
	var last *claimsv1.ForgetResponse
	err = inBatches(ctx, e, d, o.batch, l, state, batchJob{verb: "forgetting", did: "forgotten", sign: -1,
		send: func(ctx context.Context, exs []*claimsv1.Example, id string, ifVersion uint64) (modelState, error) {
			resp, err := client.Forget(ctx, &claimsv1.ForgetRequest{Examples: exs, RequestId: id, IfVersion: ifVersion})
			last = resp
			return modelState{known: true, version: resp.GetModelVersion(), total: resp.GetTotalExamples()}, err
		}})
	if err != nil {
		return err
	}
	return changed(e.stdout, fmt.Sprintf("forgot %s: model version %d, %s in all", examplesN(int64(len(d.exs))), last.GetModelVersion(), examplesN(last.GetTotalExamples())), last.GetLabelCounts())
}

// changed prints what a change that went through did: summary, then the
// examples per label. If the output cannot be written, the error still
// says that the change was made, lest a script that sees the failure make
// it again.
func changed(w io.Writer, summary string, counts map[string]int64) error {
	fmt.Fprintln(w, summary)
	if err := printCounts(w, counts); err != nil {
		return fmt.Errorf("%s, but writing the output failed: %w", summary, err)
	}
	return nil
}

// printCounts writes the examples per label as a table.
func printCounts(w io.Writer, counts map[string]int64) error {
	labels := make([]string, 0, len(counts))
	for l := range counts {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	t := table{rows: [][]string{{"LABEL", "EXAMPLES"}}}
	for _, l := range labels {
		t.add(l, strconv.FormatInt(counts[l], 10))
	}
	return t.write(w)
}

func runEval(ctx context.Context, e *env, opts any) error {
	o := opts.(*dataOpts)
	d, l, _, err := prepare(ctx, e, o)
	if err != nil {
		return err
	}
	// Batches are scored apart and summed: each answer's confusion matrix
	// gives back its (true, predicted) pairs, which are scored together as
	// the server scores one batch.
	var gold, pred []string
	versions := map[uint64]bool{}
	var version uint64
	// Their reliability tables add up bin by bin too. A server from
	// before the tables sends none (calibrated stays true, the table
	// empty); one with other bins makes the sum meaningless.
	var cal classifier.Calibration
	calibrated := true
	err = inBatches(ctx, e, d, o.batch, l, modelState{}, batchJob{verb: "evaluating", send: func(ctx context.Context, exs []*claimsv1.Example, _ string, _ uint64) (modelState, error) {
		resp, err := e.client().Evaluate(ctx, &claimsv1.EvaluateRequest{Examples: exs})
		if err != nil {
			return modelState{}, err
		}
		version = resp.GetModelVersion()
		versions[version] = true
		var bins classifier.Calibration
		for _, b := range resp.GetCalibration() {
			bins.Bins = append(bins.Bins, classifier.CalibrationBin{Low: b.GetLow(), High: b.GetHigh(), Examples: int(b.GetExamples()), Correct: int(b.GetCorrect()), ConfidenceSum: b.GetConfidenceSum()})
		}
		calibrated = calibrated && cal.Merge(bins)
		cm := resp.GetConfusion()
		for _, row := range cm.GetRows() {
			for j, n := range row.GetPredicted() {
				for range n {
					gold = append(gold, row.GetActual())
					pred = append(pred, cm.GetLabels()[j])
				}
			}
		}
		return modelState{}, nil
	}})
	if err != nil {
		return err
	}
	m := classifier.Score(gold, pred)
	w := e.stdout
	macro := fmt.Sprintf("%.3f", m.MacroF1)
	if !slices.ContainsFunc(m.Labels, func(l string) bool { return l != classifier.OtherLabel }) {
		macro = "n/a (no claim label in the data or the predictions)"
	}
	fmt.Fprintf(w, "model version %d, %s: accuracy %.3f, macro-F1 (claim labels) %s\n", version, examplesN(int64(m.Examples)), m.Accuracy, macro)
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
	// A table is printed only when it covers every example: behind a
	// balancer in a rolling upgrade, a server from before the tables may
	// have answered some batches.
	if calibrated && cal.Examples() > 0 && cal.Examples() == m.Examples {
		fmt.Fprintf(w, "\nconfidence: calibration error %.3f (rows: confidence; where confidences can be taken at their word, accuracy is near mean confidence)\n", cal.Error())
		rel := table{right: true, rows: [][]string{{"confidence", "examples", "accuracy", "mean confidence"}}}
		for _, b := range cal.Bins {
			if b.Examples > 0 {
				rel.add(fmt.Sprintf("%.1f-%.1f", b.Low, b.High), strconv.Itoa(b.Examples), fmt.Sprintf("%.3f", b.Accuracy()), fmt.Sprintf("%.3f", b.MeanConfidence()))
			}
		}
		if err := rel.write(w); err != nil {
			return err
		}
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
	examples := strconv.FormatInt(m.GetTotalExamples(), 10)
	if n := m.GetLearnedExamples(); n > 0 { // a server that predates the field does not report it
		examples += fmt.Sprintf(" (%d distinct)", n)
	}
	fmt.Fprintf(w, "version       %d\ntrained       %s\nexamples      %s\nvocabulary    %d\nlabels        %s\ncontent hash  %s\ntokenizer     %s\n",
		m.GetVersion(), trained, examples, m.GetVocabularySize(), strings.Join(m.GetLabels(), ", "), m.GetContentHash(), m.GetTokenizer())
	retrain := "train --replace retrains it"
	if m.GetReadOnly() {
		retrain = "the writing server's train --replace retrains it (this server then reads it on SIGHUP, or by itself with --reload-interval)"
	}
	fr, er := m.GetFeatureRevision(), m.GetExtractorRevision()
	mt, t := m.GetModelTokenizerSha256(), m.GetTokenizerSha256()
	mixed := classifier.Mixed(int(fr), mt)
	switch {
	case mixed:
		fmt.Fprintf(w, "features      mixed (the model learned examples under another feature extractor or tokenizer.json than its counts were gathered with: forget is refused until %s)", retrain)
	case fr < er:
		fmt.Fprintf(w, "features      revision %d (the server extracts revision %d: forget is refused until %s)", fr, er, retrain)
	case fr > er:
		fmt.Fprintf(w, "features      revision %d (the server extracts revision %d, older than the model's: forget is refused until a server of the model's revision serves it)", fr, er)
	default:
		fmt.Fprintf(w, "features      revision %d", fr)
	}
	if !mixed && classifier.TokenizerDiffers(mt, t) {
		other := "the server is given the model's tokenizer.json, or"
		if m.GetReadOnly() {
			other = "this server is given the writing server's --tokenizer, or"
		}
		fmt.Fprintf(w, "\ntokenizer.json %.12s… (the model was trained with %.12s…: forget is refused and accuracy may suffer until %s %s)", t, mt, other, retrain)
	}
	if m.GetReadOnly() {
		fmt.Fprint(w, "\nread-only     the server refuses train and forget")
	}
	// A server from before the field reports 0, as does a model saved
	// with 0 (naive Bayes's own probabilities, as 1): neither is printed.
	switch t := m.GetTemperature(); {
	case t == 1:
		fmt.Fprint(w, "\ntemperature   1 (naive Bayes's own probabilities)")
	case t > 0:
		fmt.Fprintf(w, "\ntemperature   %g (confidences tempered: each label's log score divided by it)", t)
	}
	fmt.Fprint(w, "\n\n")
	if err := printCounts(w, m.GetLabelCounts()); err != nil {
		return err
	}
	if l := m.GetLimits(); l != nil {
		// A server that predates a limit does not report it (0, or no
		// send timeout at all): it is left out rather than shown as 0.
		parts := []string{fmt.Sprintf("text %d bytes", l.GetMaxTextBytes()), fmt.Sprintf("%d sentences", l.GetMaxSentences()),
			fmt.Sprintf("%d examples", l.GetMaxExamples()), fmt.Sprintf("gRPC message %d bytes", l.GetMaxGrpcReceiveBytes()),
			fmt.Sprintf("HTTP body %d bytes", l.GetMaxHttpBodyBytes()), fmt.Sprintf("call timeout %s", l.GetCallTimeout().AsDuration())}
		if l.GetSendTimeout() != nil {
			parts = append(parts, "send timeout "+sendTimeout(l.GetSendTimeout().AsDuration()))
		}
		for _, p := range []struct {
			n      int64
			format string
			zero   bool // 0 is a value (explain 0: no explanations), not a limit left out
		}{
			{int64(l.GetMaxConcurrentStreams()), "%d streams a connection", false}, {int64(l.GetMaxClassifyStreams()), "%d classify streams", false},
			{int64(l.GetMaxClassifyStreamsPerConn()), "%d classify streams a connection", false}, // 0 is also no bound
			{int64(l.GetMaxInflightCalls()), "%d calls in flight", false},                        // 0 is also no bound
			{int64(l.GetMaxInflightCallsPerClient()), "%d calls in flight a client", false},      // 0 is also no bound
			{int64(l.GetMaxExplain()), "explain %d", true}, {int64(l.GetMaxLabels()), "%d labels", false},
			{l.GetMaxFeatures(), "%d features", false}, {l.GetMaxLearnedExamples(), "%d distinct examples", false},
		} {
			if p.n > 0 || p.zero {
				parts = append(parts, fmt.Sprintf(p.format, p.n))
			}
		}
		fmt.Fprintf(w, "\nlimits: %s\n", strings.Join(parts, ", "))
	}
	return nil
}

// sendTimeout prints the server's send timeout, whose zero means none.
func sendTimeout(d time.Duration) string {
	if d <= 0 {
		return "none"
	}
	return d.String()
}

// examplesN says "1 example" or "n examples".
func examplesN(n int64) string { return countOf(n, "example") }

// countOf is n and noun, in the plural unless n is 1.
func countOf(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.FormatInt(n, 10) + " " + noun + "s"
}
