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
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/seeds"
	"github.com/claimsvc/claims/server/internal/loadgen"
)

// Peers measured on this machine with one thread (from the issue).
const (
	peerFastText = 85_000
	peerSklearn  = 58_000
)

type options struct {
	server   string
	duration time.Duration
	warmup   time.Duration
	inproc   time.Duration
	starts   int
	conns    int
	levels   []int
	verbose  bool
	only     string
}

func main() {
	var o options
	var levels string
	flag.StringVar(&o.server, "server", "", "server binary (default: go build ./server into a temporary directory)")
	flag.DurationVar(&o.duration, "duration", 2*time.Second, "recorded time of each load run")
	flag.DurationVar(&o.warmup, "warmup", 400*time.Millisecond, "unrecorded warm-up of each load run")
	flag.DurationVar(&o.inproc, "inproc", 2*time.Second, "time of each in-process measurement")
	flag.IntVar(&o.starts, "starts", 5, "server starts timed (the median is reported)")
	flag.IntVar(&o.conns, "conns", 1, "gRPC client connections shared by the workers")
	flag.StringVar(&levels, "c", "1,16,64", "concurrency levels")
	flag.BoolVar(&o.verbose, "v", false, "log progress to stderr")
	flag.StringVar(&o.only, "only", "", "for profiling: run only the load rows whose name contains this, and skip the in-process rows")
	flag.Parse()
	for _, f := range strings.Split(levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fatalf("-c: bad level %q", f)
		}
		o.levels = append(o.levels, n)
	}
	if o.server == "" {
		dir, err := os.MkdirTemp("", "claims-bench")
		if err != nil {
			fatalf("%v", err)
		}
		defer os.RemoveAll(dir)
		o.server = filepath.Join(dir, "server")
		progress(true, "building the server")
		if out, err := exec.Command("go", "build", "-o", o.server, "github.com/claimsvc/claims/server").CombinedOutput(); err != nil {
			fatalf("go build: %v\n%s", err, out)
		}
	}
	b := &bench{o: o}
	b.run()
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchcmd: "+format+"\n", args...)
	os.Exit(1)
}

func progress(on bool, format string, args ...any) {
	if on {
		fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	}
}

// row is one line of the table.
type row struct {
	section                            int // rows print in section order
	figure, value, beside, target, met string
}

// Sections of the table.
const (
	secInProcess = iota
	secStartup
	secNetwork
)

type bench struct {
	o       options
	rows    []row
	section int       // of the rows being added
	load    [2]string // load average before and after

	sentences []string // sentences of the seed articles
	article   string   // the ~700-word seed article
	corpus    []classifier.Example
}

func (b *bench) add(figure, value, beside, target string, ok *bool) {
	met := ""
	if ok != nil {
		met = "no"
		if *ok {
			met = "yes"
		}
	}
	b.rows = append(b.rows, row{b.section, figure, value, beside, target, met})
}

func ptr(v bool) *bool { return &v }

func (b *bench) run() {
	b.load[0] = loadAvg()
	arts, err := seeds.Articles()
	if err != nil {
		fatalf("%v", err)
	}
	names := make([]string, 0, len(arts))
	for n := range arts {
		names = append(names, n)
	}
	sort.Strings(names)
	var articles []string
	for _, n := range names {
		articles = append(articles, arts[n])
	}
	// The ~700-word article for the gRPC runs: the one closest to 700 words.
	best := -1
	for i, a := range articles {
		if best < 0 || abs(len(strings.Fields(a))-700) < abs(len(strings.Fields(articles[best]))-700) {
			best = i
		}
	}
	b.article = articles[best]
	if b.corpus, err = seeds.Corpus(); err != nil {
		fatalf("%v", err)
	}

	// Startup first, while this process is idle: the in-process runs
	// leave garbage whose collection would compete with the server.
	b.section = secStartup
	srv := b.startup()
	defer srv.stop()
	b.section = secInProcess
	if b.o.only == "" {
		b.inProcess(articles)
	} else {
		for _, a := range articles {
			for _, sp := range classifier.Segment(a) {
				b.sentences = append(b.sentences, sp.Text)
			}
		}
	}
	runtime.GC()
	debug.FreeOSMemory()
	b.section = secNetwork
	b.network(srv)
	b.load[1] = loadAvg()
	b.print()
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// ---- in-process ----

// cpuTime returns the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measured is the outcome of an in-process loop.
type measured struct {
	units  int
	wall   time.Duration
	cpu    time.Duration
	allocs uint64
	bytes  uint64
}

func (m measured) perCPU() float64 { return float64(m.units) / m.cpu.Seconds() }
func (m measured) perWall() float64 {
	return float64(m.units) / m.wall.Seconds()
}
func (m measured) allocsPer() float64 { return float64(m.allocs) / float64(m.units) }
func (m measured) bytesPer() float64  { return float64(m.bytes) / float64(m.units) }

// measure calls f (which returns the units it processed) until d has
// passed, after one unmeasured call.
func measure(d time.Duration, f func() int) measured {
	f()
	runtime.GC()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	c0, w0 := cpuTime(), time.Now()
	n := 0
	for time.Since(w0) < d {
		n += f()
	}
	m := measured{units: n, wall: time.Since(w0), cpu: cpuTime() - c0}
	runtime.ReadMemStats(&ms1)
	m.allocs, m.bytes = ms1.Mallocs-ms0.Mallocs, ms1.TotalAlloc-ms0.TotalAlloc
	return m
}

func isSep(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }

func (b *bench) inProcess(articles []string) {
	v := b.o.verbose
	progress(v, "in-process: training the default model")
	tok, err := classifier.NewTokenizer(bytes.NewReader(seeds.Tokenizer()))
	if err != nil {
		fatalf("%v", err)
	}
	model := classifier.New(tok)
	c0, w0 := cpuTime(), time.Now()
	if _, err := model.Replace(context.Background(), b.corpus); err != nil {
		fatalf("%v", err)
	}
	cold := measured{units: len(b.corpus), wall: time.Since(w0), cpu: cpuTime() - c0}

	// Per-article sentence lists for the pre-split runs.
	var split [][]string
	segs := make([]int, len(articles))
	for i, a := range articles {
		var ss []string
		for _, sp := range classifier.Segment(a) {
			if classifier.CheckText(sp.Text) == nil {
				ss = append(ss, sp.Text)
			}
		}
		split = append(split, ss)
		segs[i] = len(ss)
		b.sentences = append(b.sentences, ss...)
	}

	ctx := context.Background()
	// Warm the tokenizer's word cache: a sentence resolves at most a few
	// unseen words a call, so long sentences of words the corpus lacks
	// take a few dozen passes to be served from the cache.
	for range 100 {
		for _, a := range articles {
			if _, err := model.ClassifyText(ctx, a, 0); err != nil {
				fatalf("%v", err)
			}
		}
	}

	// Everything per core: one P, and CPU time rather than wall time, so
	// other work on the machine does not count against the figures.
	prev := runtime.GOMAXPROCS(1)
	progress(v, "in-process: articles")
	i := 0
	art := measure(b.o.inproc, func() int {
		r, err := model.ClassifyText(ctx, articles[i%len(articles)], 0)
		if err != nil {
			fatalf("%v", err)
		}
		i++
		return len(r.Sentences)
	})
	i = 0
	artFloor := measure(b.o.inproc/2, func() int {
		_ = strings.FieldsFunc(articles[i%len(articles)], isSep)
		n := segs[i%len(articles)]
		i++
		return n
	})
	progress(v, "in-process: pre-split sentences")
	i = 0
	pre := measure(b.o.inproc, func() int {
		r, err := model.ClassifyBatch(ctx, split[i%len(split)], 0)
		if err != nil {
			fatalf("%v", err)
		}
		i++
		return len(r.Sentences)
	})
	i = 0
	preFloor := measure(b.o.inproc/2, func() int {
		for _, s := range split[i%len(split)] {
			_ = strings.FieldsFunc(s, isSep)
		}
		i++
		return len(split[(i-1)%len(split)])
	})
	// The tokenizer alone, on the same sentences: what classification
	// adds to tokenizing.
	i = 0
	var toks []string
	preTok := measure(b.o.inproc/2, func() int {
		for _, s := range split[i%len(split)] {
			toks = tok.AppendTokens(toks[:0], s)
		}
		i++
		return len(split[(i-1)%len(split)])
	})
	progress(v, "in-process: training")
	train1 := measure(b.o.inproc, func() int {
		if _, err := model.Replace(context.Background(), b.corpus); err != nil {
			fatalf("%v", err)
		}
		return len(b.corpus)
	})
	runtime.GOMAXPROCS(prev)
	trainN := measure(b.o.inproc, func() int {
		if _, err := model.Replace(context.Background(), b.corpus); err != nil {
			fatalf("%v", err)
		}
		return len(b.corpus)
	})
	const batch = 100
	lo := 0
	learn := measure(b.o.inproc/2, func() int {
		exs := b.corpus[lo%(len(b.corpus)-batch):][:batch]
		lo += batch
		if _, err := model.Learn(context.Background(), exs, false); err != nil {
			fatalf("%v", err)
		}
		return batch
	})

	peers := fmt.Sprintf("fastText %s/s, sklearn NB %s/s", si(peerFastText), si(peerSklearn))
	b.add("In-process, whole articles: segment+tokenize+classify (sentences/s per core)",
		si(art.perCPU()),
		fmt.Sprintf("FieldsFunc floor %s/s (%.2fx); peers %s", si(artFloor.perCPU()), art.perCPU()/artFloor.perCPU(), peers),
		">= 85k", ptr(art.perCPU() >= 85_000))
	b.add("  allocations per sentence (articles)",
		fmt.Sprintf("%.2f allocs, %.0f B", art.allocsPer(), art.bytesPer()),
		fmt.Sprintf("FieldsFunc floor %.2f allocs, %.0f B", artFloor.allocsPer(), artFloor.bytesPer()), "", nil)
	b.add("In-process, pre-split sentences: tokenize+classify (sentences/s per core)",
		si(pre.perCPU()),
		fmt.Sprintf("FieldsFunc floor %s/s (%.2fx); peers %s", si(preFloor.perCPU()), pre.perCPU()/preFloor.perCPU(), peers),
		">= 300k", ptr(pre.perCPU() >= 300_000))
	b.add("  allocations per sentence (pre-split, ClassifyBatch)",
		fmt.Sprintf("%.2f allocs, %.0f B", pre.allocsPer(), pre.bytesPer()),
		fmt.Sprintf("FieldsFunc floor %.2f allocs, %.0f B", preFloor.allocsPer(), preFloor.bytesPer()), "", nil)
	b.add("  the tokenizer alone on the same sentences (sentences/s per core)",
		si(preTok.perCPU()),
		fmt.Sprintf("tokenize+classify runs at %.2fx the tokenizer alone", pre.perCPU()/preTok.perCPU()), "", nil)
	b.add(fmt.Sprintf("Train: Replace %d examples, warm tokenizer, GOMAXPROCS=%d (examples/s)", len(b.corpus), prev),
		si(trainN.perWall()),
		fmt.Sprintf("1 core: %s/s (per CPU-second)", si(train1.perCPU())),
		">= 100k", ptr(trainN.perWall() >= 100_000))
	b.add("  Train: first Replace, cold tokenizer cache (examples/s)", si(cold.perWall()),
		fmt.Sprintf("%v wall, %v CPU", cold.wall.Round(time.Millisecond), cold.cpu.Round(time.Millisecond)), "", nil)
	b.add(fmt.Sprintf("  Train: Learn, batches of %d into the trained model (examples/s)", batch), si(learn.perWall()),
		fmt.Sprintf("%.1f ms per batch", learn.wall.Seconds()*1000/float64(learn.units/batch)), "", nil)
}

// si formats a rate with a k or M suffix.
func si(v float64) string {
	switch {
	case v >= 10e6:
		return fmt.Sprintf("%.0fM", v/1e6)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 100e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// ---- the server process ----

type serverProc struct {
	cmd      *exec.Cmd
	grpcAddr string
	httpAddr string
	startup  string // the server's own startup figure, from its log
	done     chan struct{}
}

// launch starts the server and returns once it logs its addresses.
func (b *bench) launch(args ...string) (*serverProc, time.Time, error) {
	cmd := exec.Command(b.o.server, append([]string{"--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--log-format", "json"}, args...)...)
	// The load's streams share --conns connections: no per-connection
	// bound, which a benchmark of throughput would only trip over. Set by
	// its variable, which a build from before the bound ignores, so that
	// such a build can be measured beside this one.
	cmd.Env = append(os.Environ(), "CLAIMS_MAX_CLASSIFY_STREAMS_PER_CONN=0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, time.Time{}, err
	}
	p := &serverProc{cmd: cmd, done: make(chan struct{})}
	ready := make(chan error, 1)
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, t0, err
	}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		var tail []string
		for sc.Scan() {
			if sent {
				continue // keep draining: the server logs every call
			}
			tail = append(tail, sc.Text())
			var line map[string]any
			if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == "serving" {
				p.grpcAddr, _ = line["grpc"].(string)
				p.httpAddr, _ = line["http"].(string)
				if ns, ok := line["startup"].(float64); ok {
					p.startup = time.Duration(ns).Round(time.Millisecond).String()
				}
				ready <- nil
				sent = true
			}
		}
		if !sent {
			ready <- fmt.Errorf("server exited before serving:\n%s", strings.Join(tail, "\n"))
		}
		cmd.Wait()
	}()
	select {
	case err := <-ready:
		if err != nil {
			return nil, t0, err
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		return nil, t0, errors.New("server did not start within 60s")
	}
	return p, t0, nil
}

func (p *serverProc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// rss returns VmRSS and VmHWM of a process in bytes.
func rss(pid int) (cur, peak int64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			cur = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return cur, peak
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

func dial(addr string) *grpc.ClientConn {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fatalf("dial %s: %v", addr, err)
	}
	return conn
}

// startup times the server from process start to its first answered
// Classify, b.o.starts times, and returns the last server, still running.
func (b *bench) startup() *serverProc {
	progress(b.o.verbose, "startup: %d runs", b.o.starts)
	// serve starts a server and returns it with the time from its start to
	// its first answered Classify.
	serve := func(args ...string) (*serverProc, time.Duration) {
		p, t0, err := b.launch(args...)
		if err != nil {
			fatalf("starting the server: %v", err)
		}
		conn := dial(p.grpcAddr)
		defer conn.Close()
		client := claimsv1.NewClaimServiceClient(conn)
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err := client.Classify(ctx, &claimsv1.ClassifyRequest{Text: "The ministry denied any involvement."})
			cancel()
			if err == nil {
				break
			}
			if time.Since(t0) > time.Minute {
				fatalf("server never answered Classify: %v", err)
			}
			time.Sleep(time.Millisecond)
		}
		d := time.Since(t0)
		progress(b.o.verbose, "server pid %d %v answered in %v", p.cmd.Process.Pid, args, d)
		return p, d
	}
	// With a data directory the first start trains and saves the default
	// model; the next one loads it.
	dir, err := os.MkdirTemp("", "claims-bench-data")
	if err != nil {
		fatalf("%v", err)
	}
	defer os.RemoveAll(dir)
	p, _ := serve("--data-dir", dir)
	p.stop()
	p, loaded := serve("--data-dir", dir)
	loadedLog := p.startup
	p.stop()

	var times []time.Duration
	var logged []string
	var last *serverProc
	for i := range b.o.starts {
		p, d := serve()
		times = append(times, d)
		logged = append(logged, p.startup)
		if i < b.o.starts-1 {
			p.stop()
		} else {
			last = p
		}
	}
	sorted := slices.Clone(times)
	slices.Sort(sorted)
	med := sorted[len(sorted)/2]
	var ms []string
	for _, t := range times {
		ms = append(ms, strconv.Itoa(int(t.Milliseconds())))
	}
	b.add(fmt.Sprintf("Process start -> first Classify answered, default model trained at start (median of %d)", len(times)),
		fmt.Sprintf("%d ms", med.Milliseconds()),
		fmt.Sprintf("runs %s ms; server's own log: startup=%s", strings.Join(ms, "/"), strings.Join(logged, "/")),
		"<= 300 ms", ptr(med <= 300*time.Millisecond))
	b.add("  Process start -> first Classify answered, model saved by an earlier start (--data-dir)",
		fmt.Sprintf("%d ms", loaded.Milliseconds()), fmt.Sprintf("server's own log: startup=%s", loadedLog), "", nil)
	time.Sleep(time.Second)
	cur, _ := rss(last.cmd.Process.Pid)
	b.add("RSS idle (1 s after serving)", mb(cur), "", "", nil)
	return last
}

// ---- network ----

type scenario struct {
	name string
	op   func(c int) (loadgen.Op, func())
}

func (b *bench) network(p *serverProc) {
	conns := make([]*grpc.ClientConn, max(b.o.conns, 1))
	for i := range conns {
		conns[i] = dial(p.grpcAddr)
		defer conns[i].Close()
	}
	clients := make([]claimsv1.ClaimServiceClient, len(conns))
	health := make([]healthpb.HealthClient, len(conns))
	for i, c := range conns {
		clients[i] = claimsv1.NewClaimServiceClient(c)
		health[i] = healthpb.NewHealthClient(c)
	}
	sents := b.sentences
	sentence := func(w, seq int) string { return sents[(w*7919+seq)%len(sents)] }
	maxLevel := slices.Max(b.o.levels)
	httpc := &http.Client{Transport: &http.Transport{
		MaxIdleConns: maxLevel * 2, MaxIdleConnsPerHost: maxLevel * 2, DisableCompression: true,
	}}
	restURL := "http://" + p.httpAddr + "/v1/classify"
	restBodies := make([][]byte, len(sents))
	for i, s := range sents {
		restBodies[i], _ = json.Marshal(map[string]string{"text": s})
	}

	scenarios := []scenario{
		{"gRPC empty RPC (grpc.health.v1 Check)", func(int) (loadgen.Op, func()) {
			req := &healthpb.HealthCheckRequest{}
			return func(ctx context.Context, w, seq int) error {
				_, err := health[w%len(health)].Check(ctx, req)
				return err
			}, nil
		}},
		{"gRPC Classify, one sentence", func(int) (loadgen.Op, func()) {
			return func(ctx context.Context, w, seq int) error {
				_, err := clients[w%len(clients)].Classify(ctx, &claimsv1.ClassifyRequest{Text: sentence(w, seq)})
				return err
			}, nil
		}},
		{fmt.Sprintf("gRPC Classify, one %d-word article", len(strings.Fields(b.article))), func(int) (loadgen.Op, func()) {
			req := &claimsv1.ClassifyRequest{Text: b.article}
			return func(ctx context.Context, w, seq int) error {
				_, err := clients[w%len(clients)].Classify(ctx, req)
				return err
			}, nil
		}},
		{"gRPC ClassifyStream, one sentence per message", func(c int) (loadgen.Op, func()) {
			streams := make([]grpc.BidiStreamingClient[claimsv1.ClassifyStreamRequest, claimsv1.ClassifyStreamResponse], c)
			for w := range streams {
				s, err := clients[w%len(clients)].ClassifyStream(context.Background())
				if err != nil {
					fatalf("ClassifyStream: %v", err)
				}
				streams[w] = s
			}
			return func(ctx context.Context, w, seq int) error {
					if err := streams[w].Send(&claimsv1.ClassifyStreamRequest{Text: sentence(w, seq)}); err != nil {
						return err
					}
					_, err := streams[w].Recv()
					return err
				}, func() {
					for _, s := range streams {
						s.CloseSend()
						for {
							if _, err := s.Recv(); err != nil {
								break
							}
						}
					}
				}
		}},
		{"REST POST /v1/classify, one sentence", func(int) (loadgen.Op, func()) {
			return func(ctx context.Context, w, seq int) error {
				body := restBodies[(w*7919+seq)%len(restBodies)]
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, restURL, bytes.NewReader(body))
				if err != nil {
					return err
				}
				req.Header.Set("Content-Type", "application/json")
				resp, err := httpc.Do(req)
				if err != nil {
					return err
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("HTTP %s", resp.Status)
				}
				return err
			}, nil
		}},
	}

	// Sample the server's RSS while under load.
	pid := p.cmd.Process.Pid
	var maxRSS int64
	var mu sync.Mutex
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				cur, _ := rss(pid)
				mu.Lock()
				maxRSS = max(maxRSS, cur)
				mu.Unlock()
			}
		}
	}()

	results := make([][]loadgen.Result, len(scenarios))
	for si, sc := range scenarios {
		if b.o.only != "" && si != 0 && !strings.Contains(sc.name, b.o.only) {
			for range b.o.levels {
				results[si] = append(results[si], loadgen.Result{})
			}
			continue
		}
		for _, c := range b.o.levels {
			progress(b.o.verbose, "load: %s, concurrency %d", sc.name, c)
			op, done := sc.op(c)
			r := loadgen.Run(context.Background(), loadgen.Config{Concurrency: c, Warmup: b.o.warmup, Duration: b.o.duration}, op)
			if done != nil {
				done()
			}
			if r.Errors > 0 {
				fmt.Fprintf(os.Stderr, "bench: %s c=%d: %d errors, first: %v\n", sc.name, c, r.Errors, r.FirstErr)
			}
			results[si] = append(results[si], r)
		}
	}
	close(stop)
	<-sampled
	_, peak := rss(pid)

	lat := func(r loadgen.Result) string {
		return fmt.Sprintf("%s/s  p50 %s  p99 %s", si(r.RPS()), ms(r.P50), ms(r.P99))
	}
	for li, c := range b.o.levels {
		empty := results[0][li]
		b.add(fmt.Sprintf("%s, c=%d", scenarios[0].name, c), lat(empty), "the reference for the gRPC rows", "", nil)
	}
	for si := 1; si <= 3; si++ {
		for li, c := range b.o.levels {
			r, empty := results[si][li], results[0][li]
			var ok *bool
			target := ""
			if si == 1 && c == 16 {
				target = ">= 0.6x empty, p99 <= 3 ms"
				ok = ptr(r.RPS() >= 0.6*empty.RPS() && r.P99 <= 3*time.Millisecond)
			}
			b.add(fmt.Sprintf("%s, c=%d", scenarios[si].name, c), lat(r),
				fmt.Sprintf("%.2fx empty RPC (%s/s)", r.RPS()/empty.RPS(), si2(empty.RPS())), target, ok)
		}
	}
	for li, c := range b.o.levels {
		r, g := results[4][li], results[1][li]
		var ok *bool
		target := ""
		if c == 16 {
			target = ">= 0.5x gRPC"
			ok = ptr(r.RPS() >= 0.5*g.RPS())
		}
		b.add(fmt.Sprintf("%s, c=%d", scenarios[4].name, c), lat(r),
			fmt.Sprintf("%.2fx gRPC Classify one sentence (%s/s, p99 %s)", r.RPS()/g.RPS(), si2(g.RPS()), ms(g.P99)), target, ok)
	}
	b.add("RSS under load (max sampled every 50 ms)", mb(maxRSS), fmt.Sprintf("peak since start (VmHWM) %s", mb(peak)),
		"<= 64 MB", ptr(maxRSS <= 64<<20))
}

func si2(v float64) string { return si(v) }

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func (b *bench) print() {
	fmt.Printf("claims benchmark: %s, %d CPUs, %s; load average %s before, %s after\n",
		cpuModel(), runtime.NumCPU(), runtime.Version(), b.load[0], b.load[1])
	fmt.Printf("In-process figures run on one P (GOMAXPROCS=1) and divide by the process's CPU time; gRPC and REST run on loopback\n")
	fmt.Printf("against the server binary (default flags: info logging, no data dir) with the load generator in this process,\n")
	fmt.Printf("%d gRPC connection(s), %v recorded after %v warm-up per row. Peers are the issue's single-thread figures.\n\n",
		b.o.conns, b.o.duration, b.o.warmup)
	slices.SortStableFunc(b.rows, func(x, y row) int { return x.section - y.section })
	cells := [][]string{{"Figure", "Measured", "Beside it (same run)", "Target", "Met"}}
	for _, r := range b.rows {
		cells = append(cells, []string{r.figure, r.value, r.beside, r.target, r.met})
	}
	width := make([]int, len(cells[0]))
	for _, c := range cells {
		for i, v := range c {
			width[i] = max(width[i], utf8.RuneCountInString(v))
		}
	}
	line := func(c []string) {
		var sb strings.Builder
		for i, v := range c {
			sb.WriteString("| ")
			sb.WriteString(v)
			sb.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(v)+1))
		}
		sb.WriteString("|")
		fmt.Println(sb.String())
	}
	line(cells[0])
	sep := make([]string, len(width))
	for i, w := range width {
		sep[i] = strings.Repeat("-", w)
	}
	line(sep)
	for _, c := range cells[1:] {
		line(c)
	}
}
