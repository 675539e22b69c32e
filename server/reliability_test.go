package main_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/apitest"
)

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup
	case <-time.After(30 * time.Second):
		t.Fatal("server did not die on SIGKILL")
	}
}

// ack is what a Train call acknowledged.
type ack struct {
	version uint64
	counts  map[string]int64
}

// TestCrashSafety kills the server with SIGKILL while it persists a loop
// of Train calls, in several rounds, and checks after each restart that
// the model loads (never torn), that every acknowledged Train is in it, and
// that it is exactly the last acknowledged version or the one after it (the
// Train in flight at the kill, persisted but not yet acknowledged).
func TestCrashSafety(t *testing.T) {
	server, _ := binaries(t)
	dir := t.TempDir()
	rounds := 6
	if testing.Short() {
		rounds = 2
	}
	p := startServer(t, server, "--data-dir", dir)
	gc := grpcClient(t, p.grpcAddr, nil)
	m, err := gc.GetModel(ctxT(t), &claimsv1.GetModelRequest{})
	if err != nil {
		t.Fatal(err)
	}
	labels := m.GetLabels()
	want := ack{m.GetVersion(), m.GetLabelCounts()}
	totalAcked, interrupted := 0, 0
	for round := range rounds {
		var (
			mu       sync.Mutex
			last     = want
			inflight string // label of the call in flight, if any
			acked    int
		)
		stop := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					done <- nil
					return
				default:
				}
				label := labels[(round+i)%len(labels)]
				mu.Lock()
				inflight = label
				mu.Unlock()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				resp, err := gc.Train(ctx, &claimsv1.TrainRequest{Examples: []*claimsv1.Example{
					{Text: fmt.Sprintf("Crash round %d, call %d: the okapi spokesman said nothing of note.", round, i), Label: label},
				}})
				cancel()
				if err != nil {
					done <- err // the server was killed
					return
				}
				mu.Lock()
				last, inflight = ack{resp.GetModelVersion(), resp.GetLabelCounts()}, ""
				acked++
				mu.Unlock()
			}
		}()
		time.Sleep(time.Duration(50+rand.IntN(1200)) * time.Millisecond)
		p.kill(t)
		if tmp, _ := filepath.Glob(filepath.Join(dir, ".model.bin.tmp-*")); len(tmp) > 0 {
			interrupted++ // the kill landed inside a save
		}
		err := <-done
		close(stop)
		if err == nil || status.Code(err) != codes.Unavailable {
			t.Logf("round %d: the Train loop ended with %v", round, err)
		}
		mu.Lock()
		got, lastAck, pending, n := ack{}, last, inflight, acked
		mu.Unlock()
		totalAcked += n

		p = startServer(t, server, "--data-dir", dir)
		gc = grpcClient(t, p.grpcAddr, nil)
		m, err := gc.GetModel(ctxT(t), &claimsv1.GetModelRequest{})
		if err != nil {
			t.Fatalf("round %d: GetModel after restart: %v", round, err)
		}
		got = ack{m.GetVersion(), m.GetLabelCounts()}
		switch {
		case got.version == lastAck.version:
			if !maps.Equal(got.counts, lastAck.counts) {
				t.Errorf("round %d: version %d has counts %v, acknowledged %v", round, got.version, got.counts, lastAck.counts)
			}
		case got.version == lastAck.version+1 && pending != "":
			wantCounts := maps.Clone(lastAck.counts)
			wantCounts[pending]++
			if !maps.Equal(got.counts, wantCounts) {
				t.Errorf("round %d: version %d (the Train in flight) has counts %v, want %v", round, got.version, got.counts, wantCounts)
			}
		default:
			t.Errorf("round %d: restarted at version %d; last acknowledged %d (a Train in flight: %v)", round, got.version, lastAck.version, pending != "")
		}
		var sum int64
		for l, c := range got.counts {
			if c < 0 {
				t.Errorf("round %d: label %s has %d examples", round, l, c)
			}
			sum += c
		}
		if sum != m.GetTotalExamples() || !slices.Equal(m.GetLabels(), labels) {
			t.Errorf("round %d: total %d, counts sum %d; labels %v, want %v", round, m.GetTotalExamples(), sum, m.GetLabels(), labels)
		}
		t.Logf("round %d: %d Trains acknowledged before the kill; restarted at version %d (last acknowledged %d)", round, n, got.version, lastAck.version)
		want = got
	}
	t.Logf("%d Trains acknowledged in all; %d of %d kills interrupted a save", totalAcked, interrupted, rounds)
	if totalAcked == 0 {
		t.Errorf("no Train was acknowledged in %d rounds: the test proved nothing", rounds)
	}
	// A killed save may leave its temporary file; the restart removes it.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "model.bin" && e.Name() != ".lock" {
			t.Errorf("unexpected file %s in the data directory after a restart", e.Name())
		}
	}
}

// TestDataDirLocked: a second server on the same data directory refuses to
// start (it would overwrite the first one's changes), and a SIGKILLed
// server's lock does not outlive it.
func TestDataDirLocked(t *testing.T) {
	server, _ := binaries(t)
	dir := t.TempDir()
	p := startServer(t, server, "--data-dir", dir)
	out, err := exec.Command(server, "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--data-dir", dir).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "data directory is in use by another server: "+dir+" (one server writes to a directory at a time: stop the other first, or start this one with --read-only to serve the model the other saves)") {
		t.Errorf("second server: got %v\n%s", err, out)
	}
	p.kill(t)
	p = startServer(t, server, "--data-dir", dir)
	p.stop(t)
}

// TestDamagedModelRefusesToStart checks that an empty, truncated or
// altered model file stops the server (it does not fall back to the default
// model and overwrite what was trained), and that the file is left as it was.
func TestDamagedModelRefusesToStart(t *testing.T) {
	server, _ := binaries(t)
	m, valid := apitest.SavedModel(t, apitest.Words{}, []classifier.Example{
		{Text: "rebels blamed for the blast", Label: "attribution"},
		{Text: "the ministry denied any role", Label: "denial"},
		{Text: "the airport reopened", Label: "other"},
	})
	flipped := bytes.Clone(valid)
	flipped[len(flipped)/2] ^= 0x01

	start := func(model []byte) (string, error) {
		dir := t.TempDir()
		path := filepath.Join(dir, "model.bin")
		if err := os.WriteFile(path, model, 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, server, "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--data-dir", dir).CombinedOutput()
		if after, _ := os.ReadFile(path); !bytes.Equal(after, model) {
			t.Errorf("the server changed the model file (%d -> %d bytes)", len(model), len(after))
		}
		return string(out), err
	}
	for _, tt := range []struct {
		name  string
		model []byte
		msg   string
	}{
		{"empty file", nil, "header: EOF"},
		{"header only", valid[:20], "truncated"},
		{"truncated in the header", valid[:10], "header: unexpected EOF"},
		{"truncated in the payload", valid[:len(valid)/2], "truncated: payload has"},
		{"truncated checksum", valid[:len(valid)-1], "truncated checksum"},
		{"trailing byte", append(bytes.Clone(valid), 0), "trailing data"},
		{"flipped bit", flipped, "checksum mismatch"},
	} {
		out, err := start(tt.model)
		if err == nil || !strings.Contains(out, "refusing to start") || !strings.Contains(out, "not a valid model file") || !strings.Contains(out, tt.msg) {
			t.Errorf("%s: got %v\n%s\nwant a refusal naming %q", tt.name, err, out, tt.msg)
		}
	}
	// The intact file serves (so the failures above are the damage's).
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "model.bin"), valid, 0o600)
	p := startServer(t, server, "--data-dir", dir)
	got, err := grpcClient(t, p.grpcAddr, nil).GetModel(ctxT(t), &claimsv1.GetModelRequest{})
	if err != nil || got.GetTotalExamples() != 3 || got.GetContentHash() != m.Info().ContentHash {
		t.Errorf("intact model: got %v, %v", got, err)
	}
}

// TestLimitFlagsReachGetModel starts the server with every limit set to a
// value other than its default, and checks GetModel reports each over gRPC
// and REST and that the server enforces those of requests and of the
// model (the bounds on one connection's streams and one client's calls
// are checked in TestClassifyStreamsPerConn and
// TestInflightCallsPerClient).
func TestLimitFlagsReachGetModel(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server,
		"--max-text-bytes", "5000", "--max-sentences", "7", "--max-examples", "9",
		"--max-grpc-receive-bytes", "300000", "--max-http-body-bytes", "200000",
		"--call-timeout", "7s", "--max-concurrent-streams", "33", "--max-explain", "4", "--max-labels", "6", "--send-timeout", "45s",
		"--max-features", "94000", // the default model has about 93,700 features
		"--max-learned-examples", "8956", // and 8,955 distinct examples
		"--max-classify-streams-per-conn", "5", "--max-inflight-calls-per-client", "3")
	gc := grpcClient(t, p.grpcAddr, nil)
	m, err := gc.GetModel(ctxT(t), &claimsv1.GetModelRequest{})
	if err != nil {
		t.Fatal(err)
	}
	l := m.GetLimits()
	if l.GetMaxTextBytes() != 5000 || l.GetMaxSentences() != 7 || l.GetMaxExamples() != 9 || l.GetMaxGrpcReceiveBytes() != 300000 ||
		l.GetMaxHttpBodyBytes() != 200000 || l.GetCallTimeout().AsDuration() != 7*time.Second || l.GetMaxConcurrentStreams() != 33 || l.GetMaxExplain() != 4 || l.GetMaxLabels() != 6 ||
		l.GetSendTimeout().AsDuration() != 45*time.Second || l.GetMaxFeatures() != 94000 || l.GetMaxLearnedExamples() != 8956 ||
		l.GetMaxClassifyStreamsPerConn() != 5 || l.GetMaxInflightCallsPerClient() != 3 {
		t.Errorf("gRPC GetModel limits: got %v", l)
	}
	resp, err := http.Get("http://" + p.httpAddr + "/v1/model")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`"maxTextBytes":"5000"`, `"maxSentences":7`, `"maxExamples":9`, `"maxGrpcReceiveBytes":"300000"`,
		`"maxHttpBodyBytes":"200000"`, `"callTimeout":"7s"`, `"maxConcurrentStreams":33`, `"maxExplain":4`, `"maxLabels":6`, `"sendTimeout":"45s"`, `"maxFeatures":"94000"`, `"maxLearnedExamples":"8956"`,
		`"maxClassifyStreamsPerConn":5`, `"maxInflightCallsPerClient":3`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("REST /v1/model lacks %s: %s", want, body)
		}
	}

	// Enforced.
	eight := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	ten := make([]*claimsv1.Example, 10)
	for i := range ten {
		ten[i] = &claimsv1.Example{Text: "x", Label: "other"}
	}
	for _, tt := range []struct {
		name string
		call func() error
		code codes.Code
		msg  string
	}{
		{"text bytes", func() error {
			_, err := gc.Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: strings.Repeat("a", 5001)})
			return err
		}, codes.InvalidArgument, "5001 bytes exceed the limit of 5000"},
		{"sentences", func() error {
			_, err := gc.Classify(ctxT(t), &claimsv1.ClassifyRequest{Sentences: eight})
			return err
		}, codes.InvalidArgument, "8 sentences exceed the limit of 7"},
		{"examples", func() error {
			_, err := gc.Evaluate(ctxT(t), &claimsv1.EvaluateRequest{Examples: ten})
			return err
		}, codes.InvalidArgument, "10 examples exceed the limit of 9"},
		{"explain", func() error {
			_, err := gc.Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: "a", Explain: 5})
			return err
		}, codes.InvalidArgument, "5 is outside 0..4"},
		{"labels", func() error {
			// The default model has five labels: the sixth is allowed, the
			// seventh is not.
			_, err := gc.Train(ctxT(t), &claimsv1.TrainRequest{AllowNewLabels: true, Examples: []*claimsv1.Example{
				{Text: "a", Label: "sixth"}, {Text: "b", Label: "seventh"}}})
			return err
		}, codes.InvalidArgument, "examples[1].label: model would have more labels than its limit: the limit is 6, the model has 5 and the examples would make it 7"},
		{"features", func() error {
			var words []string
			for i := range 400 {
				words = append(words, fmt.Sprintf("zq%dxv", i))
			}
			_, err := gc.Train(ctxT(t), &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: strings.Join(words, " "), Label: "other"}}})
			return err
		}, codes.FailedPrecondition, "model would have more features than its limit: the limit is 94000"},
		{"learned examples", func() error {
			// Known words, so no new feature: the second new example is one
			// too many.
			_, err := gc.Train(ctxT(t), &claimsv1.TrainRequest{Examples: []*claimsv1.Example{
				{Text: "the ministry denied the report", Label: "denial"}, {Text: "the ministry denied the claim", Label: "denial"}}})
			return err
		}, codes.FailedPrecondition, "model would hold more distinct examples than its limit: the limit is 8956, the model holds 8955 and the examples would add 2"},
		{"gRPC message", func() error {
			_, err := gc.Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: strings.Repeat("a", 300001)})
			return err
		}, codes.ResourceExhausted, "300000"},
	} {
		st := status.Convert(tt.call())
		if st.Code() != tt.code || !strings.Contains(st.Message(), tt.msg) {
			t.Errorf("%s: got %s %q, want %s containing %q", tt.name, st.Code(), st.Message(), tt.code, tt.msg)
		}
	}
	resp, err = http.Post("http://"+p.httpAddr+"/v1/classify", "application/json", strings.NewReader(`{"text": "`+strings.Repeat("a", 200000)+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "exceeds the limit of 200000 bytes") {
		t.Errorf("HTTP body limit: got %d %s", resp.StatusCode, body)
	}
}

// TestLogsCarryNoTokenOrText runs calls that succeed and fail, over gRPC
// and REST, with a bearer token and a distinctive text, at debug level, and
// checks that neither the token (right or wrong) nor the text reaches the
// logs.
func TestLogsCarryNoTokenOrText(t *testing.T) {
	server, _ := binaries(t)
	const (
		token = "tok-Q9fZ2LmXv7sRw"
		wrong = "tok-WRONG-88xQpzk"
		// marker is a word that appears in no log line unless a request
		// text is logged.
		marker = "Quagmirelbrot"
	)
	text := "The " + marker + " spokesman denied that okapis were smuggled through the harbour."
	p := startServer(t, server, "--train-token", token, "--log-level", "debug")
	gc := grpcClient(t, p.grpcAddr, nil)
	auth := func(tok string) context.Context {
		return metadata.AppendToOutgoingContext(ctxT(t), "authorization", "Bearer "+tok)
	}
	ex := []*claimsv1.Example{{Text: text, Label: "denial"}}

	// gRPC: successes and failures of every kind of call.
	gc.Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: text, Explain: 3})
	gc.Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: text + "\x07"})
	gc.Classify(ctxT(t), &claimsv1.ClassifyRequest{Sentences: []string{text, text + "\xff"}})
	gc.Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: strings.Repeat(text+" ", 10000)})
	if s, err := gc.ClassifyStream(ctxT(t)); err == nil {
		s.Send(&claimsv1.ClassifyStreamRequest{Id: "one", Text: text})
		s.Send(&claimsv1.ClassifyStreamRequest{Id: "two", Text: text + "\x00"})
		s.CloseSend()
		for {
			if _, err := s.Recv(); err != nil {
				break
			}
		}
	}
	if _, err := gc.Train(auth(token), &claimsv1.TrainRequest{Examples: ex}); err != nil {
		t.Errorf("Train with the token: %v", err)
	}
	gc.Train(auth(wrong), &claimsv1.TrainRequest{Examples: ex})
	gc.Train(ctxT(t), &claimsv1.TrainRequest{Examples: ex})
	gc.Train(auth(token), &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: text, Label: "rumour"}}})
	gc.Train(auth(token), &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: text, Label: text}}})
	gc.Forget(auth(token), &claimsv1.ForgetRequest{Examples: []*claimsv1.Example{{Text: text + " never", Label: "denial"}}})
	gc.Evaluate(ctxT(t), &claimsv1.EvaluateRequest{Examples: ex})

	// REST, including bodies the gateway cannot decode.
	rest := func(path, tok, body string) {
		req, _ := http.NewRequest(http.MethodPost, "http://"+p.httpAddr+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	js := fmt.Sprintf("%q", text)
	rest("/v1/classify", "", `{"text": `+js+`}`)
	rest("/v1/classify", token, `{"text": `+js+`, "explain": 2}`)
	rest("/v1/classify", "", `{"sentences": `+js+`}`)
	rest("/v1/classify", "", `{"text": `+js+`} `+js)
	rest("/v1/classify", "", `{"text": `+js+`, `+js+`: 1}`)
	rest("/v1/classify:stream", "", `{"id": "a", "text": `+js+`}`+"\n"+`{"sentences": `+js+`}`+"\n")
	rest("/v1/classify:stream", "", `{"id": "a", "text": `+js+`}`+"\n"+`{"explain": `+js+`}`+"\n")
	rest("/v1/train", token, `{"examples": [{"text": `+js+`, "label": "warning"}]}`)
	rest("/v1/train", wrong, `{"examples": [{"text": `+js+`, "label": "warning"}]}`)
	rest("/v1/train", token, `{"examples": [{"text": `+js+`, "label": `+js+`}]}`)
	rest("/v1/forget", token, `{"examples": [{"text": `+js+`, "label": "other"}]}`)
	rest("/v1/evaluate", "", `{"examples": [{"text": `+js+`, "label": `+js+`}]}`)
	p.stop(t)

	logs := p.logs.String()
	if strings.Count(logs, `"msg":"rpc"`) < 20 {
		t.Errorf("expected a log line per call at debug level:\n%s", logs)
	}
	for _, secret := range []string{token, wrong, marker, "okapis", "Bearer"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs carry %q:\n%s", secret, logs)
		}
	}
}

// TestShutdownDrain stops a server started with --shutdown-drain: during
// the drain, /healthz answers 503 (on the health listener too) and a new
// gRPC health check connects and sees NOT_SERVING, while Classify still
// works; then the server exits.
func TestShutdownDrain(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--shutdown-drain", "3s", "--shutdown-timeout", "20s", "--health-addr", "127.0.0.1:0")
	// A health watch open through the shutdown: it sees NOT_SERVING, and
	// it is ended when the drain is over instead of holding the stop for
	// the whole timeout.
	wconn := grpcConn(t, p.grpcAddr)
	watch, err := healthpb.NewHealthClient(wconn).Watch(ctxT(t), &healthpb.HealthCheckRequest{Service: "claims.v1.ClaimService"})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := watch.Recv(); err != nil || r.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("watch before the signal: got %v, %v; want SERVING", r.GetStatus(), err)
	}
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	if r, err := watch.Recv(); err != nil || r.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("watch after the signal: got %v, %v; want NOT_SERVING", r.GetStatus(), err)
	}
	var code int
	for time.Since(start) < 2*time.Second {
		resp, err := http.Get("http://" + p.httpAddr + "/healthz")
		if err == nil {
			code = resp.StatusCode
			resp.Body.Close()
			if code == http.StatusServiceUnavailable {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code != http.StatusServiceUnavailable {
		t.Fatalf("/healthz during the drain: got %d, want 503", code)
	}
	if resp, err := http.Get("http://" + p.health + "/healthz"); err != nil {
		t.Errorf("/healthz on the health listener during the drain: %v", err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/healthz on the health listener during the drain: got %d, want 503", resp.StatusCode)
	}
	conn := grpcConn(t, p.grpcAddr)
	hc, err := healthpb.NewHealthClient(conn).Check(ctxT(t), &healthpb.HealthCheckRequest{Service: "claims.v1.ClaimService"})
	if err != nil || hc.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("gRPC health during the drain: got %v, %v; want NOT_SERVING", hc.GetStatus(), err)
	}
	if _, err := claimsv1.NewClaimServiceClient(conn).Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: "Police warned of more attacks."}); err != nil {
		t.Errorf("Classify during the drain: %v", err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("server exit: %v", err)
		}
		if d := time.Since(start); d < 3*time.Second || d > 10*time.Second {
			t.Errorf("server stopped after %v, want after its 3s drain and long before its 20s timeout", d)
		}
		// Ended by the server, which is going away: UNAVAILABLE, as the
		// classify streams get (grpc's health server says CANCELLED).
		if _, err := watch.Recv(); status.Code(err) != codes.Unavailable {
			t.Errorf("health watch after the server stopped: got %v, want %v", err, codes.Unavailable)
		}
		p.done <- err // for the cleanup
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop after its drain")
	}
}

// TestRESTCallCutAtStopIsLogged stops a server while a REST Train runs
// past --shutdown-timeout: the call is cut off, and, as a gRPC call cut off
// is, logged before the process exits.
func TestRESTCallCutAtStopIsLogged(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--shutdown-timeout", "100ms")
	// Words the model has never seen: each costs sugarme's whole pipeline,
	// so 10,000 examples take seconds.
	rng := rand.New(rand.NewPCG(1, 2))
	var body strings.Builder
	body.WriteString(`{"examples": [`)
	for i := range 10000 {
		if i > 0 {
			body.WriteString(",")
		}
		body.WriteString(`{"label": "other", "text": "`)
		for range 24 {
			for range 8 {
				body.WriteByte(byte('a' + rng.IntN(26)))
			}
			body.WriteByte(' ')
		}
		body.WriteString(`"}`)
	}
	body.WriteString(`]}`)
	answered := make(chan error, 1)
	go func() {
		resp, err := http.Post("http://"+p.httpAddr+"/v1/train", "application/json", strings.NewReader(body.String()))
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("answered %d", resp.StatusCode)
		}
		answered <- err
	}()
	time.Sleep(500 * time.Millisecond) // the call is under way
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop")
	}
	if err := <-answered; err == nil || strings.Contains(err.Error(), "answered 200") {
		t.Errorf("Train: got %v, want the call cut off (the test's Train was too fast?)", err)
	}
	logs := p.logs.String()
	if !strings.Contains(logs, `"msg":"rpc","method":"Train","code":"Canceled"`) {
		t.Errorf("no log line for the Train cut off:\n%s", logs)
	}
}

// TestSecondSignalStopsAtOnce sends a second SIGTERM during a long drain:
// the process must end at once instead of finishing the drain, killed by
// the signal, after logging why and writing the access-log lines held
// back.
func TestSecondSignalStopsAtOnce(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--shutdown-drain", "1m")
	c := grpcClient(t, p.grpcAddr, nil)
	p.cmd.Process.Signal(syscall.SIGTERM)
	waitForLog(t, p, `"msg":"draining"`)
	// A call answered during the drain, whose access-log line is held
	// back in the batch when the second signal comes.
	md := metadata.Pairs("x-request-id", "during-the-drain")
	if _, err := c.Classify(metadata.NewOutgoingContext(ctxT(t), md), &claimsv1.ClassifyRequest{Text: "The airport reopened."}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		var ee *exec.ExitError
		if ws, ok := exitStatus(err, &ee); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
			t.Errorf("server exit after a second signal: got %v, want death by SIGTERM", err)
		}
		p.done <- err // for the cleanup
		logs := p.logs.String()
		for _, want := range []string{`"msg":"second signal: exiting at once`, `"x_request_id":"during-the-drain"`} {
			if !strings.Contains(logs, want) {
				t.Errorf("log lacks %s:\n%s", want, logs)
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server still running 10s after a second SIGTERM")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("server took %v to end after a second SIGTERM", d)
	}
}

// waitForLog waits until the server has logged a line containing s.
func waitForLog(t *testing.T, p *proc, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.logs.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("server never logged %s\n%s", s, p.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTokenizerChange restarts a server on its data directory with another
// tokenizer.json: it warns, GetModel shows both fingerprints, and Forget
// is refused until the model is retrained.
func TestTokenizerChange(t *testing.T) {
	server, _ := binaries(t)
	dataDir := t.TempDir()
	p := startServer(t, server, "--data-dir", dataDir)
	gc := grpcClient(t, p.grpcAddr, nil)
	learned := []*claimsv1.Example{{Text: novel, Label: "warning"}}
	if _, err := gc.Train(ctxT(t), &claimsv1.TrainRequest{Examples: learned}); err != nil {
		t.Fatal(err)
	}
	m, err := gc.GetModel(ctxT(t), &claimsv1.GetModelRequest{})
	if err != nil || m.GetModelTokenizerSha256() == "" || m.GetModelTokenizerSha256() != m.GetTokenizerSha256() {
		t.Fatalf("GetModel: got model tokenizer %q, tokenizer %q, %v; want the same fingerprint twice", m.GetModelTokenizerSha256(), m.GetTokenizerSha256(), err)
	}
	p.stop(t)

	// The same pipeline with one more byte: another fingerprint.
	data, err := os.ReadFile("../seeds/tokenizer.json")
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := os.WriteFile(other, append(data, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	p2 := startServer(t, server, "--data-dir", dataDir, "--tokenizer", other)
	if !strings.Contains(p2.logs.String(), "trained with another tokenizer.json") {
		t.Errorf("no warning at startup with another tokenizer")
	}
	gc2 := grpcClient(t, p2.grpcAddr, nil)
	m2, err := gc2.GetModel(ctxT(t), &claimsv1.GetModelRequest{})
	if err != nil || m2.GetModelTokenizerSha256() != m.GetTokenizerSha256() || m2.GetTokenizerSha256() == m.GetTokenizerSha256() {
		t.Errorf("GetModel after the change: got model tokenizer %q, tokenizer %q, %v", m2.GetModelTokenizerSha256(), m2.GetTokenizerSha256(), err)
	}
	_, err = gc2.Forget(ctxT(t), &claimsv1.ForgetRequest{Examples: learned})
	if st := status.Convert(err); st.Code() != codes.FailedPrecondition || !strings.Contains(st.Message(), "tokenizer") {
		t.Errorf("Forget with another tokenizer: got %v, want FAILED_PRECONDITION naming the tokenizer", err)
	}
	p2.stop(t)
}

// TestStreamClientThatDoesNotRead sends requests on a gRPC stream without
// reading a result, to a server with one stream slot: once a result has
// waited --send-timeout, the server closes the connection, logs and counts
// it, and the slot serves another client.
func TestStreamClientThatDoesNotRead(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--send-timeout", "300ms", "--max-classify-streams", "1")
	// Small windows, so that results fill them fast.
	conn := grpcConn(t, p.grpcAddr, grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10))
	stream, err := claimsv1.NewClaimServiceClient(conn).ClassifyStream(metadata.AppendToOutgoingContext(ctxT(t), "x-request-id", "stalled-stream-1"))
	if err != nil {
		t.Fatal(err)
	}
	req := &claimsv1.ClassifyStreamRequest{Text: strings.Repeat("Police said the group claimed the attack. ", 1500), Explain: 20}
	go func() {
		for range 200 {
			if stream.Send(req) != nil {
				return
			}
		}
	}()
	waitForLog(t, p, `"msg":"closing a client's connection: it did not take a stream's results"`)
	waitForLog(t, p, `"msg":"rpc","method":"ClassifyStream","code":"DeadlineExceeded"`)
	// The warning names the call, as its access log line does.
	waitForLog(t, p, `"method":"/claims.v1.ClaimService/ClassifyStream","x_request_id":"stalled-stream-1"`)
	other := grpcClient(t, p.grpcAddr, nil)
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := other.ClassifyStream(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		s.Send(&claimsv1.ClassifyStreamRequest{Text: "The airport reopened."})
		s.CloseSend()
		_, err = s.Recv()
		if err == nil {
			break
		}
		if status.Code(err) != codes.ResourceExhausted || time.Now().After(deadline) {
			t.Fatalf("another client's stream: got %v, want a result", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.Get("http://" + p.httpAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `claims_send_timeouts_total{transport="grpc"} 1`; !strings.Contains(string(metrics), want) {
		t.Errorf("metrics: no %s", want)
	}
	_, err = stream.Recv()
	for err == nil {
		_, err = stream.Recv()
	}
	if got, want := status.Code(err), codes.Unavailable; got != want {
		t.Errorf("the first client's stream: got %v (%v), want %v", got, err, want)
	}
}

// TestLargeMetadataRefused: request metadata is bounded as HTTP headers
// are (64 KiB), not by grpc's default of 16 MiB, which a call that never
// sends its message could hold.
func TestLargeMetadataRefused(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server)
	gc := grpcClient(t, p.grpcAddr, nil)
	for _, tt := range []struct {
		size int
		ok   bool
	}{{1000, true}, {60000, true}, {100000, false}} {
		ctx := metadata.AppendToOutgoingContext(ctxT(t), "x-big", strings.Repeat("a", tt.size))
		_, err := gc.Classify(ctx, &claimsv1.ClassifyRequest{Text: "The airport reopened."})
		if got := err == nil; got != tt.ok || err != nil && !strings.Contains(err.Error(), "(65536 bytes)") {
			t.Errorf("%d bytes of metadata: got %v, want ok %v (or the 64 KiB limit named)", tt.size, err, tt.ok)
		}
	}
}

// TestUnaryRequestThatNeverArrives opens a Classify call and never sends
// its message: the call ends at --call-timeout, counted from its start,
// instead of holding its stream for as long as the connection lasts.
func TestUnaryRequestThatNeverArrives(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--call-timeout", "500ms")
	conn := grpcConn(t, p.grpcAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	cs, err := conn.NewStream(ctx, &grpc.StreamDesc{ClientStreams: true, ServerStreams: true}, "/claims.v1.ClaimService/Classify")
	if err != nil {
		t.Fatal(err)
	}
	err = cs.RecvMsg(new(claimsv1.ClassifyResponse))
	if got, want := status.Code(err), codes.DeadlineExceeded; got != want {
		t.Errorf("got %v, want %v", err, want)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the call ended after %v, want about 500ms", d)
	}
	// grpc ends it before any interceptor runs; it is logged all the same.
	waitForLog(t, p, `"msg":"rpc","method":"Classify","code":"DeadlineExceeded"`)
}

// TestRequestsNeverReceivedAreObserved sends Classify calls whose message
// grpc refuses before any interceptor runs, as too large or undecodable:
// each is logged (at INFO: the client's doing) and counted like any call.
func TestRequestsNeverReceivedAreObserved(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--max-grpc-receive-bytes", "1000")
	gc := grpcClient(t, p.grpcAddr, nil)
	_, err := gc.Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: strings.Repeat("a", 3000)})
	if got, want := status.Code(err), codes.ResourceExhausted; got != want {
		t.Errorf("message over the limit: got %v, want %v", err, want)
	}
	conn := grpcConn(t, p.grpcAddr)
	// A field 1 (text) that claims 5 bytes and holds one.
	err = conn.Invoke(ctxT(t), "/claims.v1.ClaimService/Classify", rawMessage{0x0a, 0x05, 'a'}, new(claimsv1.ClassifyResponse), grpc.ForceCodecV2(rawCodec{}))
	if got, want := status.Code(err), codes.Internal; got != want {
		t.Errorf("undecodable message: got %v, want %v", err, want)
	}
	waitForLog(t, p, `"level":"INFO","msg":"rpc","method":"Classify","code":"ResourceExhausted"`)
	waitForLog(t, p, `"level":"INFO","msg":"rpc","method":"Classify","code":"Internal"`)
	resp, err := http.Get("http://" + p.httpAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{`claims_rpc_calls_total{code="ResourceExhausted",method="Classify"} 1`, `claims_rpc_calls_total{code="Internal",method="Classify"} 1`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics: got no %s", want)
		}
	}
}

// rawMessage is a request sent as its bytes, by rawCodec.
type rawMessage []byte

// rawCodec sends a rawMessage as it is; it decodes answers as protobuf.
type rawCodec struct{}

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(v.(rawMessage))}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	return proto.Unmarshal(data.Materialize(), v.(proto.Message))
}

func (rawCodec) Name() string { return "proto" }

// TestSavedModelAboveItsLimitsWarns restarts a server on its saved model
// with limits below the model's size: the model loads, and each limit it
// passes is named in a warning.
func TestSavedModelAboveItsLimitsWarns(t *testing.T) {
	server, _ := binaries(t)
	dir := t.TempDir()
	startServer(t, server, "--data-dir", dir).stop(t)
	p := startServer(t, server, "--data-dir", dir, "--max-labels", "3", "--max-features", "1000", "--max-learned-examples", "100")
	for _, want := range []string{
		`"msg":"the saved model has more labels than --max-labels: it learns no new label until some are forgotten or it is replaced","labels":5,"max_labels":3`,
		`"msg":"the saved model has more features than --max-features`,
		`"msg":"the saved model holds more distinct examples than --max-learned-examples`,
	} {
		waitForLog(t, p, want)
	}
}

// TestHealthWatchLimit opens health watches up to the limit on one
// connection (16) and then up to --max-health-watches over others, and
// checks that one more is refused with RESOURCE_EXHAUSTED, naming the limit
// it meets as the operator set it (here the server's from the
// environment), until one of them ends.
func TestHealthWatchLimit(t *testing.T) {
	server, _ := binaries(t)
	t.Setenv("CLAIMS_MAX_HEALTH_WATCHES", "18")
	p := startServer(t, server)
	dial := func() *grpc.ClientConn { return grpcConn(t, p.grpcAddr) }
	watch := func(ctx context.Context, conn *grpc.ClientConn) error {
		w, err := healthpb.NewHealthClient(conn).Watch(ctx, &healthpb.HealthCheckRequest{})
		if err == nil {
			_, err = w.Recv()
		}
		return err
	}
	wantRefused := func(what string, err error, msg string) {
		t.Helper()
		if st := status.Convert(err); st.Code() != codes.ResourceExhausted || !strings.Contains(st.Message(), msg) {
			t.Fatalf("%s: got %v %q, want ResourceExhausted containing %q", what, st.Code(), st.Message(), msg)
		}
	}
	first, cancelFirst := context.WithCancel(ctxT(t))
	defer cancelFirst()
	one := dial()
	for i := range 16 {
		ctx := ctxT(t)
		if i == 0 {
			ctx = first
		}
		if err := watch(ctx, one); err != nil {
			t.Fatalf("watch %d on one connection: %v", i+1, err)
		}
	}
	wantRefused("17th watch on one connection", watch(ctxT(t), one), "on this connection, the most one connection may hold (--max-health-watches-per-conn)")
	for i := range 2 {
		if err := watch(ctxT(t), dial()); err != nil {
			t.Fatalf("watch %d on another connection: %v", 17+i, err)
		}
	}
	wantRefused("watch past the server's limit", watch(ctxT(t), dial()), "the server's limit (CLAIMS_MAX_HEALTH_WATCHES)")
	// The first one ends; its place is given back once the server sees it.
	cancelFirst()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := watch(ctxT(t), one)
		if err == nil {
			break
		}
		if status.Code(err) != codes.ResourceExhausted || time.Now().After(deadline) {
			t.Fatalf("watch after one ended: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHealthWatchesPerConnUnbounded lets one connection (a proxy's, say)
// hold more than 16 watches when --max-health-watches-per-conn is 0.
func TestHealthWatchesPerConnUnbounded(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--max-health-watches-per-conn", "0", "--max-health-watches", "20")
	conn := grpcConn(t, p.grpcAddr)
	for i := range 20 {
		w, err := healthpb.NewHealthClient(conn).Watch(ctxT(t), &healthpb.HealthCheckRequest{})
		if err == nil {
			_, err = w.Recv()
		}
		if err != nil {
			t.Fatalf("watch %d on one connection: %v", i+1, err)
		}
	}
}

// TestReadOnlyReloadOnHangup trains a writing server, sends SIGHUP to a
// read-only server on the same data directory, and checks that it serves
// the writer's model; a damaged model file leaves the one served as it
// was, and a writing server logs and ignores SIGHUP.
func TestReadOnlyReloadOnHangup(t *testing.T) {
	server, _ := binaries(t)
	dir := filepath.Join(t.TempDir(), "data")
	writer := startServer(t, server, "--data-dir", dir)
	reader := startServer(t, server, "--read-only", "--data-dir", dir)
	wc, rc := grpcClient(t, writer.grpcAddr, nil), grpcClient(t, reader.grpcAddr, nil)
	if _, err := wc.Train(ctxT(t), &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "the ministry rejected the report", Label: "denial"}}}); err != nil {
		t.Fatal(err)
	}
	want, err := wc.GetModel(ctxT(t), &claimsv1.GetModelRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := rc.GetModel(ctxT(t), &claimsv1.GetModelRequest{}); got.GetVersion() == want.GetVersion() {
		t.Fatalf("the read-only server has version %d before any reload", got.GetVersion())
	}
	reader.cmd.Process.Signal(syscall.SIGHUP)
	waitForLog(t, reader, `"msg":"model reloaded"`)
	got, err := rc.GetModel(ctxT(t), &claimsv1.GetModelRequest{})
	if err != nil || got.GetVersion() != want.GetVersion() || got.GetContentHash() != want.GetContentHash() {
		t.Errorf("after SIGHUP: got version %d hash %.12s (%v), want %d %.12s", got.GetVersion(), got.GetContentHash(), err, want.GetVersion(), want.GetContentHash())
	}
	resp, err := http.Get("http://" + reader.httpAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if line := fmt.Sprintf("claims_model_version %d", want.GetVersion()); !strings.Contains(string(metrics), line) {
		t.Errorf("metrics after the reload lack %q", line)
	}
	if line := "claims_model_reload_failing 0\n"; !strings.Contains(string(metrics), line) {
		t.Errorf("metrics after the reload lack %q", line)
	}

	writer.cmd.Process.Signal(syscall.SIGHUP)
	waitForLog(t, writer, "SIGHUP ignored")
	if _, err := wc.GetModel(ctxT(t), &claimsv1.GetModelRequest{}); err != nil {
		t.Errorf("writer after SIGHUP: %v", err)
	}
	writer.stop(t)

	if err := os.WriteFile(filepath.Join(dir, "model.bin"), []byte("not a model"), 0o600); err != nil {
		t.Fatal(err)
	}
	reader.cmd.Process.Signal(syscall.SIGHUP)
	waitForLog(t, reader, "reload failed: still serving the model it had")
	if got, err := rc.GetModel(ctxT(t), &claimsv1.GetModelRequest{}); err != nil || got.GetContentHash() != want.GetContentHash() {
		t.Errorf("after a failed reload: got hash %.12s (%v), want %.12s", got.GetContentHash(), err, want.GetContentHash())
	}
	waitForMetric(t, reader, "claims_model_reload_failing 1")
	waitForMetric(t, reader, "claims_model_reload_failures_total 1")
}

// TestReadOnlyReloadOnNewFile runs a read-only server with
// --reload-interval on a data directory with no model yet, then a writing
// one beside it: the reader takes each model the writer saves without a
// signal, reports a damaged file once however often it checks (and a
// second damaged file again), and keeps serving its model when the file is
// damaged or removed.
func TestReadOnlyReloadOnNewFile(t *testing.T) {
	server, _ := binaries(t)
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	reader := startServer(t, server, "--read-only", "--data-dir", dir, "--reload-interval", "20ms")
	waitForLog(t, reader, "checked every --reload-interval")
	writer := startServer(t, server, "--data-dir", dir)
	wc, rc := grpcClient(t, writer.grpcAddr, nil), grpcClient(t, reader.grpcAddr, nil)
	var want *claimsv1.GetModelResponse
	for i, text := range []string{"the ministry rejected the report", "the embassy urged citizens to leave"} {
		if _, err := wc.Train(ctxT(t), &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: text, Label: "other"}}}); err != nil {
			t.Fatal(err)
		}
		var err error
		if want, err = wc.GetModel(ctxT(t), &claimsv1.GetModelRequest{}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			got, err := rc.GetModel(ctxT(t), &claimsv1.GetModelRequest{})
			if err == nil && got.GetVersion() == want.GetVersion() && got.GetContentHash() == want.GetContentHash() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("save %d: the read-only server has version %d (%v), want %d\n%s", i+1, got.GetVersion(), err, want.GetVersion(), reader.logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if n := strings.Count(reader.logs.String(), `"by":"new model file"`); n < 2 {
		t.Errorf("got %d reloads logged by a new model file, want 2 or more", n)
	}
	writer.stop(t)

	// Damaged files are renamed into place whole, as a save is: a check
	// never sees one half written.
	damage := func(content string) {
		t.Helper()
		tmp := filepath.Join(dir, "damaged")
		if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "model.bin")); err != nil {
			t.Fatal(err)
		}
	}
	failures := func() int { return strings.Count(reader.logs.String(), "reload failed") }
	damage("not a model")
	waitForLog(t, reader, "reload failed: still serving the model it had")
	time.Sleep(300 * time.Millisecond) // 15 more checks
	if n := failures(); n != 1 {
		t.Errorf("a damaged file was reported %d times, want once", n)
	}
	waitForMetric(t, reader, "claims_model_reload_failing 1")
	damage("not a model") // the same error again, from another file
	deadline := time.Now().Add(10 * time.Second)
	for failures() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("a second damaged file was not reported\n%s", reader.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := os.Remove(filepath.Join(dir, "model.bin")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if got, err := rc.GetModel(ctxT(t), &claimsv1.GetModelRequest{}); err != nil || got.GetContentHash() != want.GetContentHash() {
		t.Errorf("after damaged and removed files: got hash %.12s (%v), want %.12s", got.GetContentHash(), err, want.GetContentHash())
	}
	// A failure each check finds again (a directory where the model file
	// was, tried at every check) is logged and counted once.
	if err := os.Mkdir(filepath.Join(dir, "model.bin"), 0o700); err != nil {
		t.Fatal(err)
	}
	for failures() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("a directory in place of the model file was not reported\n%s", reader.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // 15 more checks
	if n := failures(); n != 3 {
		t.Errorf("got %d failures logged, want 3", n)
	}
	if m := metrics(t, reader); !strings.Contains(m, "claims_model_reload_failures_total 3\n") {
		t.Errorf("metrics: want claims_model_reload_failures_total 3")
	}
}

// TestHangupWhileStarting sends SIGHUP again and again while a read-only
// server loads its model and trains the default one, from its first log
// line on (before it, the Go runtime has not yet set up the process's
// signal handling): SIGHUP never ends the process, so it comes to serve.
func TestHangupWhileStarting(t *testing.T) {
	server, _ := binaries(t)
	cmd := exec.Command(server, "--read-only", "--data-dir", t.TempDir(), "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--log-format", "json")
	logs := &apitest.LogBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Kill()
		<-exited
	}()
	deadline := time.Now().Add(60 * time.Second)
	for logs.String() == "" && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	for !strings.Contains(logs.String(), `"msg":"serving"`) {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("server exited while starting: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start\n%s", logs.String())
		}
		cmd.Process.Signal(syscall.SIGHUP)
		time.Sleep(2 * time.Millisecond)
	}
}

// TestLostLockRefusesChanges removes the data directory's lock file under
// a running server: a second server could lock the directory now, so the
// first saves nothing, refuses the change with INTERNAL (the cause logged),
// counts it in claims_model_save_failures_total, and goes on classifying.
func TestLostLockRefusesChanges(t *testing.T) {
	server, _ := binaries(t)
	dir := filepath.Join(t.TempDir(), "data")
	p := startServer(t, server, "--data-dir", dir)
	c := grpcClient(t, p.grpcAddr, nil)
	before, err := os.ReadFile(filepath.Join(dir, "model.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, ".lock")); err != nil {
		t.Fatal(err)
	}
	_, err = c.Train(ctxT(t), &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "the rebels were blamed", Label: "attribution"}}})
	if st := status.Convert(err); st.Code() != codes.Internal || st.Message() != "model could not be persisted; change not applied" {
		t.Errorf("Train: got %v, want INTERNAL model could not be persisted", err)
	}
	waitForLog(t, p, "the data directory's lock file was removed or the directory replaced")
	if after, _ := os.ReadFile(filepath.Join(dir, "model.bin")); !bytes.Equal(after, before) {
		t.Error("model.bin changed")
	}
	waitForMetric(t, p, "claims_model_save_failures_total 1")
	if _, err := c.Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: "The rebels were blamed."}); err != nil {
		t.Errorf("Classify: %v", err)
	}
}

// TestRESTRefusalsLogged checks, on the real binary (whose REST calls reach
// the service in process), that a REST request refused before its RPC
// gets one access-log line with its request ID, and that one refused by
// the service gets only the RPC's line.
func TestRESTRefusalsLogged(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server)
	send := func(id, body string) {
		req, _ := http.NewRequest("POST", "http://"+p.httpAddr+"/v1/classify", strings.NewReader(body))
		req.Header.Set("X-Request-Id", id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: got %d, want 400", id, resp.StatusCode)
		}
	}
	waitForLog(t, p, `"msg":"limits","max_text_bytes":`)
	send("refused-by-the-gateway", `{"txt": "x"}`)
	send("refused-by-the-service", `{"text": ""}`)
	waitForLog(t, p, `"msg":"http refused","route":"/v1/classify","http_method":"POST","status":400`)
	waitForLog(t, p, `"code":"InvalidArgument"`)
	var lines []string
	for _, l := range strings.Split(p.logs.String(), "\n") {
		if strings.Contains(l, "refused-by-the-") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 2 || !strings.Contains(lines[0]+lines[1], `"msg":"http refused"`) || !strings.Contains(lines[0]+lines[1], `"msg":"rpc"`) {
		t.Errorf("got lines %q, want one http refused line and one rpc line", lines)
	}
}

// TestBadTokensWarned checks that calls refused for their bearer token are
// reported in a warning with their count, even with the access log off.
func TestBadTokensWarned(t *testing.T) {
	server, _ := binaries(t)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("right-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startServer(t, server, "--train-token-file", tokenFile, "--access-log=false")
	c := grpcClient(t, p.grpcAddr, nil)
	md := metadata.Pairs("authorization", "Bearer wrong-token")
	_, err := c.Train(metadata.NewOutgoingContext(ctxT(t), md), &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "the rebels were blamed", Label: "attribution"}}})
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("Train with a wrong token: got %v, want UNAUTHENTICATED", err)
	}
	waitForLog(t, p, `"msg":"Train or Forget refused for a missing or wrong bearer token`)
	if logs := p.logs.String(); !strings.Contains(logs, `"refused":1`) || strings.Contains(logs, "wrong-token") {
		t.Errorf("want the count and never the token:\n%s", logs)
	}
	// Over REST too (a server of its own: the first refusal is logged at
	// once, the next only at the end of a 10 s window).
	p = startServer(t, server, "--train-token-file", tokenFile, "--access-log=false")
	req, _ := http.NewRequest("POST", "http://"+p.httpAddr+"/v1/train", strings.NewReader(`{"examples": [{"text": "x", "label": "other"}]}`))
	req.Header.Set("Authorization", "Bearer wrong-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("REST Train with a wrong token: got %d, want 401", resp.StatusCode)
	}
	waitForLog(t, p, `"msg":"Train or Forget refused for a missing or wrong bearer token`)
}

// exitStatus returns the wait status of a process that exited with err
// (an *exec.ExitError, set into ee).
func exitStatus(err error, ee **exec.ExitError) (syscall.WaitStatus, bool) {
	if !errors.As(err, ee) {
		return 0, false
	}
	ws, ok := (*ee).Sys().(syscall.WaitStatus)
	return ws, ok
}

// TestSecondSignalWithLogBlocked ends a server whose log pipe nobody
// reads any more (full, so every log write blocks) with a second SIGTERM:
// its last words cannot be written, and must not keep it alive.
func TestSecondSignalWithLogBlocked(t *testing.T) {
	server, _ := binaries(t)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	cmd := exec.Command(server, "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--log-format", "json", "--shutdown-drain", "1m")
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	// Read up to the serving line, then no more.
	sc := bufio.NewScanner(pr)
	httpAddr := ""
	for httpAddr == "" && sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == "serving" {
			httpAddr, _ = line["http"].(string)
		}
	}
	if httpAddr == "" {
		t.Fatal("no serving line")
	}
	// Fill the pipe with access-log lines of refused requests.
	hc := &http.Client{Timeout: time.Second}
	for range 2000 {
		resp, err := hc.Get("http://" + httpAddr + "/v1/" + strings.Repeat("x", 200))
		if err != nil {
			break // the server's log stalled its handlers: the pipe is full
		}
		resp.Body.Close()
	}
	cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("server still running 10s after a second SIGTERM, with its log blocked")
	}
}

// TestClassifyStreamsPerConn checks --max-classify-streams-per-conn: one
// connection holds at most that many ClassifyStream calls, others still
// get theirs up to --max-classify-streams, and a place given back is
// taken again.
func TestClassifyStreamsPerConn(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--max-classify-streams-per-conn", "2", "--max-classify-streams", "3")
	open := func(ctx context.Context, conn *grpc.ClientConn) error {
		s, err := claimsv1.NewClaimServiceClient(conn).ClassifyStream(ctx)
		if err != nil {
			return err
		}
		// A stream the server refused at once may fail the send with
		// io.EOF: its status comes with the receive.
		if err := s.Send(&claimsv1.ClassifyStreamRequest{Text: "Rain fell."}); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		_, err = s.Recv()
		return err
	}
	wantRefused := func(what string, err error, msg string) {
		t.Helper()
		st := status.Convert(err)
		if st.Code() != codes.ResourceExhausted || !strings.Contains(st.Message(), msg) {
			t.Fatalf("%s: got %v %q, want ResourceExhausted containing %q", what, st.Code(), st.Message(), msg)
		}
		if len(st.Details()) == 0 {
			t.Errorf("%s: got no details, want a retry delay", what)
		}
	}
	one := grpcConn(t, p.grpcAddr)
	first, endFirst := context.WithCancel(ctxT(t))
	defer endFirst()
	if err := open(first, one); err != nil {
		t.Fatalf("first stream: %v", err)
	}
	if err := open(ctxT(t), one); err != nil {
		t.Fatalf("second stream on one connection: %v", err)
	}
	wantRefused("third stream on one connection", open(ctxT(t), one), "2 classify streams are open from this connection or client, the most one may hold (--max-classify-streams-per-conn)")
	if err := open(ctxT(t), grpcConn(t, p.grpcAddr)); err != nil {
		t.Fatalf("a stream on another connection: %v", err)
	}
	wantRefused("a stream past the server's limit", open(ctxT(t), grpcConn(t, p.grpcAddr)), "3 classify streams are open, the server's limit")
	endFirst()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := open(ctxT(t), one)
		if err == nil {
			break
		}
		if status.Code(err) != codes.ResourceExhausted || time.Now().After(deadline) {
			t.Fatalf("stream after one ended: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(p.logs.String(), "max-classify-streams-per-conn is not below") {
		t.Errorf("a per-connection bound below the server's was warned of:\n%s", p.logs.String())
	}
}

// TestClassifyStreamsPerConnWarns checks the start-up warning of a
// per-connection bound that leaves one client every classify stream, and
// that 0 (no bound, chosen behind a proxy) is not warned of.
func TestClassifyStreamsPerConnWarns(t *testing.T) {
	server, _ := binaries(t)
	const warning = "max-classify-streams-per-conn is not below --max-classify-streams: one connection or REST client can hold every classify stream"
	for _, tt := range []struct {
		args []string
		warn bool
	}{
		{[]string{"--max-classify-streams", "8", "--max-classify-streams-per-conn", "8"}, true},
		{[]string{"--max-classify-streams", "8", "--max-classify-streams-per-conn", "9"}, true},
		{[]string{"--max-classify-streams", "8", "--max-classify-streams-per-conn", "7"}, false},
		{[]string{"--max-classify-streams-per-conn", "0"}, false},
	} {
		p := startServer(t, server, tt.args...)
		if got := strings.Contains(p.logs.String(), warning); got != tt.warn {
			t.Errorf("%q: got log\n%s\nwant the warning: %v", tt.args, p.logs.String(), tt.warn)
		}
	}
}

// TestRESTClassifyStreamsPerClient checks the per-client bound of REST
// streams over HTTP/2 (TLS), where one connection carries many: the
// gateway's streams share one in-process connection, so they are counted
// by the client the gateway names, and another client still streams.
func TestRESTClassifyStreamsPerClient(t *testing.T) {
	server, _ := binaries(t)
	dir := t.TempDir()
	certPEM, keyPEM := apitest.SelfSigned(t)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for name, data := range map[string][]byte{certFile: certPEM, keyFile: keyPEM} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := startServer(t, server, "--tls-cert", certFile, "--tls-key", keyFile, "--max-classify-streams-per-conn", "2")
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	newClient := func() *http.Client {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
		t.Cleanup(tr.CloseIdleConnections)
		return &http.Client{Transport: tr}
	}
	// open starts a stream, sends it one sentence and returns its answer,
	// with the request body left open (the stream goes on).
	open := func(hc *http.Client) *http.Response {
		body, w := io.Pipe()
		t.Cleanup(func() { w.Close() })
		req, err := http.NewRequestWithContext(ctxT(t), "POST", "https://"+p.httpAddr+"/v1/classify:stream", body)
		if err != nil {
			t.Fatal(err)
		}
		go w.Write([]byte(`{"text": "Rain fell."}` + "\n"))
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		if resp.ProtoMajor != 2 {
			t.Fatalf("got %s, want HTTP/2", resp.Proto)
		}
		return resp
	}
	one := newClient()
	for i := range 2 {
		if resp := open(one); resp.StatusCode != http.StatusOK {
			t.Fatalf("stream %d of one client: got %d, want 200", i+1, resp.StatusCode)
		}
	}
	resp := open(one)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), "open from this connection or client, the most one may hold (--max-classify-streams-per-conn)") {
		t.Errorf("third stream of one client: got %d, Retry-After %q, %s; want 429 with a retry delay naming the bound", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	if resp := open(newClient()); resp.StatusCode != http.StatusOK {
		t.Errorf("a stream of another client: got %d, want 200", resp.StatusCode)
	}
}
