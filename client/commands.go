package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
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
		return nil, fmt.Errorf("expected at most one FILE, got %d arguments", len(e.args))
	}
	if len(e.args) == 0 || e.args[0] == "-" {
		return io.ReadAll(e.stdin)
	}
	return os.ReadFile(e.args[0])
}

func runClassify(ctx context.Context, e *env, opts any) error {
	o := opts.(*classifyOpts)
	input, err := readInput(e)
	if err != nil {
		return err
	}
	req := &claimsv1.ClassifyRequest{Explain: int32(o.explain)}
	if o.sentences {
		for _, line := range strings.Split(string(input), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				req.Sentences = append(req.Sentences, line)
			}
		}
	} else {
		req.Text = string(input)
	}
	ctx, cancel := e.common.callContext(ctx)
	defer cancel()
	resp, err := e.client().Classify(ctx, req)
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(e.stdout)
		for _, s := range resp.GetSentences() {
			line := map[string]any{
				"index": s.GetIndex(), "text": s.GetText(), "label": s.GetLabel(),
				"confidence": s.GetConfidence(), "model_version": resp.GetModelVersion(),
			}
			if !o.sentences {
				line["start"], line["end"] = s.GetStart(), s.GetEnd()
			}
			if len(s.GetFeatures()) > 0 {
				fs := make(map[string]float64, len(s.GetFeatures()))
				for _, f := range s.GetFeatures() {
					fs[f.GetName()] = f.GetWeight()
				}
				line["features"] = fs
			}
			if err := enc.Encode(line); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tLABEL\tCONF\tSENTENCE")
	for _, s := range resp.GetSentences() {
		fmt.Fprintf(tw, "%d\t%s\t%.2f\t%s\n", s.GetIndex()+1, s.GetLabel(), s.GetConfidence(), ellipsize(s.GetText(), 100))
		for _, f := range s.GetFeatures() {
			fmt.Fprintf(tw, "\t\t%+.2f\t  %s\n", f.GetWeight(), f.GetName())
		}
	}
	fmt.Fprintf(tw, "\nmodel version %d, %d sentences\n", resp.GetModelVersion(), len(resp.GetSentences()))
	return tw.Flush()
}

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

// readExamples reads the --data file.
func readExamples(e *env, o *dataOpts) ([]*claimsv1.Example, error) {
	if o.data == "" {
		return nil, errors.New("--data FILE.jsonl is required")
	}
	if o.batch <= 0 {
		return nil, errors.New("--batch must be positive")
	}
	var r io.Reader = e.stdin
	if o.data != "-" {
		f, err := os.Open(o.data)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = bufio.NewReader(f)
	}
	exs, err := classifier.ReadExamples(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.data, err)
	}
	if len(exs) == 0 {
		return nil, fmt.Errorf("%s: no examples", o.data)
	}
	out := make([]*claimsv1.Example, len(exs))
	for i, ex := range exs {
		out[i] = &claimsv1.Example{Text: ex.Text, Label: ex.Label}
	}
	return out, nil
}

// progress draws a progress bar on w (a terminal or a log).
type progress struct {
	w     io.Writer
	total int
	verb  string
	start time.Time
}

func (p *progress) update(done int) {
	const width = 30
	fill := width * done / p.total
	rate := float64(done) / time.Since(p.start).Seconds()
	fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d examples (%.0f/s)", p.verb, strings.Repeat("=", fill), strings.Repeat(" ", width-fill), done, p.total, rate)
	if done == p.total {
		fmt.Fprintln(p.w)
	}
}

func runTrain(ctx context.Context, e *env, opts any) error {
	o := opts.(*dataOpts)
	exs, err := readExamples(e, o)
	if err != nil {
		return err
	}
	client := e.client()
	if o.replace {
		cctx, cancel := e.common.callContext(ctx)
		defer cancel()
		resp, err := client.Train(cctx, &claimsv1.TrainRequest{Examples: exs, Replace: true})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "replaced the model with %d examples: version %d, %d examples in all\n", resp.GetExamplesApplied(), resp.GetModelVersion(), resp.GetTotalExamples())
		printCounts(e.stdout, resp.GetLabelCounts())
		return nil
	}
	p := &progress{w: e.stderr, total: len(exs), verb: "training", start: time.Now()}
	var last *claimsv1.TrainResponse
	for done := 0; done < len(exs); {
		end := min(done+o.batch, len(exs))
		cctx, cancel := e.common.callContext(ctx)
		resp, err := client.Train(cctx, &claimsv1.TrainRequest{Examples: exs[done:end], AllowNewLabels: o.newLbls})
		cancel()
		if err != nil {
			if done > 0 {
				return fmt.Errorf("examples %d-%d (the %d before were applied): %w", done+1, end, done, err)
			}
			return err
		}
		last = resp
		done = end
		p.update(done)
	}
	fmt.Fprintf(e.stdout, "trained %d examples: model version %d, %d examples in all\n", len(exs), last.GetModelVersion(), last.GetTotalExamples())
	printCounts(e.stdout, last.GetLabelCounts())
	return nil
}

func runForget(ctx context.Context, e *env, opts any) error {
	o := opts.(*dataOpts)
	exs, err := readExamples(e, o)
	if err != nil {
		return err
	}
	client := e.client()
	p := &progress{w: e.stderr, total: len(exs), verb: "forgetting", start: time.Now()}
	var last *claimsv1.ForgetResponse
	for done := 0; done < len(exs); {
		end := min(done+o.batch, len(exs))
		cctx, cancel := e.common.callContext(ctx)
		resp, err := client.Forget(cctx, &claimsv1.ForgetRequest{Examples: exs[done:end]})
		cancel()
		if err != nil {
			if done > 0 {
				return fmt.Errorf("examples %d-%d (the %d before were forgotten): %w", done+1, end, done, err)
			}
			return err
		}
		last = resp
		done = end
		p.update(done)
	}
	fmt.Fprintf(e.stdout, "forgot %d examples: model version %d, %d examples in all\n", len(exs), last.GetModelVersion(), last.GetTotalExamples())
	printCounts(e.stdout, last.GetLabelCounts())
	return nil
}

func printCounts(w io.Writer, counts map[string]int64) {
	labels := make([]string, 0, len(counts))
	for l := range counts {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LABEL\tEXAMPLES")
	for _, l := range labels {
		fmt.Fprintf(tw, "%s\t%d\n", l, counts[l])
	}
	tw.Flush()
}

func runEval(ctx context.Context, e *env, opts any) error {
	o := opts.(*dataOpts)
	exs, err := readExamples(e, o)
	if err != nil {
		return err
	}
	cctx, cancel := e.common.callContext(ctx)
	defer cancel()
	resp, err := e.client().Evaluate(cctx, &claimsv1.EvaluateRequest{Examples: exs})
	if err != nil {
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "model version %d, %d examples: accuracy %.3f, macro-F1 (claim labels) %.3f\n\n", resp.GetModelVersion(), resp.GetExamples(), resp.GetAccuracy(), resp.GetMacroF1())
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "label\tprecision\trecall\tF1\tsupport\t")
	for _, l := range resp.GetLabels() {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%d\t\n", l.GetLabel(), l.GetPrecision(), l.GetRecall(), l.GetF1(), l.GetSupport())
	}
	tw.Flush()
	fmt.Fprintln(w, "\nconfusion matrix (rows: true label, columns: predicted)")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	cm := resp.GetConfusion()
	fmt.Fprint(tw, "\t")
	for _, l := range cm.GetLabels() {
		fmt.Fprintf(tw, "%s\t", l)
	}
	fmt.Fprintln(tw)
	for _, row := range cm.GetRows() {
		fmt.Fprintf(tw, "%s\t", row.GetActual())
		for _, n := range row.GetPredicted() {
			fmt.Fprintf(tw, "%d\t", n)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

func runModel(ctx context.Context, e *env, _ any) error {
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
	fmt.Fprint(w, "\n\n")
	printCounts(w, m.GetLabelCounts())
	if l := m.GetLimits(); l != nil {
		fmt.Fprintf(w, "\nlimits: text %d bytes, %d sentences, %d examples, gRPC message %d bytes, HTTP body %d bytes, call timeout %s, %d streams, explain %d\n",
			l.GetMaxTextBytes(), l.GetMaxSentences(), l.GetMaxExamples(), l.GetMaxGrpcReceiveBytes(), l.GetMaxHttpBodyBytes(),
			l.GetCallTimeout().AsDuration(), l.GetMaxConcurrentStreams(), l.GetMaxExplain())
	}
	return nil
}
