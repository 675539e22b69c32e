package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/seeds"
)

// config is what one load test runs with.
type config struct {
	Server     string        // server binary
	ServerArgs []string      // extra server flags
	Clients    int           // classifying clients
	Streams    int           // clients classifying over ClassifyStream
	Abandoners int           // clients that give up on their calls partway
	Trainers   int           // training clients
	Duration   time.Duration // how long the clients run
	REST       bool          // half the classifying and streaming clients use REST
	Batch      int           // largest Train batch (1..Batch examples)
}

func main() {
	var c config
	var serverArgs string
	flag.StringVar(&c.Server, "server", "bin/server", "server binary to start (build it with: go build -o bin/ ./server)")
	flag.StringVar(&serverArgs, "server-args", "", "extra server flags, space-separated (not --log-format, --log-level or an empty --debug-addr: the test reads the server's addresses from its JSON log at info and its goroutines from the debug listener)")
	flag.IntVar(&c.Clients, "clients", 8, "clients classifying")
	flag.IntVar(&c.Streams, "streams", 2, "clients classifying over ClassifyStream (with -rest, every second one over POST /v1/classify:stream)")
	flag.IntVar(&c.Abandoners, "abandoners", 1, "clients that give up on their calls partway (a stream cancelled, a deadline too short, a REST stream or body cut off)")
	flag.IntVar(&c.Trainers, "trainers", 2, "clients training")
	flag.DurationVar(&c.Duration, "duration", 10*time.Second, "how long the clients run")
	flag.BoolVar(&c.REST, "rest", true, "half the classifying and streaming clients call REST instead of gRPC, and the abandoning ones give up on REST calls too")
	flag.IntVar(&c.Batch, "batch", 3, "largest number of examples per Train")
	flag.Parse()
	c.ServerArgs = strings.Fields(serverArgs)
	if err := checkServerArgs(c.ServerArgs); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	if flag.NArg() > 0 || c.Clients < 0 || c.Streams < 0 || c.Abandoners < 0 || c.Trainers < 0 || c.Clients+c.Streams+c.Abandoners+c.Trainers == 0 || c.Duration <= 0 || c.Batch < 1 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, c)
	if rep != nil {
		rep.print(os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest: FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("loadtest: PASS")
}

// checkServerArgs refuses the server flags that would keep the test from
// reading what it needs: --log-format or --log-level (the test finds the
// server's addresses in its "serving" line, logged in JSON at info) and an
// empty --debug-addr (the leak check reads the goroutine profile there).
func checkServerArgs(args []string) error {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch name {
		case "log-format", "log-level":
			return fmt.Errorf("-server-args: --%s is set by the load test, which reads the server's JSON log at info", name)
		case "debug-addr":
			if !hasValue && i+1 < len(args) {
				value = args[i+1]
			}
			if value == "" || value == `""` || value == "''" {
				return errors.New("-server-args: --debug-addr may not be empty: the leak check reads the server's goroutine profile there")
			}
		}
	}
	return nil
}

// server is a running server process.
type server struct {
	cmd       *exec.Cmd
	grpcAddr  string
	httpAddr  string
	debugAddr string // the runtime's profiles, which the leak check reads
	logs      *tail
	done      chan error
}

// tail keeps the end of the server's log, for failure reports, and counts
// lines that mark a problem the server did not report to a client.
type tail struct {
	mu    sync.Mutex
	buf   []byte
	races int // "WARNING: DATA RACE" from a -race build
}

func (t *tail) add(line []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if bytes.Contains(line, []byte("WARNING: DATA RACE")) {
		t.races++
	}
	t.buf = append(t.buf, line...)
	t.buf = append(t.buf, '\n')
	if len(t.buf) > 64<<10 {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-32<<10:]...)
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

func (t *tail) raceCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.races
}

// startServer starts the binary on free loopback ports (its debug
// listener too) and waits until it logs the addresses it serves on.
func startServer(ctx context.Context, c config, dataDir string) (*server, error) {
	args := append([]string{"--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--debug-addr", "127.0.0.1:0", "--log-format", "json", "--data-dir", dataDir}, c.ServerArgs...)
	cmd := exec.Command(c.Server, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, logs: &tail{}, done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", c.Server, err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		ok := false
		for sc.Scan() {
			s.logs.add(sc.Bytes())
			if ok {
				continue
			}
			var line struct{ Msg, GRPC, HTTP, Debug string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving" {
				s.grpcAddr, s.httpAddr, s.debugAddr, ok = line.GRPC, line.HTTP, line.Debug, true
				close(ready)
			}
		}
		s.done <- cmd.Wait()
	}()
	select {
	case <-ready:
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("server exited before serving: %v\n%s", err, s.logs)
	case <-time.After(2 * time.Minute):
		s.cmd.Process.Kill()
		return nil, fmt.Errorf("server did not start\n%s", s.logs)
	case <-ctx.Done():
		s.cmd.Process.Kill()
		return nil, ctx.Err()
	}
}

// stop stops the server with SIGTERM and waits for it.
func (s *server) stop() error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			return fmt.Errorf("server exit: %v\n%s", err, s.logs)
		}
		return nil
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		return fmt.Errorf("server did not stop on SIGTERM")
	}
}

// kind is a kind of call.
const (
	classifyGRPC = "classify/grpc"
	classifyREST = "classify/rest"
	streamGRPC   = "stream/grpc"
	streamREST   = "stream/rest"
	abandoned    = "abandoned"
	trainGRPC    = "train/grpc"
)

// kinds are the kinds of call, in the order the report lists them.
var kinds = []string{classifyGRPC, classifyREST, streamGRPC, streamREST, abandoned, trainGRPC}

// stats are one worker's results.
type stats struct {
	kind      string
	latencies []time.Duration
	errors    int
	busy      int // calls refused as busy (errBusy)
	firstErr  error
	trained   map[string]int64 // examples per label of acknowledged Trains
	trains    int              // acknowledged Trains
}

// errBusy marks the error of a call the server refused as busy, before
// reading it: RESOURCE_EXHAUSTED with a RetryInfo over gRPC, 429 with
// Retry-After over REST. Nothing was done, so it is no failure.
var errBusy = errors.New("refused as busy")

// busyWait is how long a worker waits after a busy refusal: the delay
// the server asks (1 s).
const busyWait = time.Second

// grpcBusy reports whether err is a gRPC refusal as busy.
func grpcBusy(err error) bool {
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.ResourceExhausted {
		return false
	}
	for _, d := range st.Details() {
		if _, ok := d.(*errdetails.RetryInfo); ok {
			return true
		}
	}
	return false
}

func (s *stats) fail(err error) {
	s.errors++
	if s.firstErr == nil {
		s.firstErr = err
	}
}

// report is the outcome of a load test.
type report struct {
	cfg     config
	elapsed time.Duration
	kinds   map[string]*stats // merged per kind
	start   *claimsv1.GetModelResponse
	end     *claimsv1.GetModelResponse
	trained map[string]int64
	trains  int
	server  usage // the server's goroutines and memory
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "loadtest: %d classifying clients, %d streaming, %d abandoning, %d training (REST: %v), %s on loopback\n",
		r.cfg.Clients, r.cfg.Streams, r.cfg.Abandoners, r.cfg.Trainers, r.cfg.REST, r.elapsed.Round(time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tcalls\terrors\tbusy\tcalls/s\tp50\tp99\tmax\t")
	var all int
	for _, k := range kinds {
		s, ok := r.kinds[k]
		if !ok {
			continue
		}
		n := len(s.latencies) + s.errors + s.busy
		all += n
		sort.Slice(s.latencies, func(i, j int) bool { return s.latencies[i] < s.latencies[j] })
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%s\t%s\t%s\t\n", k, n, s.errors, s.busy, float64(n)/r.elapsed.Seconds(),
			fmtDur(percentile(s.latencies, .50)), fmtDur(percentile(s.latencies, .99)), fmtDur(percentile(s.latencies, 1)))
	}
	fmt.Fprintf(tw, "all\t%d\t\t\t%.0f\t\t\t\t\n", all, float64(all)/r.elapsed.Seconds())
	tw.Flush()
	if r.start != nil && r.end != nil {
		var n int64
		for _, v := range r.trained {
			n += v
		}
		fmt.Fprintf(w, "model: version %d -> %d (%d Trains acknowledged), examples %d -> %d (+%d acknowledged)\n",
			r.start.GetVersion(), r.end.GetVersion(), r.trains, r.start.GetTotalExamples(), r.end.GetTotalExamples(), n)
	}
	if u := &r.server; u.before.goroutines > 0 {
		fmt.Fprintf(w, "server: goroutines %d before, %d at most, %d after the clients left", u.before.goroutines, u.peak.goroutines, u.after.goroutines)
		if u.before.rss > 0 { // 0: no /proc to read it from
			fmt.Fprintf(w, "; RSS %.1f MB before, %.1f MB at most, %.1f MB after", u.before.rss/1e6, u.peak.rss/1e6, u.after.rss/1e6)
		}
		fmt.Fprintln(w)
	}
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%dµs", d.Microseconds())
}

// run starts a server, loads it, checks the outcome and stops the server.
func run(ctx context.Context, c config) (*report, error) {
	corpus, err := seeds.Corpus()
	if err != nil {
		return nil, err
	}
	texts := make([]string, 0, len(corpus))
	for _, ex := range corpus {
		texts = append(texts, ex.Text)
	}
	// Articles: runs of five sentences, for calls that segment.
	var articles []string
	for i := 0; i+5 <= len(texts); i += 5 {
		articles = append(articles, strings.Join(texts[i:i+5], "\n"))
	}
	dataDir, err := os.MkdirTemp("", "claims-loadtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dataDir)

	srv, err := startServer(ctx, c, dataDir)
	if err != nil {
		return nil, err
	}
	stopped := false
	defer func() {
		if !stopped {
			srv.cmd.Process.Kill()
			<-srv.done
		}
	}()
	callCtx := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 30*time.Second) }
	// The model before the load, on a connection closed before the
	// goroutines are counted: one left idle through the load would be
	// closed by the server's --keepalive-max-idle in a long run, and its
	// goroutines would leave the count after but not before.
	start, err := getModel(callCtx, srv.grpcAddr)
	if err != nil {
		return nil, err
	}
	labels := start.GetLabels()

	rep := &report{cfg: c, kinds: map[string]*stats{}, start: start, trained: map[string]int64{}}
	var problems []error
	// One call of each classifying kind first, so that what the server
	// sets up once, when first needed (the gateway's connection to the
	// gRPC server that carries REST streams), is there before as after.
	if err := warmUp(ctx, callCtx, srv, c.REST, texts, articles, labels); err != nil {
		return nil, err
	}
	read := serverProbe(srv)
	before, err := quiet(ctx, read)
	if err != nil {
		return nil, fmt.Errorf("counting the server's goroutines before the load: %w", err)
	}
	rep.server.before, rep.server.peak = before, before
	workers := c.Clients + c.Streams + c.Abandoners + c.Trainers
	conns := make([]*grpc.ClientConn, workers)
	var closers []func()
	defer func() {
		for _, f := range closers {
			f() // again after the settle check: a no-op then
		}
	}()
	for i := range conns {
		if conns[i], _, err = dial(srv.grpcAddr); err != nil {
			return nil, err
		}
		conns[i].Connect() // before the load, not at its first call
		closers = append(closers, func() { conns[i].Close() })
	}
	sampled := make(chan struct{})
	sampleCtx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	go func() {
		defer close(sampled)
		rep.server.sample(sampleCtx, read)
	}()
	deadline := time.Now().Add(c.Duration)
	var wg sync.WaitGroup
	results := make([]*stats, workers)
	began := time.Now()
	for i := range workers {
		st := &stats{kind: classifyGRPC, trained: map[string]int64{}}
		switch {
		case i >= c.Clients+c.Streams+c.Abandoners:
			st.kind = trainGRPC
		case i >= c.Clients+c.Streams:
			st.kind = abandoned
		case i >= c.Clients && c.REST && (i-c.Clients)%2 == 1:
			st.kind = streamREST
		case i >= c.Clients:
			st.kind = streamGRPC
		case c.REST && i%2 == 1:
			st.kind = classifyREST
		}
		results[i] = st
		client := claimsv1.NewClaimServiceClient(conns[i])
		hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
		closers = append(closers, hc.CloseIdleConnections)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; time.Now().Before(deadline) && ctx.Err() == nil; n++ {
				t0 := time.Now()
				var err error
				switch st.kind {
				case classifyGRPC:
					err = classifyOnce(callCtx, client, n, i, texts, articles, labels)
				case classifyREST:
					err = classifyRESTOnce(ctx, hc, srv.httpAddr, n, i, texts, articles)
				case streamGRPC:
					err = streamOnce(callCtx, client, st, deadline, n, i, texts, articles)
				case streamREST:
					err = streamRESTOnce(ctx, hc, srv.httpAddr, n, i, texts)
				case abandoned:
					err = abandonOnce(ctx, client, hc, srv.httpAddr, n, i, c.REST, texts, articles)
				case trainGRPC:
					err = trainOnce(callCtx, client, st, n, i, c.Batch, texts, labels)
				}
				if errors.Is(err, errBusy) {
					st.busy++
					select {
					case <-time.After(busyWait):
					case <-ctx.Done():
					}
					continue
				}
				if err != nil {
					st.fail(err)
					continue
				}
				if st.kind != streamGRPC { // a stream times each of its messages
					st.latencies = append(st.latencies, time.Since(t0))
				}
			}
		}()
	}
	wg.Wait()
	rep.elapsed = time.Since(began)
	// The clients leave: the server must let go of what they held.
	for _, f := range closers {
		f()
	}
	stopSampling()
	<-sampled
	if err := rep.server.settle(ctx, read, settleTime, goroutineDump(srv)); err != nil && ctx.Err() == nil {
		problems = append(problems, err)
	}

	for _, st := range results {
		k := rep.kinds[st.kind]
		if k == nil {
			k = &stats{kind: st.kind}
			rep.kinds[st.kind] = k
		}
		k.latencies = append(k.latencies, st.latencies...)
		k.errors += st.errors
		k.busy += st.busy
		if st.firstErr != nil && k.firstErr == nil {
			k.firstErr = st.firstErr
			problems = append(problems, fmt.Errorf("%s: %d errors, first: %w", st.kind, st.errors, st.firstErr))
		}
		for l, n := range st.trained {
			rep.trained[l] += n
		}
		rep.trains += st.trains
	}
	if ctx.Err() != nil {
		return rep, ctx.Err()
	}

	// Nothing lost, nothing doubled.
	end, err := getModel(callCtx, srv.grpcAddr)
	if err != nil {
		return rep, err
	}
	rep.end = end
	want := maps.Clone(start.GetLabelCounts())
	for l, n := range rep.trained {
		want[l] += n
	}
	if !maps.Equal(end.GetLabelCounts(), want) {
		problems = append(problems, fmt.Errorf("final counts %v, want start %v + acknowledged %v = %v", end.GetLabelCounts(), start.GetLabelCounts(), rep.trained, want))
	}
	if end.GetVersion() != start.GetVersion()+uint64(rep.trains) {
		problems = append(problems, fmt.Errorf("final version %d, want %d + %d acknowledged Trains", end.GetVersion(), start.GetVersion(), rep.trains))
	}

	// What was served is what was persisted.
	if err := srv.stop(); err != nil {
		problems = append(problems, err)
	}
	stopped = true
	if n := srv.logs.raceCount(); n > 0 {
		problems = append(problems, fmt.Errorf("the server reported %d data races:\n%s", n, srv.logs))
	}
	if len(problems) == 0 {
		srv2, err := startServer(ctx, c, dataDir)
		if err != nil {
			return rep, err
		}
		again, err := getModel(callCtx, srv2.grpcAddr)
		if err == nil {
			if again.GetVersion() != end.GetVersion() || again.GetContentHash() != end.GetContentHash() || !maps.Equal(again.GetLabelCounts(), end.GetLabelCounts()) {
				err = fmt.Errorf("after restart: version %d hash %.12s counts %v; served version %d hash %.12s counts %v",
					again.GetVersion(), again.GetContentHash(), again.GetLabelCounts(), end.GetVersion(), end.GetContentHash(), end.GetLabelCounts())
			}
		}
		if serr := srv2.stop(); err == nil {
			err = serr
		}
		if err != nil {
			problems = append(problems, err)
		}
	}
	if len(problems) > 0 {
		return rep, errors.Join(problems...)
	}
	return rep, nil
}

// getModel asks the server at addr for its model, on a connection of its
// own that it closes.
func getModel(callCtx func() (context.Context, context.CancelFunc), addr string) (*claimsv1.GetModelResponse, error) {
	conn, client, err := dial(addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	ctx, cancel := callCtx()
	defer cancel()
	return client.GetModel(ctx, &claimsv1.GetModelRequest{})
}

// dial connects a gRPC client to addr.
func dial(addr string) (*grpc.ClientConn, claimsv1.ClaimServiceClient, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, nil, err
	}
	return conn, claimsv1.NewClaimServiceClient(conn), nil
}

func classifyOnce(callCtx func() (context.Context, context.CancelFunc), client claimsv1.ClaimServiceClient, n, worker int, texts, articles []string, labels []string) error {
	ctx, cancel := callCtx()
	defer cancel()
	var req *claimsv1.ClassifyRequest
	switch n % 3 {
	case 0:
		req = &claimsv1.ClassifyRequest{Text: articles[(n*7+worker)%len(articles)], Explain: 2}
	case 1:
		i := (n*13 + worker) % (len(texts) - 3)
		req = &claimsv1.ClassifyRequest{Sentences: texts[i : i+3]}
	default:
		req = &claimsv1.ClassifyRequest{Text: texts[(n*31+worker)%len(texts)]}
	}
	resp, err := client.Classify(ctx, req)
	if grpcBusy(err) {
		return errBusy
	}
	if err != nil {
		return fmt.Errorf("Classify: %s: %s", status.Code(err), status.Convert(err).Message())
	}
	if len(resp.GetSentences()) == 0 {
		return fmt.Errorf("Classify: no sentences in %v", resp)
	}
	for _, s := range resp.GetSentences() {
		if !slices.Contains(labels, s.GetLabel()) {
			return fmt.Errorf("Classify: unknown label %q", s.GetLabel())
		}
	}
	return nil
}

// restPost posts the JSON body to path on the REST gateway at addr.
func restPost(ctx context.Context, hc *http.Client, addr, path string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return hc.Do(req)
}

// restStatus returns nil for a 200 answer, errBusy for a refusal as busy
// (429 with Retry-After), and otherwise an error with the status and the
// body, which it reads.
func restStatus(resp *http.Response) error {
	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") != "":
		return errBusy
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	return fmt.Errorf("%d %s", resp.StatusCode, b)
}

// restCall posts the JSON body to path on the REST gateway at addr, with
// a deadline of 30 s, and returns the answer's body if its status is 200
// (else restStatus's error).
func restCall(ctx context.Context, hc *http.Client, addr, path string, body io.Reader) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := restPost(ctx, hc, addr, path, body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := restStatus(resp); err != nil {
		return nil, err
	}
	return io.ReadAll(resp.Body)
}

func classifyRESTOnce(ctx context.Context, hc *http.Client, addr string, n, worker int, texts, articles []string) error {
	var body []byte
	if n%2 == 0 {
		body, _ = json.Marshal(map[string]any{"text": articles[(n*11+worker)%len(articles)]})
	} else {
		i := (n*17 + worker) % (len(texts) - 2)
		body, _ = json.Marshal(map[string]any{"sentences": texts[i : i+2]})
	}
	b, err := restCall(ctx, hc, addr, "/v1/classify", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("REST classify: %w", err)
	}
	var out struct {
		Sentences []struct{ Label string } `json:"sentences"`
	}
	if err := json.Unmarshal(b, &out); err != nil || len(out.Sentences) == 0 {
		return fmt.Errorf("REST classify: bad response %.200s (%v)", b, err)
	}
	return nil
}

func trainOnce(callCtx func() (context.Context, context.CancelFunc), client claimsv1.ClaimServiceClient, st *stats, n, worker, batch int, texts, labels []string) error {
	ctx, cancel := callCtx()
	defer cancel()
	size := 1 + n%batch
	exs := make([]*claimsv1.Example, size)
	for j := range exs {
		exs[j] = &claimsv1.Example{
			// Unique per call, so each is a new example.
			Text:  fmt.Sprintf("Load trainer %d call %d item %d: %s", worker, n, j, texts[(n*7+j*3+worker)%len(texts)]),
			Label: labels[(n+j+worker)%len(labels)],
		}
	}
	resp, err := client.Train(ctx, &claimsv1.TrainRequest{Examples: exs})
	if grpcBusy(err) {
		return errBusy // not applied: the server read none of it
	}
	if err != nil {
		return fmt.Errorf("Train: %s: %s", status.Code(err), status.Convert(err).Message())
	}
	if resp.GetExamplesApplied() != int64(size) {
		return fmt.Errorf("Train: %d examples applied, sent %d", resp.GetExamplesApplied(), size)
	}
	for _, e := range exs {
		st.trained[e.GetLabel()]++
	}
	st.trains++
	return nil
}

// warmUp makes one call of each classifying kind the clients make (over
// REST too, with rest), on a connection of its own that it then closes.
func warmUp(ctx context.Context, callCtx func() (context.Context, context.CancelFunc), srv *server, rest bool, texts, articles, labels []string) error {
	conn, client, err := dial(srv.grpcAddr)
	if err != nil {
		return err
	}
	defer conn.Close()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer hc.CloseIdleConnections()
	st := &stats{}
	calls := []func() error{
		func() error { return classifyOnce(callCtx, client, 0, 0, texts, articles, labels) },
		func() error {
			return streamOnce(callCtx, client, st, time.Now().Add(time.Minute), 0, 0, texts, articles)
		},
	}
	if rest {
		calls = append(calls,
			func() error { return classifyRESTOnce(ctx, hc, srv.httpAddr, 0, 0, texts, articles) },
			func() error { return streamRESTOnce(ctx, hc, srv.httpAddr, 0, 0, texts) },
		)
	}
	for _, call := range calls {
		if err := call(); err != nil {
			return fmt.Errorf("warming up: %w", err)
		}
	}
	return nil
}

// abandonSentences is how many sentences the Classify that abandonOnce
// gives a short deadline carries: enough for the server to work on it for
// a few milliseconds, so that the deadline mostly runs out while it works
// (in a 5 s run, 134 of 187 such calls ended in the server as CANCELED,
// the client's reset of the stream, or DEADLINE_EXCEEDED).
const abandonSentences = 400

// abandonStreamSentences is how many sentences each of the 10 requests of
// the REST stream that abandonOnce hangs up on carries: enough that the
// server is still at work on the later ones when the client hangs up
// after the first line.
const abandonStreamSentences = 100

// abandonOnce makes a call and gives up on it partway, in one of the ways
// a client does (in turn, the REST ones only with rest): it cancels a
// ClassifyStream after the first of three answers, gives a Classify of
// abandonSentences sentences a deadline of 0.5 to 8 ms, about what the
// server takes to classify them, hangs up on a REST stream of 10
// requests of abandonStreamSentences after its first line, or closes its connection in the middle
// of a REST request's body. The server must answer the first two as gRPC
// does (CANCELED, or DEADLINE_EXCEEDED or the answer), and let go of all
// four: the goroutine check after the load is theirs as much as the other
// clients'.
func abandonOnce(ctx context.Context, client claimsv1.ClaimServiceClient, hc *http.Client, addr string, n, worker int, rest bool, texts, articles []string) error {
	ways := 2
	if rest {
		ways = 4
	}
	switch n % ways {
	case 0:
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		stream, err := client.ClassifyStream(sctx)
		if err != nil {
			return streamErr(err)
		}
		for m := range 3 {
			if err := stream.Send(&claimsv1.ClassifyStreamRequest{Id: fmt.Sprint(m), Text: articles[(n*7+m+worker)%len(articles)]}); err != nil {
				_, err = stream.Recv()
				return streamErr(err)
			}
		}
		if _, err := stream.Recv(); err != nil {
			return streamErr(err)
		}
		cancel()
		// Answers that came before the cancel may still be read.
		for range 3 {
			if _, err := stream.Recv(); err != nil {
				if status.Code(err) != codes.Canceled {
					return fmt.Errorf("ClassifyStream cancelled by its client: got %v, want CANCELED", err)
				}
				return nil
			}
		}
		return errors.New("ClassifyStream cancelled by its client: more answers than requests")
	case 1:
		within := time.Duration(1+(n/ways*7+worker)%16) * 500 * time.Microsecond
		cctx, cancel := context.WithTimeout(ctx, within)
		defer cancel()
		i := (n*11 + worker) % (len(texts) - abandonSentences)
		resp, err := client.Classify(cctx, &claimsv1.ClassifyRequest{Sentences: texts[i : i+abandonSentences], Explain: 2})
		if grpcBusy(err) {
			return errBusy
		}
		if err != nil && status.Code(err) != codes.DeadlineExceeded {
			return fmt.Errorf("Classify with a deadline of %v: got %s: %s, want DEADLINE_EXCEEDED or the answer", within, status.Code(err), status.Convert(err).Message())
		}
		if err == nil && len(resp.GetSentences()) == 0 {
			return fmt.Errorf("Classify with a deadline of %v: an answer with no sentences", within)
		}
		return nil
	case 2:
		var body bytes.Buffer
		enc := json.NewEncoder(&body)
		for m := range restStreamRequests {
			i := (n*13 + m*101 + worker) % (len(texts) - abandonStreamSentences)
			enc.Encode(map[string]any{"id": fmt.Sprint(m), "sentences": texts[i : i+abandonStreamSentences]})
		}
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		resp, err := restPost(rctx, hc, addr, "/v1/classify:stream", &body)
		if err != nil {
			return fmt.Errorf("REST stream: %w", err)
		}
		defer resp.Body.Close() // before its end: the connection is closed
		if err := restStatus(resp); err != nil {
			return fmt.Errorf("REST stream: %w", err)
		}
		line, err := bufio.NewReader(resp.Body).ReadBytes('\n')
		if err != nil || !bytes.HasPrefix(line, []byte(`{"result"`)) {
			return fmt.Errorf("REST stream: first line %.200q (%v), want a result", line, err)
		}
		return nil
	default:
		var d net.Dialer
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		conn, err := d.DialContext(dctx, "tcp", addr)
		if err != nil {
			return fmt.Errorf("REST body cut off: %w", err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		text := texts[(n*17+worker)%len(texts)]
		_, err = fmt.Fprintf(conn, "POST /v1/classify HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"text\": %q", addr, len(text)+64, text[:len(text)/2])
		if err != nil {
			return fmt.Errorf("REST body cut off: %w", err)
		}
		return nil // closed with half the body sent
	}
}

// streamMessages is how many requests a gRPC stream client sends on one
// stream before it closes it and opens another, so that streams are
// opened and closed throughout the test, not only held.
const streamMessages = 50

// streamOnce runs one ClassifyStream: up to streamMessages requests, each
// sent once the answer to the one before has come (timed one by one),
// then a half-close, which the server must answer by ending the stream.
func streamOnce(callCtx func() (context.Context, context.CancelFunc), client claimsv1.ClaimServiceClient, st *stats, deadline time.Time, n, worker int, texts, articles []string) error {
	ctx, cancel := callCtx()
	defer cancel()
	stream, err := client.ClassifyStream(ctx)
	if err != nil {
		return fmt.Errorf("ClassifyStream: %s: %s", status.Code(err), status.Convert(err).Message())
	}
	for m := 0; m < streamMessages && time.Now().Before(deadline); m++ {
		k := n*streamMessages + m
		req := &claimsv1.ClassifyStreamRequest{Id: fmt.Sprintf("w%d-%d", worker, k)}
		if k%2 == 0 {
			req.Text = articles[(k*7+worker)%len(articles)]
		} else {
			i := (k*13 + worker) % (len(texts) - 3)
			req.Sentences = texts[i : i+3]
		}
		t0 := time.Now()
		if err := stream.Send(req); err != nil {
			// The server ended the stream; Recv says why.
			_, err = stream.Recv()
			return streamErr(err)
		}
		resp, err := stream.Recv()
		if err != nil {
			return streamErr(err)
		}
		if resp.GetId() != req.GetId() || len(resp.GetSentences()) == 0 {
			return fmt.Errorf("ClassifyStream: answer %q with %d sentences to request %q", resp.GetId(), len(resp.GetSentences()), req.GetId())
		}
		st.latencies = append(st.latencies, time.Since(t0))
	}
	if err := stream.CloseSend(); err != nil {
		return fmt.Errorf("ClassifyStream: CloseSend: %w", err)
	}
	if resp, err := stream.Recv(); err != io.EOF {
		if err == nil {
			return fmt.Errorf("ClassifyStream: an answer %q after the half-close, where the end was due", resp.GetId())
		}
		return streamErr(err)
	}
	return nil
}

// streamErr is the error of a ClassifyStream that ended early: errBusy for
// a refusal as busy.
func streamErr(err error) error {
	if err == io.EOF {
		return errors.New("ClassifyStream: the server ended the stream before answering")
	}
	if grpcBusy(err) {
		return errBusy
	}
	return fmt.Errorf("ClassifyStream: %s: %s", status.Code(err), status.Convert(err).Message())
}

// restStreamRequests is how many requests one POST /v1/classify:stream
// carries.
const restStreamRequests = 10

// streamRESTOnce sends restStreamRequests requests in one
// POST /v1/classify:stream and checks that each gets its result line.
func streamRESTOnce(ctx context.Context, hc *http.Client, addr string, n, worker int, texts []string) error {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	for m := range restStreamRequests {
		k := n*restStreamRequests + m
		i := (k*17 + worker) % (len(texts) - 2)
		if k%2 == 0 {
			enc.Encode(map[string]any{"id": fmt.Sprint(m), "text": texts[i] + " " + texts[i+1]})
		} else {
			enc.Encode(map[string]any{"id": fmt.Sprint(m), "sentences": texts[i : i+2]})
		}
	}
	b, err := restCall(ctx, hc, addr, "/v1/classify:stream", &body)
	if err != nil {
		return fmt.Errorf("REST stream: %w", err)
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) != restStreamRequests {
		return fmt.Errorf("REST stream: %d lines for %d requests: %.300s", len(lines), restStreamRequests, b)
	}
	for m, line := range lines {
		var out struct {
			Result *struct {
				ID        string `json:"id"`
				Sentences []struct{ Label string }
			} `json:"result"`
		}
		if err := json.Unmarshal(line, &out); err != nil || out.Result == nil || out.Result.ID != fmt.Sprint(m) || len(out.Result.Sentences) == 0 {
			return fmt.Errorf("REST stream: line %d is not the result of request %d: %.300s (%v)", m+1, m, line, err)
		}
	}
	return nil
}

// reading is the server's goroutines and resident memory at one time.
type reading struct {
	goroutines int
	rss        float64 // bytes; 0 where /proc cannot tell
}

// probe reads the server's goroutines and resident memory.
type probe func(context.Context) (reading, error)

// usage is what the load test saw of the server's goroutines and memory:
// before the clients came, the most while they ran, and after they left.
type usage struct {
	mu                  sync.Mutex
	before, peak, after reading
}

// sampleEvery is how often the server is probed while the clients run.
const sampleEvery = 500 * time.Millisecond

// sample probes the server every sampleEvery until ctx is done, keeping
// the peaks.
func (u *usage) sample(ctx context.Context, read probe) {
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r, err := read(ctx)
		if err != nil {
			continue // under load a read may time out; the next one counts
		}
		u.mu.Lock()
		u.peak.goroutines = max(u.peak.goroutines, r.goroutines)
		u.peak.rss = max(u.peak.rss, r.rss)
		u.mu.Unlock()
	}
}

// quietFor is how long quiet probes the server for.
const quietFor = time.Second

// quiet returns the server's fewest goroutines, and its resident memory
// then, over quietFor of probes 100 ms apart: the goroutines of a
// connection just closed (the warm-up's) end a moment later, and must not
// count as the server's own.
func quiet(ctx context.Context, read probe) (reading, error) {
	least, err := read(ctx)
	if err != nil {
		return reading{}, err
	}
	for end := time.Now().Add(quietFor); time.Now().Before(end); {
		select {
		case <-ctx.Done():
			return reading{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		r, err := read(ctx)
		if err != nil {
			return reading{}, err
		}
		if r.goroutines < least.goroutines {
			least = r
		}
	}
	return least, nil
}

// goroutineSlack is how many goroutines more than before the load the
// server may keep once the clients have left. It is 1, not 0, for a
// goroutine of the runtime's or of a timer that happens to run as the
// count is taken; a leak of one goroutine per call, stream or connection
// is far more than that even in the short test.
const goroutineSlack = 1

// settleTime is how long the server has, once the clients have closed
// their connections, to get back to its goroutines before the load.
const settleTime = 15 * time.Second

// settle waits for the server's goroutines to come back to what they were
// before the load (within goroutineSlack), and returns an error if they
// have not done so within that time: a goroutine left behind by each
// call, stream or connection is a leak that a long-running server would
// die of. dump, if not nil, gives the server's goroutines for the error.
func (u *usage) settle(ctx context.Context, read probe, within time.Duration, dump func(context.Context) string) error {
	end := time.Now().Add(within)
	for {
		r, err := read(ctx)
		if err == nil {
			u.mu.Lock()
			u.after = r
			u.mu.Unlock()
			if r.goroutines <= u.before.goroutines+goroutineSlack {
				return nil
			}
		}
		if time.Now().After(end) {
			if err != nil {
				return fmt.Errorf("probing the server after the load: %w", err)
			}
			msg := fmt.Sprintf("the server kept %d goroutines %v after the clients closed their connections, against %d before the load: a leak", r.goroutines, within, u.before.goroutines)
			if dump != nil {
				msg += "; its goroutines, the most numerous first:\n" + dump(ctx)
			}
			return errors.New(msg)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// serverProbe returns the probe of srv: its goroutines from the runtime's
// goroutine profile on its debug listener (a count taken alone, where
// go_goroutines on /metrics is taken while the registry's collectors run
// goroutines of their own), and its resident memory from /proc.
func serverProbe(srv *server) probe {
	return func(ctx context.Context) (reading, error) {
		page, err := getDebug(ctx, srv.debugAddr, "/debug/pprof/goroutine?debug=1")
		if err != nil {
			return reading{}, err
		}
		n, err := goroutineTotal(page)
		if err != nil {
			return reading{}, err
		}
		r := reading{goroutines: n}
		if status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", srv.cmd.Process.Pid)); err == nil {
			r.rss = vmRSS(string(status))
		}
		return r, nil
	}
}

// goroutineDump returns the most numerous of srv's goroutines, by stack, as
// the goroutine profile lists them, cut to about 4 KB.
func goroutineDump(srv *server) func(context.Context) string {
	return func(ctx context.Context) string {
		page, err := getDebug(ctx, srv.debugAddr, "/debug/pprof/goroutine?debug=1")
		if err != nil {
			return fmt.Sprintf("(the goroutine profile could not be read: %v)", err)
		}
		const most = 4 << 10
		if len(page) > most {
			page = page[:most] + "\n…"
		}
		return page
	}
}

// getDebug gets path from the server's debug listener, on a connection of
// its own that it closes.
func getDebug(ctx context.Context, addr, path string) (string, error) {
	if addr == "" {
		return "", errors.New("the server has no --debug-addr, whose goroutine profile the leak check reads")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return "", err
	}
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return "", fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return string(b), nil
}

// goroutineTotal reads the total from the first line of a goroutine
// profile in its debug=1 form: "goroutine profile: total 88".
func goroutineTotal(page string) (int, error) {
	line, _, _ := strings.Cut(page, "\n")
	v, ok := strings.CutPrefix(line, "goroutine profile: total ")
	if !ok {
		return 0, fmt.Errorf("not a goroutine profile: %.80q", line)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("goroutine profile: total %q", v)
	}
	return n, nil
}

// vmRSS reads VmRSS, in bytes, from a /proc/PID/status file; 0 if it has
// none.
func vmRSS(status string) float64 {
	for line := range strings.Lines(status) {
		v, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(v) // "123456 kB"
		if len(f) == 2 && f[1] == "kB" {
			if kb, err := strconv.ParseFloat(f[0], 64); err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}
