package main_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding/gzip"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/apitest"
)

// binaries are built once per test run.
var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// TestMain removes the binaries the end-to-end tests built, once they
// have all run.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func binaries(t *testing.T) (server, client string) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test builds binaries; skipped with -short")
	}
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "claims-e2e-bin")
		if buildErr != nil {
			return
		}
		for _, pkg := range []string{"server", "client"} {
			out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, pkg), "github.com/claimsvc/claims/"+pkg).CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "server"), filepath.Join(binDir, "client")
}

// proc is a running server.
type proc struct {
	cmd      *exec.Cmd
	grpcAddr string
	httpAddr string
	health   string // the --health-addr listener's address, if any
	debug    string // the --debug-addr listener's address, if any
	logs     *apitest.LogBuffer
	done     chan error
}

// startServer runs the server binary on free loopback ports and waits until
// it logs its addresses; a server that exits first fails the test.
func startServer(t *testing.T, server string, args ...string) *proc {
	t.Helper()
	args = append([]string{"--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--log-format", "json"}, args...)
	cmd := exec.Command(server, args...)
	pr, pw := io.Pipe()
	p := &proc{cmd: cmd, logs: &apitest.LogBuffer{}, done: make(chan error, 1)}
	// Logs first: when the reader below sees a line, the test can already
	// find it (and every line before it) in p.logs.
	cmd.Stderr = io.MultiWriter(p.logs, pw)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait(); pw.Close() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("server logs:\n%s", p.logs.String())
		}
	})
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var line map[string]any
			if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == "serving" {
				p.grpcAddr, _ = line["grpc"].(string)
				p.httpAddr, _ = line["http"].(string)
				p.health, _ = line["health"].(string)
				p.debug, _ = line["debug"].(string)
				close(ready)
				break
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case <-ready:
	case err := <-p.done:
		p.done <- err // for the cleanup, which would otherwise wait for ever
		t.Fatalf("server exited before serving: %v\n%s", err, p.logs.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start\n%s", p.logs.String())
	}
	return p
}

// stop sends SIGTERM and waits for a clean exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("server exit: %v\n%s", err, p.logs.String())
		}
		p.done <- err // for the cleanup
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop on SIGTERM")
	}
}

func runClient(t *testing.T, client string, args ...string) string {
	t.Helper()
	out, err := exec.Command(client, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("client %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func grpcClient(t *testing.T, addr string, creds credentials.TransportCredentials) claimsv1.ClaimServiceClient {
	t.Helper()
	if creds == nil {
		creds = insecure.NewCredentials()
	}
	return claimsv1.NewClaimServiceClient(grpcConn(t, addr, grpc.WithTransportCredentials(creds)))
}

// grpcConn returns a client connection to addr, plaintext unless opts say
// otherwise, closed when the test ends.
func grpcConn(t *testing.T, addr string, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// novel is a sentence the default model has never seen, trained as a
// deliberately odd label so the test can tell it was learned.
const novel = "Quokkas stampeded through the marmalade depot at dawn."

// TestEndToEnd builds the real binaries, classifies over REST and gRPC,
// trains with the client, restarts, and checks what survived.
func TestEndToEnd(t *testing.T) {
	server, client := binaries(t)
	dataDir := t.TempDir()
	p := startServer(t, server, "--data-dir", dataDir)

	// REST.
	resp, err := http.Post("http://"+p.httpAddr+"/v1/classify", "application/json",
		strings.NewReader(`{"text": "Rebels Claim Deadly Hotel Attack\nThe interior ministry denied any involvement in the bombing."}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"label":"denial"`) {
		t.Errorf("REST classify: got %d %s", resp.StatusCode, body)
	}
	// gRPC.
	gc := grpcClient(t, p.grpcAddr, nil)
	cr, err := gc.Classify(ctxT(t), &claimsv1.ClassifyRequest{Sentences: []string{"Leaders sent their deepest condolences to the families of the victims."}})
	if err != nil || cr.GetSentences()[0].GetLabel() != "condolence" {
		t.Errorf("gRPC classify: got %v, %v", cr, err)
	}
	v0 := cr.GetModelVersion()
	// A client whose calls are gzip-compressed (a common shared dial
	// option) is served, not refused with UNIMPLEMENTED.
	gz, err := gc.Classify(ctxT(t), &claimsv1.ClassifyRequest{Sentences: []string{"The ministry denied any role."}}, grpc.UseCompressor(gzip.Name))
	if err != nil || gz.GetSentences()[0].GetLabel() != "denial" {
		t.Errorf("gRPC classify, gzip: got %v, %v", gz, err)
	}

	// Train with the client binary.
	data := filepath.Join(t.TempDir(), "train.jsonl")
	line, _ := json.Marshal(map[string]string{"text": novel, "label": "warning"})
	os.WriteFile(data, append(line, '\n'), 0o600)
	out := runClient(t, client, "train", "--addr", p.grpcAddr, "--data", data)
	if !strings.Contains(out, fmt.Sprintf("model version %d", v0+1)) {
		t.Errorf("client train: got %q", out)
	}
	text := filepath.Join(t.TempDir(), "article.txt")
	os.WriteFile(text, []byte("Police Warn of More Attacks\nThe group denied any role in the blast."), 0o600)
	out = runClient(t, client, "classify", "--addr", p.grpcAddr, text)
	if !strings.Contains(out, "LABEL") || !strings.Contains(out, "denial") || !strings.Contains(out, "2 sentences") {
		t.Errorf("client classify: got %q", out)
	}
	out = runClient(t, client, "classify", "--addr", p.grpcAddr, "--json", "--sentences", text)
	if n := strings.Count(out, "\n"); n != 2 || !strings.Contains(out, `"label":"denial"`) {
		t.Errorf("client classify --json: got %q", out)
	}
	m, err := gc.GetModel(ctxT(t), &claimsv1.GetModelRequest{})
	if err != nil {
		t.Fatal(err)
	}
	// The default model's confidences are tempered, and say so in
	// GetModel and in the startup log.
	if want := classifier.DefaultFeatures().Temperature; m.GetTemperature() != want || !regexp.MustCompile(fmt.Sprintf(`"msg":"model ready".*"temperature":%g,`, want)).MatchString(p.logs.String()) {
		t.Errorf("temperature: got %v in GetModel, want %v, and it in the model ready line", m.GetTemperature(), classifier.DefaultFeatures().Temperature)
	}
	before, _ := gc.Classify(ctxT(t), &claimsv1.ClassifyRequest{Sentences: []string{novel}})
	p.stop(t)

	// Restart on the same data directory: same version, same hash, same answer.
	p2 := startServer(t, server, "--data-dir", dataDir)
	gc2 := grpcClient(t, p2.grpcAddr, nil)
	m2, err := gc2.GetModel(ctxT(t), &claimsv1.GetModelRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if m2.GetVersion() != m.GetVersion() || m2.GetContentHash() != m.GetContentHash() || m2.GetTotalExamples() != m.GetTotalExamples() {
		t.Errorf("after restart: version %d hash %s examples %d, want %d %s %d",
			m2.GetVersion(), m2.GetContentHash(), m2.GetTotalExamples(), m.GetVersion(), m.GetContentHash(), m.GetTotalExamples())
	}
	after, err := gc2.Classify(ctxT(t), &claimsv1.ClassifyRequest{Sentences: []string{novel}})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := after.GetSentences()[0], before.GetSentences()[0]; a.GetLabel() != b.GetLabel() || a.GetConfidence() != b.GetConfidence() {
		t.Errorf("prediction after restart: got %s %.4f, want %s %.4f", a.GetLabel(), a.GetConfidence(), b.GetLabel(), b.GetConfidence())
	}
	// The client's model and eval commands work against it.
	out = runClient(t, client, "model", "--addr", p2.grpcAddr)
	if !strings.Contains(out, fmt.Sprintf("version       %d", m.GetVersion())) {
		t.Errorf("client model: got %q", out)
	}
	out = runClient(t, client, "eval", "--addr", p2.grpcAddr, "--data", data)
	if !strings.Contains(out, "macro-F1") || !strings.Contains(out, "confusion matrix") {
		t.Errorf("client eval: got %q", out)
	}
	// Health over gRPC and HTTP.
	conn, _ := grpc.NewClient(p2.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	defer conn.Close()
	hr, err := healthpb.NewHealthClient(conn).Check(ctxT(t), &healthpb.HealthCheckRequest{Service: "claims.v1.ClaimService"})
	if err != nil || hr.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health: got %v, %v", hr, err)
	}
	p2.stop(t)
	if !strings.Contains(p2.logs.String(), `"msg":"stopped"`) {
		t.Errorf("no clean shutdown in logs")
	}
}

// TestCorruptModelRefusesToStart checks that the server does not silently
// fall back to the default model.
func TestCorruptModelRefusesToStart(t *testing.T) {
	server, _ := binaries(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "model.bin"), []byte("CLAIMSNB garbage"), 0o600)
	cmd := exec.Command(server, "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--data-dir", dir)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "refusing to start") || !strings.Contains(string(out), "not a valid model file") {
		t.Errorf("got %v\n%s", err, out)
	}
}

// TestTrainRefusedOnPublicListener checks the no-token rule on a
// non-loopback listen address.
func TestTrainRefusedOnPublicListener(t *testing.T) {
	server, client := binaries(t)
	p := startServer(t, server, "--http-addr", "0.0.0.0:0")
	if !strings.Contains(p.logs.String(), "Train and Forget are disabled") {
		t.Errorf("startup log does not say why training is disabled")
	}
	data := filepath.Join(t.TempDir(), "t.jsonl")
	os.WriteFile(data, []byte(`{"text": "x y", "label": "other"}`+"\n"), 0o600)
	out, err := exec.Command(client, "train", "--addr", p.grpcAddr, "--data", data).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "PermissionDenied") {
		t.Errorf("got %v: %s", err, out)
	}
	if strings.Contains(p.logs.String(), "Bearer") {
		t.Errorf("logs carry a token")
	}
}

// TestReadOnlyServer refuses Train over gRPC (through the client) and
// REST on a loopback server that would otherwise take it without a token.
func TestReadOnlyServer(t *testing.T) {
	server, client := binaries(t)
	p := startServer(t, server, "--read-only")
	if !strings.Contains(p.logs.String(), "--read-only") {
		t.Errorf("startup log does not say why training is disabled")
	}
	data := filepath.Join(t.TempDir(), "t.jsonl")
	os.WriteFile(data, []byte(`{"text": "x y", "label": "other"}`+"\n"), 0o600)
	out, err := exec.Command(client, "train", "--addr", p.grpcAddr, "--data", data).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "PermissionDenied") || !strings.Contains(string(out), "--read-only") {
		t.Errorf("client train: got %v: %s", err, out)
	}
	resp, err := http.Post("http://"+p.httpAddr+"/v1/train", "application/json", strings.NewReader(`{"examples":[{"text":"x y","label":"other"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "--read-only") {
		t.Errorf("REST train: got %d %s, want 403 naming --read-only", resp.StatusCode, body)
	}
	m, err := grpcClient(t, p.grpcAddr, nil).GetModel(ctxT(t), &claimsv1.GetModelRequest{})
	if err != nil || !m.GetReadOnly() {
		t.Errorf("GetModel: got read_only %v, %v; want true", m.GetReadOnly(), err)
	}
	if out := runClient(t, client, "model", "--addr", p.grpcAddr); !strings.Contains(out, "read-only     the server refuses train and forget") {
		t.Errorf("client model does not say the server is read-only:\n%s", out)
	}
}

// TestReadOnlyDataDir checks that --read-only reads a data directory and
// never writes or locks it: two read-only servers share one beside the
// server that wrote it, an empty one is served the default model and
// stays empty, and a missing one is an error, not created.
func TestReadOnlyDataDir(t *testing.T) {
	server, _ := binaries(t)
	dir := filepath.Join(t.TempDir(), "data")
	writer := startServer(t, server, "--data-dir", dir)
	for range 2 {
		p := startServer(t, server, "--read-only", "--data-dir", dir)
		if !strings.Contains(p.logs.String(), "loaded model") {
			t.Errorf("read-only server beside the writer: did not load the saved model")
		}
	}
	writer.stop(t)
	empty := t.TempDir()
	p := startServer(t, server, "--read-only", "--data-dir", empty)
	if !strings.Contains(p.logs.String(), "which --read-only does not save") {
		t.Errorf("empty directory: startup log does not say the default model is not saved")
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("empty directory: read-only server wrote %d entries", len(entries))
	}
	missing := filepath.Join(t.TempDir(), "missing")
	out, err := exec.Command(server, "--read-only", "--data-dir", missing, "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no such file or directory") {
		t.Errorf("missing directory: got %v: %s", err, out)
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing directory: read-only server created it (%v)", err)
	}
}

// TestMetricsAndReflectionFlags turns off the two routes any caller can
// read that an operator may not want public: /metrics answers 404 and
// reflection UNIMPLEMENTED (logged, as a service the server does not
// have), while the service itself still answers.
func TestMetricsAndReflectionFlags(t *testing.T) {
	server, _ := binaries(t)
	for _, tc := range []struct {
		args        []string
		wantMetrics int
		wantReflect codes.Code
	}{
		{nil, http.StatusOK, codes.OK},
		{[]string{"--metrics=false", "--reflection=false"}, http.StatusNotFound, codes.Unimplemented},
	} {
		p := startServer(t, server, tc.args...)
		resp, err := http.Get("http://" + p.httpAddr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.wantMetrics {
			t.Errorf("%q: GET /metrics: got %d, want %d", tc.args, resp.StatusCode, tc.wantMetrics)
		}
		if want := `goversion="` + runtime.Version() + `"`; tc.wantMetrics == http.StatusOK && !strings.Contains(string(body), want) {
			t.Errorf("%q: GET /metrics: no claims_build_info with %s", tc.args, want)
		}
		conn, err := grpc.NewClient(p.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctxT(t))
		if err == nil {
			// A stream the server has already ended takes the message
			// with io.EOF; its status comes from Recv.
			err = stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}})
			if err == nil || errors.Is(err, io.EOF) {
				_, err = stream.Recv()
			}
		}
		if got := status.Code(err); got != tc.wantReflect {
			t.Errorf("%q: reflection: got %v (%v), want %v", tc.args, got, err, tc.wantReflect)
		}
		if m, err := claimsv1.NewClaimServiceClient(conn).GetModel(ctxT(t), &claimsv1.GetModelRequest{}); err != nil || m.GetReadOnly() {
			t.Errorf("%q: GetModel: got read_only %v, %v; want false, nil", tc.args, m.GetReadOnly(), err)
		}
		// A method the service does not have: grpc's own answer.
		err = conn.Invoke(ctxT(t), "/claims.v1.ClaimService/Nope", &claimsv1.GetModelRequest{}, &claimsv1.GetModelResponse{})
		if st := status.Convert(err); st.Code() != codes.Unimplemented || st.Message() != "unknown method Nope for service claims.v1.ClaimService" {
			t.Errorf("%q: an unknown method: got %s %q, want Unimplemented \"unknown method Nope for service claims.v1.ClaimService\"", tc.args, st.Code(), st.Message())
		}
		conn.Close()
		p.stop(t)
		// Reflection turned off is a service the server does not have.
		if tc.wantReflect == codes.Unimplemented && !strings.Contains(p.logs.String(), `"method":"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo","code":"Unimplemented"`) {
			t.Errorf("%q: the access log has no line for the reflection call:\n%s", tc.args, p.logs.String())
		}
	}
}

// TestTLS serves gRPC and REST over TLS with a generated certificate.
func TestTLS(t *testing.T) {
	server, client := binaries(t)
	dir := t.TempDir()
	certPEM, keyPEM := apitest.SelfSigned(t)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, certPEM, 0o600)
	os.WriteFile(keyFile, keyPEM, 0o600)
	p := startServer(t, server, "--tls-cert", certFile, "--tls-key", keyFile, "--train-token", "s3cret")

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := hc.Get("https://" + p.httpAddr + "/v1/model")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("REST over TLS: got %d", resp.StatusCode)
	}
	gc := grpcClient(t, p.grpcAddr, credentials.NewTLS(&tls.Config{RootCAs: pool}))
	if _, err := gc.GetModel(ctxT(t), &claimsv1.GetModelRequest{}); err != nil {
		t.Errorf("gRPC over TLS: %v", err)
	}
	data := filepath.Join(dir, "t.jsonl")
	os.WriteFile(data, []byte(`{"text": "a brand new sentence", "label": "other"}`+"\n"), 0o600)
	out := runClient(t, client, "train", "--addr", p.grpcAddr, "--tls-ca", certFile, "--token", "s3cret", "--data", data)
	if !strings.Contains(out, "trained 1 example:") {
		t.Errorf("client train over TLS: got %q", out)
	}
	// The HTTP port over TLS answers the client's gRPC call with a 404: the
	// client names the mistake rather than taking it for a server without
	// GetModel and sending the file.
	text := filepath.Join(dir, "t.txt")
	os.WriteFile(text, []byte("The airport reopened.\n"), 0o600)
	wrong, err := exec.Command(client, "classify", "--addr", p.httpAddr, "--tls-ca", certFile, text).CombinedOutput()
	if want := "Unimplemented: unexpected HTTP status code received from server: 404"; err == nil || !strings.Contains(string(wrong), want) || !strings.Contains(string(wrong), "is an HTTP port: give the server's gRPC port") {
		t.Errorf("client classify at the HTTP port over TLS: got %v, %q; want %q and the hint", err, wrong, want)
	}
	// Plaintext is refused.
	plain := grpcClient(t, p.grpcAddr, nil)
	if _, err := plain.GetModel(ctxT(t), &claimsv1.GetModelRequest{}); err == nil {
		t.Errorf("plaintext gRPC to a TLS server succeeded")
	}
}

// writeFiles writes each name's content into dir as a new file renamed
// into place, as certificate managers do, and returns the paths.
func writeFiles(t *testing.T, dir string, files map[string][]byte) map[string]string {
	t.Helper()
	paths := make(map[string]string)
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path+".new", data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".new", path); err != nil {
			t.Fatal(err)
		}
		paths[name] = path
	}
	return paths
}

// TestTLSRenewal renews the server's certificate on disk: new
// connections to either port get the new one within a few seconds, with
// no restart, and the log says so.
func TestTLSRenewal(t *testing.T) {
	server, _ := binaries(t)
	dir := t.TempDir()
	ca := apitest.NewCA(t)
	oldCert, oldKey := ca.Issue(t, "before", x509.ExtKeyUsageServerAuth)
	f := writeFiles(t, dir, map[string][]byte{"tls.crt": oldCert, "tls.key": oldKey})
	p := startServer(t, server, "--tls-cert", f["tls.crt"], "--tls-key", f["tls.key"])
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca.PEM)
	served := func(addr string) string {
		t.Helper()
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, NextProtos: []string{"h2"}})
		if err != nil {
			t.Fatalf("TLS handshake with %s: %v", addr, err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].Subject.CommonName
	}
	for _, addr := range []string{p.grpcAddr, p.httpAddr} {
		if got := served(addr); got != "before" {
			t.Fatalf("%s at start: got certificate %q, want before", addr, got)
		}
	}
	newCert, newKey := ca.Issue(t, "after", x509.ExtKeyUsageServerAuth)
	writeFiles(t, dir, map[string][]byte{"tls.crt": newCert, "tls.key": newKey})
	for _, addr := range []string{p.grpcAddr, p.httpAddr} {
		deadline := time.Now().Add(10 * time.Second)
		for served(addr) != "after" {
			if time.Now().After(deadline) {
				t.Fatalf("%s: still the old certificate 10s after the renewal\n%s", addr, p.logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitForLog(t, p, "TLS key pair reloaded")
	gc := grpcClient(t, p.grpcAddr, credentials.NewTLS(&tls.Config{RootCAs: pool}))
	if _, err := gc.GetModel(ctxT(t), &claimsv1.GetModelRequest{}); err != nil {
		t.Errorf("gRPC after the renewal: %v", err)
	}
}

// TestMutualTLS requires client certificates (--tls-client-ca): callers
// with a certificate from that CA are served over gRPC (the client's
// --tls-cert) and REST; callers with none, or with one from another CA,
// are refused at the handshake, and the client says what to do.
func TestMutualTLS(t *testing.T) {
	server, client := binaries(t)
	dir := t.TempDir()
	ca, other := apitest.NewCA(t), apitest.NewCA(t)
	srvCert, srvKey := ca.Issue(t, "server", x509.ExtKeyUsageServerAuth)
	cliCert, cliKey := ca.Issue(t, "client", x509.ExtKeyUsageClientAuth)
	strangerCert, strangerKey := other.Issue(t, "stranger", x509.ExtKeyUsageClientAuth)
	expiredCert, expiredKey := ca.IssueFor(t, "expired", x509.ExtKeyUsageClientAuth, time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour))
	f := writeFiles(t, dir, map[string][]byte{
		"ca.pem": ca.PEM, "server.crt": srvCert, "server.key": srvKey,
		"client.crt": cliCert, "client.key": cliKey, "stranger.crt": strangerCert, "stranger.key": strangerKey,
		"expired.crt": expiredCert, "expired.key": expiredKey,
	})
	p := startServer(t, server, "--tls-cert", f["server.crt"], "--tls-key", f["server.key"], "--tls-client-ca", f["ca.pem"], "--health-addr", "127.0.0.1:0")
	// The health listener answers a checker with no certificate (as
	// kubelet's probes are), in plain HTTP, and serves nothing else.
	for path, want := range map[string]int{"/healthz": http.StatusOK, "/v1/model": http.StatusNotFound, "/metrics": http.StatusNotFound} {
		resp, err := http.Get("http://" + p.health + path)
		if err != nil {
			t.Fatalf("%s on the health listener: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s on the health listener: got %d, want %d", path, resp.StatusCode, want)
		}
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca.PEM)
	restGet := func(certFile, keyFile string) (int, error) {
		cfg := &tls.Config{RootCAs: pool}
		if certFile != "" {
			cert, err := tls.LoadX509KeyPair(certFile, keyFile)
			if err != nil {
				t.Fatal(err)
			}
			// Sent whatever CAs the server names, as the client does.
			cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
		}
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true}}
		defer hc.CloseIdleConnections()
		resp, err := hc.Get("https://" + p.httpAddr + "/v1/model")
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		if resp.ProtoMajor != 2 {
			t.Errorf("REST over mutual TLS: got %s, want HTTP/2", resp.Proto)
		}
		return resp.StatusCode, nil
	}
	if code, err := restGet(f["client.crt"], f["client.key"]); err != nil || code != http.StatusOK {
		t.Errorf("REST with a client certificate: got %d, %v; want 200", code, err)
	}
	for _, who := range []string{"", "stranger"} {
		certFile, keyFile := "", ""
		if who != "" {
			certFile, keyFile = f[who+".crt"], f[who+".key"]
		}
		if code, err := restGet(certFile, keyFile); err == nil {
			t.Errorf("REST with client certificate %q: got %d, want a failed handshake", who, code)
		}
	}
	waitForLog(t, p, "client didn't provide a certificate")
	waitForLog(t, p, "x509: certificate signed by unknown authority")
	base := []string{"model", "--addr", p.grpcAddr, "--tls-ca", f["ca.pem"], "--timeout", "5s"}
	if out := runClient(t, client, append(base, "--tls-cert", f["client.crt"], "--tls-key", f["client.key"])...); !strings.Contains(out, "version") {
		t.Errorf("client model with a client certificate: got %q", out)
	}
	// The exec probe of a checker that has a certificate.
	if out := runClient(t, client, "health", "--addr", p.grpcAddr, "--tls-ca", f["ca.pem"], "--tls-cert", f["client.crt"], "--tls-key", f["client.key"]); out != "SERVING\n" {
		t.Errorf("client health with a client certificate: got %q, want SERVING", out)
	}
	// A probe that dials 127.0.0.1 and checks a name the certificate
	// holds (localhost), and one that checks a name it does not hold.
	if out := runClient(t, client, "health", "--addr", p.grpcAddr, "--tls-server-name", "localhost", "--tls-ca", f["ca.pem"], "--tls-cert", f["client.crt"], "--tls-key", f["client.key"]); out != "SERVING\n" {
		t.Errorf("client health --tls-server-name localhost: got %q, want SERVING", out)
	}
	if out, err := exec.Command(client, "health", "--addr", p.grpcAddr, "--tls-server-name", "claims.default.svc", "--tls-ca", f["ca.pem"], "--tls-cert", f["client.crt"], "--tls-key", f["client.key"], "--timeout", "5s").CombinedOutput(); err == nil || !strings.Contains(string(out), "give --tls-server-name with a name it holds") {
		t.Errorf("client health --tls-server-name claims.default.svc: got %v, %q; want a failure naming --tls-server-name", err, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		// The refusal reaches the client as the server's alert, or as a
		// broken pipe when the client had written first.
		{nil, "give --tls-cert and --tls-key"},
		{[]string{"--tls-cert", f["stranger.crt"], "--tls-key", f["stranger.key"]}, "--tls-cert must be valid and signed by a CA of the server's --tls-client-ca"},
		{[]string{"--tls-cert", f["expired.crt"], "--tls-key", f["expired.key"]}, "--tls-cert must be valid and signed by a CA of the server's --tls-client-ca"},
	} {
		out, err := exec.Command(client, append(base, tc.args...)...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("client model %q: got %v, %q; want a failure with %q", tc.args, err, out, tc.want)
		}
	}
	// The CA file replaced by the other CA's: within a few seconds, with
	// no restart, the stranger is served and the first client refused.
	writeFiles(t, dir, map[string][]byte{"ca.pem": other.PEM})
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, err := restGet(f["stranger.crt"], f["stranger.key"])
		if err == nil && code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stranger is still refused 10s after the CA file changed: %d, %v\n%s", code, err, p.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitForLog(t, p, "client CA file reloaded")
	if code, err := restGet(f["client.crt"], f["client.key"]); err == nil {
		t.Errorf("REST with the first CA's client certificate after the CA file changed: got %d, want a failed handshake", code)
	}
}

// TestAccessLogSettings runs the server binary with the access log off,
// where a call logs no line, and with a rate of one line a second, where
// a burst of calls logs one and reports the others dropped.
func TestAccessLogSettings(t *testing.T) {
	server, _ := binaries(t)
	off := startServer(t, server, "--access-log=false")
	if _, err := grpcClient(t, off.grpcAddr, nil).GetModel(ctxT(t), &claimsv1.GetModelRequest{}); err != nil {
		t.Fatal(err)
	}
	off.stop(t)
	if strings.Contains(off.logs.String(), `"msg":"rpc"`) {
		t.Errorf("--access-log=false logged a call:\n%s", off.logs.String())
	}
	limited := startServer(t, server, "--access-log-max-rate", "1")
	c := grpcClient(t, limited.grpcAddr, nil)
	for range 20 {
		if _, err := c.GetModel(ctxT(t), &claimsv1.GetModelRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	// Stopped at once: the lines dropped in its last second are reported
	// as it exits. Every call is logged or counted.
	limited.stop(t)
	logged, dropped := 0, 0
	for _, line := range strings.Split(limited.logs.String(), "\n") {
		var rec struct {
			Msg     string
			Dropped int
		}
		json.Unmarshal([]byte(line), &rec)
		switch {
		case rec.Msg == "rpc":
			logged++
		case strings.HasPrefix(rec.Msg, "access log lines dropped"):
			dropped += rec.Dropped
		}
	}
	if logged+dropped != 20 || dropped == 0 {
		t.Errorf("20 calls at one line a second: got %d logged and %d reported dropped, want some dropped and every call logged or dropped", logged, dropped)
	}
}

// TestExpiredCertificateWarns starts a server on a certificate that
// expired: it serves, and says in its log that clients will refuse it.
func TestExpiredCertificateWarns(t *testing.T) {
	server, _ := binaries(t)
	dir := t.TempDir()
	certPEM, keyPEM := apitest.SelfSignedFor(t, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, certPEM, 0o600)
	os.WriteFile(keyFile, keyPEM, 0o600)
	p := startServer(t, server, "--tls-cert", certFile, "--tls-key", keyFile)
	waitForLog(t, p, `"msg":"the TLS certificate is not valid now: clients will refuse it"`)
}

// TestAccessLogNamesThePeer makes a gRPC call, a REST call and a REST
// stream, each from a connection whose local address the test knows: the
// access log gives each call its transport and that address, and neither a
// gRPC client nor an HTTP one can name another address through metadata.
func TestAccessLogNamesThePeer(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server)
	var mu sync.Mutex
	var locals []string // the local addresses of the test's connections
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			mu.Lock()
			locals = append(locals, c.LocalAddr().String())
			mu.Unlock()
		}
		return c, err
	}
	const spoof = "203.0.113.7:4242"
	conn := grpcConn(t, p.grpcAddr, grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) { return dial(ctx, "tcp", addr) }))
	ctx := metadata.AppendToOutgoingContext(ctxT(t), "x-claims-rest-peer", spoof)
	if _, err := claimsv1.NewClaimServiceClient(conn).GetModel(ctx, &claimsv1.GetModelRequest{}); err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{DialContext: dial}}
	defer hc.CloseIdleConnections()
	for _, path := range []string{"/v1/model", "/v1/classify:stream"} {
		method, body := http.MethodGet, ""
		if path != "/v1/model" {
			method, body = http.MethodPost, `{"text": "Police warned of more attacks."}`
		}
		req, _ := http.NewRequestWithContext(ctxT(t), method, "http://"+p.httpAddr+path, strings.NewReader(body))
		req.Header.Set("Grpc-Metadata-X-Claims-Rest-Peer", spoof)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: got %d, want 200", method, path, resp.StatusCode)
		}
	}
	p.stop(t) // the access log is flushed at exit
	type line struct{ Msg, Method, Transport, Peer string }
	var got []line
	for _, l := range apitest.RPCLines(p.logs.String()) {
		got = append(got, line{Method: l.Method, Transport: l.Transport, Peer: l.Peer})
	}
	mu.Lock()
	defer mu.Unlock()
	if len(locals) != 2 {
		t.Fatalf("the test made %d connections, want 2 (one gRPC, one HTTP kept alive)", len(locals))
	}
	want := []line{
		{Method: "GetModel", Transport: "grpc", Peer: locals[0]},
		{Method: "GetModel", Transport: "rest", Peer: locals[1]},
		{Method: "ClassifyStream", Transport: "rest", Peer: locals[1]},
	}
	if !slices.Equal(got, want) {
		t.Errorf("access log: got %+v, want %+v", got, want)
	}
}

// TestRequestIDsBehindAProxy runs the server with --trusted-proxies
// naming the test's own address, as a load balancer's: a gRPC call and a
// REST call each get their request ID back, and the access log has it
// and the client the proxy named in X-Forwarded-For.
func TestRequestIDsBehindAProxy(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--trusted-proxies", "127.0.0.1")
	ctx := metadata.AppendToOutgoingContext(ctxT(t), "x-request-id", "grpc-call-1", "x-forwarded-for", "198.51.100.1")
	var header metadata.MD
	if _, err := claimsv1.NewClaimServiceClient(grpcConn(t, p.grpcAddr)).GetModel(ctx, &claimsv1.GetModelRequest{}, grpc.Header(&header)); err != nil {
		t.Fatal(err)
	}
	if got := header.Get("x-request-id"); !slices.Equal(got, []string{"grpc-call-1"}) {
		t.Errorf("gRPC: got x-request-id %q, want [grpc-call-1]", got)
	}
	req, _ := http.NewRequestWithContext(ctxT(t), http.MethodGet, "http://"+p.httpAddr+"/v1/model", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.66, 198.51.100.2")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	restID := resp.Header.Get("X-Request-Id")
	if resp.StatusCode != http.StatusOK || len(restID) != 26 {
		t.Fatalf("REST: got %d and X-Request-Id %q, want 200 and a new ID", resp.StatusCode, restID)
	}
	p.stop(t) // the access log is flushed at exit
	type line struct{ Msg, Transport, Peer, ID string }
	var got []line
	for _, l := range apitest.RPCLines(p.logs.String()) {
		got = append(got, line{"rpc", l.Transport, l.Peer, l.XRequestID})
	}
	want := []line{
		{"rpc", "grpc", "198.51.100.1", "grpc-call-1"},
		{"rpc", "rest", "198.51.100.2", restID},
	}
	if !slices.Equal(got, want) {
		t.Errorf("access log: got %+v, want %+v", got, want)
	}
	// A prefix of length 0 believes every client: the log says so.
	p = startServer(t, server, "--trusted-proxies", "10.0.0.0/8,0.0.0.0/0")
	waitForLog(t, p, `"msg":"--trusted-proxies holds 0.0.0.0/0 or ::/0: any client of that address family can name another in X-Forwarded-For`)
}

// TestDebugListener runs the server with --debug-addr: a one-second CPU
// profile and the goroutine dump are served there, and nothing of the
// kind on the HTTP listener.
func TestDebugListener(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--debug-addr", "127.0.0.1:0")
	for _, tt := range []struct {
		addr, path string
		status     int
		body       string
	}{
		{p.debug, "/debug/pprof/profile?seconds=1", http.StatusOK, ""},
		{p.debug, "/debug/pprof/goroutine?debug=1", http.StatusOK, "goroutine profile: total"},
		{p.httpAddr, "/debug/pprof/", http.StatusNotFound, ""},
	} {
		resp, err := http.Get("http://" + tt.addr + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.body) || tt.status == http.StatusOK && len(body) == 0 {
			t.Errorf("GET %s%s: got %d, %d bytes; want %d containing %q", tt.addr, tt.path, resp.StatusCode, len(body), tt.status, tt.body)
		}
	}
	p.stop(t)
}

// TestOptionsStar sends OPTIONS *, HTTP's server-wide ping, to every HTTP
// listener, declaring a body it never sends: each answers 200 at once, and
// the stop after it is not held (net/http's own answer read the body first,
// without bound, and held the stop for its whole timeout).
func TestOptionsStar(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--health-addr", "127.0.0.1:0", "--debug-addr", "127.0.0.1:0")
	for _, addr := range []string{p.httpAddr, p.health, p.debug} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Errorf("OPTIONS * on %s: %v, want an answer at once", addr, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("OPTIONS * on %s: got %d, want 200", addr, resp.StatusCode)
		}
	}
	start := time.Now()
	p.stop(t)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the stop took %v, want well under the 10 s shutdown timeout", d)
	}
}

// TestKeepaliveMaxAge runs the server with --keepalive-max-age: a client
// that calls on one connection, then again after the age has passed, is
// told to go away and makes its second call on a new connection; a call
// under way when the age comes finishes within the grace.
func TestKeepaliveMaxAge(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--keepalive-max-age", "300ms", "--keepalive-max-age-grace", "5s", "--call-timeout", "3s")
	var dials atomic.Int32
	conn := grpcConn(t, p.grpcAddr, grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	}))
	gc := claimsv1.NewClaimServiceClient(conn)
	if _, err := gc.GetModel(ctxT(t), &claimsv1.GetModelRequest{}); err != nil {
		t.Fatal(err)
	}
	// A call whose message comes only after the age has passed: the
	// connection is going away, and the call still ends well.
	cs, err := conn.NewStream(ctxT(t), &grpc.StreamDesc{ClientStreams: true, ServerStreams: true}, "/claims.v1.ClaimService/Classify")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(800 * time.Millisecond)
	if err := cs.SendMsg(&claimsv1.ClassifyRequest{Text: "The airport reopened."}); err != nil {
		t.Fatalf("the call under way: %v", err)
	}
	cs.CloseSend()
	if err := cs.RecvMsg(new(claimsv1.ClassifyResponse)); err != nil {
		t.Errorf("the call under way when the connection aged: %v", err)
	}
	if _, err := gc.GetModel(ctxT(t), &claimsv1.GetModelRequest{}); err != nil {
		t.Fatal(err)
	}
	if n := dials.Load(); n < 2 {
		t.Errorf("got %d connections, want a new one after --keepalive-max-age", n)
	}
}

// TestKeepaliveMaxAgeSparesREST: --keepalive-max-age ages the public
// gRPC listener's connections only, not the gateway's in-process one: a
// REST stream that lasts well past the age and its grace gets every
// result.
func TestKeepaliveMaxAgeSparesREST(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--keepalive-max-age", "200ms", "--keepalive-max-age-grace", "200ms")
	pr, pw := io.Pipe()
	const lines = 12
	go func() {
		for range lines {
			if _, err := pw.Write([]byte(`{"text": "Police warned of more attacks."}` + "\n")); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		pw.Close()
	}()
	req, _ := http.NewRequestWithContext(ctxT(t), http.MethodPost, "http://"+p.httpAddr+"/v1/classify:stream", pr)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(body), `{"result"`); resp.StatusCode != http.StatusOK || n != lines || strings.Contains(string(body), `"error"`) {
		t.Errorf("got %d with %d results: %s; want 200 and %d results", resp.StatusCode, n, body, lines)
	}
}

// TestTrainTokenFile runs the server with --train-token-file: Train takes
// the file's token (the client's --token-file, REST's bearer header);
// tokens written in the file's place replace it within about a second,
// with no restart, the old one still taken while the file lists it; no
// token shows in the log; and a file that holds no token stops the
// server at start.
func TestTrainTokenFile(t *testing.T) {
	server, client := binaries(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	os.WriteFile(file, []byte("first-t0k3n\n"), 0o600)
	p := startServer(t, server, "--train-token-file", file)
	if !strings.Contains(p.logs.String(), "Train and Forget require the bearer token") {
		t.Errorf("the startup log does not say Train needs the token:\n%s", p.logs.String())
	}
	data := filepath.Join(dir, "t.jsonl")
	os.WriteFile(data, []byte(`{"text": "They denied it.", "label": "denial"}`+"\n"), 0o600)
	if out, err := exec.Command(client, "train", "--addr", p.grpcAddr, "--data", data, "--token-file", file).CombinedOutput(); err != nil {
		t.Fatalf("client train --token-file: %v\n%s", err, out)
	}
	train := func(token string) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+p.httpAddr+"/v1/train", strings.NewReader(`{"examples": [{"text": "They denied it again.", "label": "denial"}]}`))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := train("first-t0k3n"); got != http.StatusOK {
		t.Errorf("REST Train with the file's token: got %d, want 200", got)
	}
	// The secret is rotated as Kubernetes does (a new file renamed into
	// the old one's place): first the new token and the old one, then
	// the new one alone.
	rotate := func(data string) {
		t.Helper()
		if err := os.WriteFile(file+".new", []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(file+".new", file); err != nil {
			t.Fatal(err)
		}
	}
	// The file is looked at once a second at most: wait for the change.
	waitFor := func(token string, want int, what string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for train(token) != want {
			if time.Now().After(deadline) {
				t.Fatalf("%s: never", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	rotate("second-t0k3n\nfirst-t0k3n\n")
	waitFor("second-t0k3n", http.StatusOK, "the new token taken")
	if got := train("first-t0k3n"); got != http.StatusOK {
		t.Errorf("REST Train with the old token during the rotation: got %d, want 200", got)
	}
	rotate("second-t0k3n\n")
	waitFor("first-t0k3n", http.StatusUnauthorized, "the old token dropped")
	if got := train("second-t0k3n"); got != http.StatusOK {
		t.Errorf("REST Train with the new token after the rotation: got %d, want 200", got)
	}
	waitForLog(t, p, "train token file reloaded")
	if strings.Contains(p.logs.String(), "t0k3n") {
		t.Errorf("the log shows a token:\n%s", p.logs.String())
	}

	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	out, err := exec.Command(server, "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--train-token-file", empty).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--train-token-file: "+empty+" holds no token: not a bearer token") {
		t.Errorf("a token file with no token: got %v\n%s", err, out)
	}
}
