package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/claimsvc/claims/classifier"
	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/apitest"
)

// TestStartupRefusalsComeFirst checks that what makes the server refuse to
// start (an address in use, a TLS key pair that does not load) is found
// before the model is loaded or trained: nothing is logged of the model,
// and a fresh data directory is not given the default model.
func TestStartupRefusalsComeFirst(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(free.Addr().(*net.TCPAddr).Port)
	free.Close()
	certPEM, keyPEM := apitest.SelfSigned(t)
	certFile, keyFile := filepath.Join(t.TempDir(), "cert.pem"), filepath.Join(t.TempDir(), "key.pem")
	for name, data := range map[string][]byte{certFile: certPEM, keyFile: keyPEM} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tlsArgs := []string{"--tls-cert", certFile, "--tls-key", keyFile}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"gRPC address in use", []string{"--grpc-addr", busy.Addr().String()}, "--grpc-addr: listen tcp " + busy.Addr().String() + ": bind: address already in use"},
		{"HTTP address in use", []string{"--http-addr", busy.Addr().String()}, "--http-addr: listen tcp " + busy.Addr().String() + ": bind: address already in use"},
		{"one port, two spellings", []string{"--grpc-addr", "127.0.0.1:" + port, "--http-addr", "0.0.0.0:" + port}, "in use (--grpc-addr 127.0.0.1:" + port + " is on that port)"},
		{"health address in use", []string{"--health-addr", busy.Addr().String()}, "--health-addr: listen tcp " + busy.Addr().String() + ": bind: address already in use"},
		{"health port of the HTTP listener", []string{"--http-addr", "127.0.0.1:" + port, "--health-addr", "0.0.0.0:" + port}, "in use (--http-addr 127.0.0.1:" + port + " is on that port)"},
		{"health port of the gRPC listener", []string{"--grpc-addr", "127.0.0.1:" + port, "--health-addr", "0.0.0.0:" + port}, "--health-addr: listen tcp 0.0.0.0:" + port + ": bind: address already in use (--grpc-addr 127.0.0.1:" + port + " is on that port)"},
		{"no TLS files", []string{"--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"}, "--tls-cert, --tls-key: stat /nonexistent/cert.pem: no such file or directory"},
		{"no client CA file", append(tlsArgs, "--tls-client-ca", "/nonexistent/ca.pem"), "--tls-client-ca: stat /nonexistent/ca.pem: no such file or directory"},
		{"a client CA file without certificates", append(tlsArgs, "--tls-client-ca", keyFile), "--tls-client-ca: " + keyFile + " holds no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--data-dir", dir}, tt.args...)
			cfg, err := parseConfig(args, func(string) string { return "" }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			err = run(context.Background(), cfg, log, log, func(listening) { t.Error("the server started serving") })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
			if strings.Contains(logs.String(), "model") {
				t.Errorf("the model was loaded before the refusal:\n%s", logs.String())
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("the data directory was written: %v", entries)
			}
		})
	}
}

// TestListenErrorNamesTheVariable starts a server whose addresses come from
// the environment on ports in use: the error names the variable.
func TestListenErrorNamesTheVariable(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, name := range []string{"CLAIMS_GRPC_ADDR", "CLAIMS_HTTP_ADDR", "CLAIMS_HEALTH_ADDR"} {
		env := map[string]string{"CLAIMS_GRPC_ADDR": "127.0.0.1:0", "CLAIMS_HTTP_ADDR": "127.0.0.1:0", name: busy.Addr().String()}
		cfg, err := parseConfig(nil, func(k string) string { return env[k] }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.DiscardHandler)
		err = run(context.Background(), cfg, log, log, func(listening) { t.Error("the server started serving") })
		if want := name + ": listen tcp " + busy.Addr().String(); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s in use: got %v, want an error starting %q", name, err, want)
		}
	}
}

// TestBoundToLoopback checks the test of the addresses bound, which decides
// whether training is open without a token and guards the debug listener.
func TestBoundToLoopback(t *testing.T) {
	for _, tt := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:0", true},
		{"[::1]:0", true},
		{"0.0.0.0:0", false},
	} {
		l, err := net.Listen("tcp", tt.addr)
		if err != nil {
			t.Logf("%s: %v (skipped)", tt.addr, err)
			continue
		}
		if got := boundToLoopback(l); got != tt.want {
			t.Errorf("%s (bound %s): got %v, want %v", tt.addr, l.Addr(), got, tt.want)
		}
		l.Close()
	}
}

// TestResolvedLoopbackNameKeepsTrainingClosed starts a server on a host
// name that resolves to loopback (this machine's, when it does): the
// listeners are on loopback, but only addresses spelled as loopback ones
// open Train and Forget without a token, so training stays closed, as it
// was before the addresses bound were checked too.
func TestResolvedLoopbackNameKeepsTrainingClosed(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skip(err)
	}
	addr := net.JoinHostPort(host, "0")
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("%s: %v", host, err)
	}
	l.Close()
	if !boundToLoopback(l) || isLoopback(addr) {
		t.Skipf("%s is bound to %s: not a loopback address under another name", host, l.Addr())
	}
	cfg, err := parseConfig([]string{"--grpc-addr", addr, "--http-addr", addr}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var logs apitest.LogBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The Host check stays off too: a URL with the host name is served.
	hostStatus := 0
	ready := func(a listening) {
		defer cancel()
		_, port, _ := net.SplitHostPort(a.HTTP)
		resp, err := http.Get("http://" + net.JoinHostPort(host, port) + "/healthz")
		if err != nil {
			t.Error(err)
			return
		}
		resp.Body.Close()
		hostStatus = resp.StatusCode
	}
	if err := run(ctx, cfg, log, log, ready); err != nil {
		t.Fatal(err)
	}
	if want := "Train and Forget are disabled (PERMISSION_DENIED): a listener is not on a loopback address"; !strings.Contains(logs.String(), want) {
		t.Errorf("logs lack %q:\n%s", want, logs.String())
	}
	if hostStatus != http.StatusOK {
		t.Errorf("GET http://%s:…/healthz: got %d, want 200", host, hostStatus)
	}
}

// savedModelDir returns a data directory holding a small saved model,
// made with the embedded tokenizer as the server loads it.
func savedModelDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	tok, _, err := loadTokenizer("", "--tokenizer")
	if err != nil {
		t.Fatal(err)
	}
	_, saved := apitest.SavedModel(t, tok, []classifier.Example{
		{Text: "rebels blamed for the blast", Label: "attribution"},
		{Text: "the airport reopened", Label: "other"},
	})
	if err := os.WriteFile(filepath.Join(dir, "model.bin"), saved, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestSignalWhileModelLoads checks that a signal that came before a saved
// model was read, or while it was (the context is checked once the model
// is loaded), stops the server before it serves, as one during the
// training of the default model does.
func TestSignalWhileModelLoads(t *testing.T) {
	dir := savedModelDir(t)
	cfg, err := parseConfig([]string{"--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--data-dir", dir}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the signal came before the model was read
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	err = run(ctx, cfg, log, log, func(listening) { t.Error("the server started serving") })
	if err != nil {
		t.Errorf("got %v, want a clean stop", err)
	}
	if !strings.Contains(logs.String(), "stopped before serving") || !strings.Contains(logs.String(), "loaded model") {
		t.Errorf("want the model loaded, then a stop before serving; logs:\n%s", logs.String())
	}
}

// TestReloadsOfTwoServersInOneProcess runs two read-only servers in this
// process: both reload on SIGHUP, and once one has stopped the other still
// does (stopping one must not switch SIGHUP off for the process).
func TestReloadsOfTwoServersInOneProcess(t *testing.T) {
	dir := savedModelDir(t)
	cfg, err := parseConfig([]string{"--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--data-dir", dir, "--read-only"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	type server struct {
		logs   *apitest.LogBuffer
		cancel context.CancelFunc
		done   chan error
	}
	start := func() server {
		ctx, cancel := context.WithCancel(context.Background())
		s := server{logs: &apitest.LogBuffer{}, cancel: cancel, done: make(chan error, 1)}
		log := slog.New(slog.NewTextHandler(s.logs, nil))
		ready := make(chan struct{})
		go func() { s.done <- run(ctx, cfg, log, log, func(listening) { close(ready) }) }()
		select {
		case <-ready:
		case err := <-s.done:
			t.Fatalf("server stopped before serving: %v", err)
		}
		t.Cleanup(func() { cancel(); <-s.done })
		return s
	}
	waitReloads := func(s server, n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(s.logs.String(), "model reloaded") < n {
			if time.Now().After(deadline) {
				t.Fatalf("got %d reloads, want %d; logs:\n%s", strings.Count(s.logs.String(), "model reloaded"), n, s.logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	a, b := start(), start()
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitReloads(a, 1)
	waitReloads(b, 1)
	a.cancel()
	if err := <-a.done; err != nil {
		t.Fatal(err)
	}
	a.done <- nil // for the cleanup
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitReloads(b, 2)
}

// slowFile is a model file whose every check finds a new model, and whose
// Load waits for release before it reads data.
type slowFile struct {
	data    []byte
	loading chan struct{} // gets a value when a Load starts
	release chan struct{}
	loads   atomic.Int32
}

func (f *slowFile) Changed() (bool, error) { return true, nil }

func (f *slowFile) Load(decode func(io.Reader) error) error {
	f.loads.Add(1)
	select {
	case f.loading <- struct{}{}:
	default: // a Load after the first, which the test counts
	}
	<-f.release
	return decode(bytes.NewReader(f.data))
}

// TestStopWaitsForReload stops reloads while a reload reads the model
// file: the stop waits for that reload to end, and starts no other, though
// every check would. Once the reload ends, the stop and a check due are
// both ready and the reloads' loop takes either, so it runs 20 times.
func TestStopWaitsForReload(t *testing.T) {
	tok, _, err := loadTokenizer("", "--tokenizer")
	if err != nil {
		t.Fatal(err)
	}
	model, saved := apitest.SavedModel(t, tok, []classifier.Example{
		{Text: "rebels blamed for the blast", Label: "attribution"},
		{Text: "the airport reopened", Label: "other"},
	})
	for round := range 20 {
		logs := &apitest.LogBuffer{}
		log := slog.New(slog.NewTextHandler(logs, nil))
		svc := api.NewService(model, api.DefaultLimits(), "test", nil, log)
		f := &slowFile{data: saved, loading: make(chan struct{}, 1), release: make(chan struct{})}
		stop := reloads(model, f, time.Millisecond, func(flag string) string { return "--" + flag }, svc, log)
		select {
		case <-f.loading:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: no reload started", round)
		}
		stopped := make(chan struct{})
		go func() {
			stop()
			close(stopped)
		}()
		select {
		case <-stopped:
			t.Fatalf("round %d: the stop returned while a reload was reading the model file", round)
		case <-time.After(20 * time.Millisecond):
		}
		time.Sleep(5 * time.Millisecond) // a check is due by now
		close(f.release)
		select {
		case <-stopped:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: the stop did not return once the reload ended", round)
		}
		if n := f.loads.Load(); n != 1 {
			t.Fatalf("round %d: got %d reloads, want 1: none may start once the stop has begun", round, n)
		}
		if !strings.Contains(logs.String(), "model reloaded") {
			t.Fatalf("round %d: the reload under way was not finished; logs:\n%s", round, logs.String())
		}
	}
}

// TestRequireSavedModel checks --require-saved-model: a data directory
// with no saved model, or none at all (a volume not mounted), stops the
// server before it serves and is left as it was, writer or reader; one
// with a saved model starts.
func TestRequireSavedModel(t *testing.T) {
	empty := t.TempDir()
	missing := filepath.Join(t.TempDir(), "not-mounted")
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(filepath.Join(missing, "volume"), link); err != nil {
		t.Fatal(err)
	}
	linkedModel := t.TempDir()
	if err := os.Symlink(filepath.Join(missing, "model.bin"), filepath.Join(linkedModel, "model.bin")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		dir      string
		readOnly bool
		want     string // the error; "" to start
	}{
		{"empty directory", empty, false, "refusing to start: no saved model at " + filepath.Join(empty, "model.bin") + ", and --require-saved-model is set (is the volume mounted?"},
		{"empty directory, read-only", empty, true, "refusing to start: no saved model at " + filepath.Join(empty, "model.bin") + ", and --require-saved-model is set (is the volume mounted? a read-only server never saves one: start the writer once without it)"},
		{"no directory", missing, false, "refusing to start: no saved model at " + filepath.Join(missing, "model.bin")},
		{"directory a link to nothing", link, false, "--data-dir: store: " + link + " is a symbolic link to " + filepath.Join(missing, "volume") + ", which does not exist (a volume not mounted yet?)"},
		{"model file a link to nothing", linkedModel, false, "--data-dir: store: " + filepath.Join(linkedModel, "model.bin") + " is not a regular file but a symbolic link"},
		{"saved model", savedModelDir(t), false, ""},
		{"saved model, read-only", savedModelDir(t), true, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--data-dir", tt.dir, "--require-saved-model"}
			if tt.readOnly {
				args = append(args, "--read-only")
			}
			cfg, err := parseConfig(args, func(string) string { return "" }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			started := false
			log := slog.New(slog.DiscardHandler)
			err = run(ctx, cfg, log, log, func(listening) { started = true; cancel() })
			if tt.want == "" {
				if err != nil || !started {
					t.Errorf("got error %v, started %v; want a server that starts", err, started)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || started {
				t.Errorf("got error %v, started %v; want %q and no start", err, started, tt.want)
			}
			entries, err := os.ReadDir(tt.dir)
			if tt.dir == linkedModel && len(entries) == 1 && entries[0].Name() == "model.bin" {
				entries = nil // the link the test made
			}
			if len(entries) != 0 || (tt.dir == missing || tt.dir == link) && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the data directory was written: %v, %v", entries, err)
			}
		})
	}
	if _, err := parseConfig([]string{"--require-saved-model"}, func(string) string { return "" }, io.Discard); err == nil || err.Error() != "--require-saved-model needs --data-dir: without one there is no saved model to require" {
		t.Errorf("without --data-dir: got %v, want the flag refused", err)
	}
}

// TestRunFollowsMemoryLimit checks that a server whose runtime memory
// limit comes from the container's follows a change of it while it
// serves, and stops following once it has stopped.
func TestRunFollowsMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	root := &swapFS{files: cgroupLimit("4000000000")}
	cancel, stopped := runOnContainer(t, root)
	if got := debug.SetMemoryLimit(-1); got != 2000000000 {
		t.Errorf("runtime limit at start: got %d, want 2000000000", got)
	}
	root.set(cgroupLimit("6000000000"))
	for deadline := time.Now().Add(5 * time.Second); debug.SetMemoryLimit(-1) != 3000000000; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("runtime limit: got %d, want 3000000000 once the container's changed", debug.SetMemoryLimit(-1))
		}
	}
	cancel()
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	root.set(cgroupLimit("8000000000"))
	time.Sleep(50 * time.Millisecond)
	if got := debug.SetMemoryLimit(-1); got != 3000000000 {
		t.Errorf("runtime limit after the stop: got %d, want 3000000000 (no longer followed)", got)
	}
}

// TestWarnStale checks the advice given for a model whose counts another
// extractor or tokenizer gathered, by which way the revisions differ,
// whether this server writes the model, or a mix.
func TestWarnStale(t *testing.T) {
	tok, _, err := loadTokenizer("", "--tokenizer")
	if err != nil {
		t.Fatal(err)
	}
	model := classifier.New(tok)
	for _, tt := range []struct {
		name      string
		revision  int
		tokenizer string
		readOnly  bool
		want      string // "" for no warning
	}{
		{"this build's", classifier.FeatureRevision, "", false, ""},
		{"this build's and tokenizer", classifier.FeatureRevision, model.TokenizerFingerprint(), false, ""},
		{"older", classifier.FeatureRevision - 1, "", false, `msg="the saved model was trained by an older revision of the feature extractor: it classifies, but accuracy may suffer, and Forget is refused until it is retrained (client train --replace)"`},
		{"older, read-only", classifier.FeatureRevision - 1, "", true, "against the server that writes this --data-dir once it runs this build and tokenizer.json; this server reads the new model on SIGHUP, or by itself with --reload-interval"},
		{"newer (a rollback)", classifier.FeatureRevision + 1, "", false, "trained by a newer revision of the feature extractor than this build has (a rollback?): it classifies, but accuracy may suffer, and Forget is refused until this server runs a build of the model's revision"},
		{"newer, read-only", classifier.FeatureRevision + 1, "", true, "(the server that writes it runs a newer build, or saved it before a rollback): it classifies, but accuracy may suffer, and Forget is refused until this server runs a build of the model's revision, or the writer retrains the model (client train --replace, against the server"},
		{"mixed", classifier.MixedRevision, classifier.MixedFeatures, false, "the saved model's counts mix two feature extractions"},
		{"another tokenizer", classifier.FeatureRevision, "0123456789abcdef", false, `Forget is refused. To mend it, start this server with the tokenizer.json the model was trained with, or retrain the model (client train --replace); a Train before then mixes the two, which only retraining mends" model_tokenizer_sha256=0123456789abcdef`},
		{"another tokenizer, read-only", classifier.FeatureRevision, "0123456789abcdef", true, "To mend it, give this server the --tokenizer of the server that writes the model, or retrain the model there with this one"},
	} {
		var buf bytes.Buffer
		info := model.Info()
		info.FeatureRevision, info.Tokenizer = tt.revision, tt.tokenizer
		warnStale(model, info, tt.readOnly, slog.New(slog.NewTextHandler(&buf, nil)))
		if got := buf.String(); tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("%s: got %q, want a line with %q", tt.name, got, tt.want)
		}
		if tt.name == "mixed" && strings.Count(buf.String(), "\n") != 1 {
			t.Errorf("mixed: got %q, want one line", buf.String())
		}
	}
}

// fakeStream is a grpc.ServerStream with only a context.
type fakeStream struct {
	grpc.ServerStream
	ctx context.Context
}

// Context returns the stream's context.
func (f fakeStream) Context() context.Context { return f.ctx }

// TestBoundPerConnREST checks the per-client bound of REST streams: the
// gateway's calls all come over one in-process connection, so they are
// told apart by the client the gateway names, not by the connection.
func TestBoundPerConnREST(t *testing.T) {
	const method = "/claims.v1.ClaimService/ClassifyStream"
	bound := boundPerConn(method, "classify streams", 1, "--max-classify-streams-per-conn", restClient)
	from := func(client string) fakeStream {
		return fakeStream{ctx: metadata.NewIncomingContext(context.Background(), metadata.Pairs(api.RESTPeerKey, client))}
	}
	info := &grpc.StreamServerInfo{FullMethod: method}
	release := make(chan struct{})
	held := make(chan struct{})
	go bound(nil, from("192.0.2.1:1000"), info, func(any, grpc.ServerStream) error { close(held); <-release; return nil })
	<-held
	noop := func(any, grpc.ServerStream) error { return nil }
	if err := bound(nil, from("192.0.2.1:1000"), info, noop); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("second stream of one client: got %v, want ResourceExhausted", err)
	}
	if err := bound(nil, from("192.0.2.2:1000"), info, noop); err != nil {
		t.Errorf("a stream of another client: got %v, want none", err)
	}
	if err := bound(nil, from("192.0.2.1:1000"), &grpc.StreamServerInfo{FullMethod: "/grpc.health.v1.Health/Watch"}, noop); err != nil {
		t.Errorf("another method: got %v, want none", err)
	}
	close(release)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		err := bound(nil, from("192.0.2.1:1000"), info, noop)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a stream once the first ended: got %v, want none", err)
		}
	}
}

// TestBoundWatchesGivesBackRefused checks that a health watch refused for
// the server's limit gives its connection's count back: a connection
// refused many times still opens its full share once the server has room.
func TestBoundWatchesGivesBackRefused(t *testing.T) {
	const method = "/grpc.health.v1.Health/Watch"
	bound := boundWatches(context.Background(), method, watchBounds{max: 2, perConn: 2, maxName: "--max-health-watches", perConnName: "--max-health-watches-per-conn"})
	on := func(port int) fakeStream {
		p := &peer.Peer{Addr: &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: port}, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50051}}
		return fakeStream{ctx: peer.NewContext(context.Background(), p)}
	}
	info := &grpc.StreamServerInfo{FullMethod: method}
	hold := func(port int) (release func()) {
		held, done := make(chan struct{}), make(chan struct{})
		go bound(nil, on(port), info, func(any, grpc.ServerStream) error { close(held); <-done; return nil })
		<-held
		return func() { close(done) }
	}
	releaseA1, releaseA2 := hold(1000), hold(1000)
	noop := func(any, grpc.ServerStream) error { return nil }
	for range 5 {
		if err := bound(nil, on(2000), info, noop); status.Code(err) != codes.ResourceExhausted || !strings.Contains(status.Convert(err).Message(), "the server's limit") {
			t.Fatalf("watch past the server's limit: got %v, want ResourceExhausted naming the server's limit", err)
		}
	}
	releaseA1()
	releaseA2()
	var releases []func()
	for i := range 2 {
		deadline := time.Now().Add(5 * time.Second)
		for {
			held, done := make(chan struct{}), make(chan struct{})
			errc := make(chan error, 1)
			go func() {
				errc <- bound(nil, on(2000), info, func(any, grpc.ServerStream) error { close(held); <-done; return nil })
			}()
			select {
			case <-held:
				releases = append(releases, func() { close(done) })
			case err := <-errc:
				if time.Now().After(deadline) {
					t.Fatalf("watch %d on the connection refused before: got %v, want it opened", i+1, err)
				}
				time.Sleep(time.Millisecond)
				continue
			}
			break
		}
	}
	for _, r := range releases {
		r()
	}
}

// gateFS is a swapFS whose next Open, once armed, waits for release.
type gateFS struct {
	*swapFS
	armed            atomic.Bool
	entered, release chan struct{}
}

// Open opens name, first waiting for release if g is armed.
func (g *gateFS) Open(name string) (fs.File, error) {
	if g.armed.CompareAndSwap(true, false) {
		close(g.entered)
		<-g.release
	}
	return g.swapFS.Open(name)
}

// TestRunWaitsForMemoryLimitCheck checks that run does not return while
// a check of the container's limit is under way, so that no check
// changes the runtime's limit after it.
func TestRunWaitsForMemoryLimitCheck(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	root := &gateFS{swapFS: &swapFS{files: cgroupLimit("4000000000")}, entered: make(chan struct{}), release: make(chan struct{})}
	cancel, stopped := runOnContainer(t, root)
	root.armed.Store(true)
	<-root.entered // a check is under way
	cancel()
	select {
	case err := <-stopped:
		t.Fatalf("run returned (%v) while a check of the memory limit was under way", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(root.release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	after := debug.SetMemoryLimit(-1)
	root.set(cgroupLimit("16000000000"))
	time.Sleep(20 * time.Millisecond)
	if got := debug.SetMemoryLimit(-1); got != after {
		t.Errorf("runtime limit after run returned: got %d, then %d; want no change", after, got)
	}
}

// runOnContainer starts run with its runtime memory limit set to half the
// container's limit that root's cgroup files hold, read again every
// millisecond, and returns once it serves: cancel stops it, and stopped
// gets what run returned.
func runOnContainer(t *testing.T, root fs.FS) (cancel context.CancelFunc, stopped <-chan error) {
	t.Helper()
	cfg, err := parseConfig([]string{"--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--memory-limit-ratio", "0.5"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Root, cfg.memoryLimitEvery = root, time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	serving := make(chan struct{})
	done := make(chan error, 1)
	log := slog.New(slog.DiscardHandler)
	go func() { done <- run(ctx, cfg, log, log, func(listening) { close(serving) }) }()
	select {
	case <-serving:
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	return cancel, done
}
