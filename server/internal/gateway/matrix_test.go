package gateway_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/claimsvc/claims/classifier"
	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/apitest"
	"github.com/claimsvc/claims/server/internal/badinput"
)

// matrixGateway serves the gateway with the matrix's limits and model.
func matrixGateway(t *testing.T, wrap func(net.Listener) net.Listener) (string, *classifier.Classifier) {
	t.Helper()
	model, err := badinput.NewModel()
	if err != nil {
		t.Fatal(err)
	}
	return serveGateway(t, model, badinput.Limits(), api.Auth{Open: true}, nil, wrap), model
}

// checkError checks an error response: status, JSON body with the code and
// a message containing msg.
func checkError(t *testing.T, name string, gotStatus int, body []byte, status int, code codes.Code, msg string) {
	t.Helper()
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err != nil {
		t.Errorf("%s: body %.200q is not a JSON error: %v", name, body, err)
		return
	}
	if gotStatus != status || codes.Code(eb.Code) != code || !strings.Contains(eb.Message, msg) {
		t.Errorf("%s: got %d %s %q, want %d %s containing %q", name, gotStatus, codes.Code(eb.Code), eb.Message, status, code, msg)
	}
}

// TestRESTBadInputMatrix runs the bad-input matrix over REST: each case's
// HTTP status, error code and message, and that the model is unchanged.
func TestRESTBadInputMatrix(t *testing.T) {
	url, model := matrixGateway(t, nil)
	before := model.Info()
	for _, c := range badinput.Cases() {
		body, err := c.Body()
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		status, resp := post(t, url+c.Path(), body, nil)
		if c.RESTMsg() == "" {
			t.Errorf("%s: the matrix gives no message to check", c.Name)
		}
		checkError(t, c.Name, status, resp, c.HTTP, c.RESTCode(), c.RESTMsg())
		apitest.SameModel(t, c.Name, before, model)
	}
}

// countingListener counts the bytes the server reads from each
// connection, by the client's address.
type countingListener struct {
	net.Listener
	read *sync.Map // client address -> *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	n, _ := l.read.LoadOrStore(c.RemoteAddr().String(), new(atomic.Int64))
	return countingConn{c, n.(*atomic.Int64)}, nil
}

// bytesRead returns what the server has read from the client at addr.
func (l countingListener) bytesRead(addr net.Addr) int64 {
	n, ok := l.read.Load(addr.String())
	if !ok {
		return 0
	}
	return n.(*atomic.Int64).Load()
}

type countingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// readResponse reads one HTTP response from conn.
func readResponse(t *testing.T, conn net.Conn) (int, []byte) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	return resp.StatusCode, b
}

// TestREST30MBBody sends a 30 MB body to each route, declared with
// Content-Length and chunked. It must be refused with 413 before it is
// read into memory: the server reads at most the limit (4 MiB) plus
// buffers, never the 30 MB.
func TestREST30MBBody(t *testing.T) {
	counter := countingListener{read: new(sync.Map)}
	url, model := matrixGateway(t, func(l net.Listener) net.Listener { counter.Listener = l; return counter })
	host := strings.TrimPrefix(url, "http://")
	before := model.Info()
	const size = 30 << 20
	const limit = 4 << 20
	msg := fmt.Sprintf("request body exceeds the limit of %d bytes", limit)

	for _, path := range []string{"/v1/classify", "/v1/train", "/v1/forget", "/v1/evaluate", "/v1/classify:stream"} {
		// Content-Length: answered from the header; the body is never sent.
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", path, size)
		status, body := readResponse(t, conn)
		checkError(t, path+" Content-Length", status, body, http.StatusRequestEntityTooLarge, codes.ResourceExhausted, msg)
		if n := counter.bytesRead(conn.LocalAddr()); n > 4<<10 {
			t.Errorf("%s Content-Length: server read %d bytes", path, n)
		}
		conn.Close()

		// Chunked: a JSON string that never ends is streamed until the
		// server answers; it must stop reading soon after the limit.
		conn, err = net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", path)
		sent := make(chan int64, 1)
		go func() {
			const chunkSize = 64 << 10
			chunk := fmt.Sprintf("%x\r\n%s\r\n", chunkSize, strings.Repeat("a", chunkSize))
			n := int64(chunkSize)
			conn.SetWriteDeadline(time.Now().Add(20 * time.Second))
			first := `{"text": "` + strings.Repeat("a", chunkSize-len(`{"text": "`))
			if _, err := fmt.Fprintf(conn, "%x\r\n%s\r\n", len(first), first); err != nil {
				sent <- 0
				return
			}
			for n < size {
				if _, err := io.WriteString(conn, chunk); err != nil {
					break // the server answered and closed the connection
				}
				n += chunkSize
			}
			if n >= size {
				io.WriteString(conn, "0\r\n\r\n")
			}
			sent <- n
		}()
		status, body = readResponse(t, conn)
		conn.Close()
		n := <-sent
		checkError(t, path+" chunked", status, body, http.StatusRequestEntityTooLarge, codes.ResourceExhausted, msg)
		// The limit, plus what the server drains after answering (1 MiB
		// at most) and what the socket buffers hold: far below the 30 MB.
		if r := counter.bytesRead(conn.LocalAddr()); r > limit+(3<<20) {
			t.Errorf("%s chunked: server read %d bytes of %d sent (limit %d)", path, r, n, limit)
		}
	}
	apitest.SameModel(t, "30 MB body", before, model)
}

// TestRESTLabelNormalized: " Denial " trains the denial label over REST.
func TestRESTLabelNormalized(t *testing.T) {
	url, model := matrixGateway(t, nil)
	before := model.Info()
	status, body := post(t, url+"/v1/train", `{"examples": [{"text": "the spokesman flatly denied it", "label": " Denial "}]}`, nil)
	if status != http.StatusOK {
		t.Fatalf("got %d %s", status, body)
	}
	var resp struct {
		LabelCounts map[string]string `json:"labelCounts"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	if got, want := resp.LabelCounts["denial"], fmt.Sprint(before.Counts["denial"]+1); got != want || len(resp.LabelCounts) != len(before.Labels) {
		t.Errorf("got counts %v, want denial %s and the same %d labels", resp.LabelCounts, want, len(before.Labels))
	}
	status, body = post(t, url+"/v1/forget", `{"examples": [{"text": "the spokesman flatly denied it", "label": "DENIAL"}]}`, nil)
	if status != http.StatusOK {
		t.Fatalf("forget: got %d %s", status, body)
	}
	if got := model.Info(); got.Counts["denial"] != before.Counts["denial"] {
		t.Errorf("after forget: got %v", got.Counts)
	}
}

// TestRESTDuplicateExamples: duplicates are counted; Forget must be called
// as many times; one more is 404 and nothing goes negative.
func TestRESTDuplicateExamples(t *testing.T) {
	url, model := matrixGateway(t, nil)
	before := model.Info()
	dup := `{"text": "sirens sounded across the capital", "label": "warning"}`
	status, body := post(t, url+"/v1/train", `{"examples": [`+dup+`, `+dup+`]}`, nil)
	if status != http.StatusOK || !strings.Contains(string(body), `"examplesApplied":"2"`) {
		t.Fatalf("train: got %d %s", status, body)
	}
	if got := model.Info().Counts["warning"]; got != before.Counts["warning"]+2 {
		t.Errorf("warning: got %d, want %d", got, before.Counts["warning"]+2)
	}
	v := model.Info()
	status, body = post(t, url+"/v1/forget", `{"examples": [`+dup+`, `+dup+`, `+dup+`]}`, nil)
	checkError(t, "forget 3 of 2", status, body, http.StatusNotFound, codes.NotFound, "examples[2].text: example was not learned")
	apitest.SameModel(t, "forget 3 of 2", v, model)
	for i := range 2 {
		if status, body := post(t, url+"/v1/forget", `{"examples": [`+dup+`]}`, nil); status != http.StatusOK {
			t.Fatalf("forget %d: got %d %s", i+1, status, body)
		}
	}
	v = model.Info()
	status, body = post(t, url+"/v1/forget", `{"examples": [`+dup+`]}`, nil)
	checkError(t, "third forget", status, body, http.StatusNotFound, codes.NotFound, "example was not learned")
	apitest.SameModel(t, "third forget", v, model)
	if got := model.Info(); got.Examples != before.Examples || got.Counts["warning"] != before.Counts["warning"] {
		t.Errorf("after forgetting both: got %v, want %v", got.Counts, before.Counts)
	}
}

// TestRESTStreamBadBody: a stream body that cannot be decoded is reported
// to the client (grpc-gateway's generated handler would end the stream as
// if the body had ended, answering 200 with no sign of the problem).
func TestRESTStreamBadBody(t *testing.T) {
	url, model := matrixGateway(t, nil)
	before := model.Info()
	// The first request is bad: nothing was sent yet, so a 400.
	status, body := post(t, url+"/v1/classify:stream", `{"id": "a", "text": 5}`+"\n", nil)
	checkError(t, "bad first request", status, body, http.StatusBadRequest, codes.InvalidArgument, "stream request 1: ")
	if !strings.Contains(string(body), "invalid value for string field text: 5") {
		t.Errorf("bad first request: %s does not name the problem", body)
	}
	// A later request is bad: the earlier results, then an error line.
	status, body = post(t, url+"/v1/classify:stream", `{"id": "a", "text": "the airport reopened"}`+"\n"+`{"id": "b", "text": `+"\n", nil)
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if status != http.StatusOK || len(lines) != 2 || !strings.Contains(lines[0], `"result"`) ||
		!strings.Contains(lines[1], `{"error":{"code":3,`) || !strings.Contains(lines[1], "stream request 2: unexpected EOF") {
		t.Errorf("bad second request: got %d %s", status, body)
	}
	// A request the server refuses ends the stream with its error, once
	// (with its status, as nothing was sent before it).
	// The body is the bare Status every other error answer has, as the
	// OpenAPI spec says.
	status, body = post(t, url+"/v1/classify:stream", `{"id": "a", "text": ""}`+"\n"+`{"id": "b", "text": "x"}`+"\n", nil)
	checkError(t, "refused first request", status, body, http.StatusBadRequest, codes.InvalidArgument, `request "a": text: text is empty`)
	if strings.Contains(string(body), `"error"`) || strings.Count(string(body), "\n") != 1 {
		t.Errorf("refused first request: got %q, want one Status line", body)
	}
	// Refused after a result: the result, then one error line.
	status, body = post(t, url+"/v1/classify:stream", `{"id": "a", "text": "x"}`+"\n"+`{"id": "b", "text": ""}`+"\n", nil)
	lines = strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
	if status != http.StatusOK || len(lines) != 2 || !strings.Contains(lines[0], `"result"`) ||
		!strings.HasPrefix(lines[1], `{"error":{"code":3,`) || !strings.Contains(lines[1], `request \"b\": text: text is empty`) {
		t.Errorf("refused second request: got %d %q", status, body)
	}
	apitest.SameModel(t, "stream", before, model)
}
