package gateway

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/claimsvc/claims/server/internal/admit"
)

// admitCalls holds each call of a unary route in a slot of gate before
// anything reads its body, and refuses the call when the gate is full:
// 429 with a Retry-After header and the gate's status (a RetryInfo
// detail) as its body, the body unread. client gives a request's client
// (its address, or the one a trusted proxy names), for a gate that bounds
// one client's calls. The slot is given back by the server's interceptor
// once the handler returns (admit.Leave, before the answer is written),
// which sees it because the unary routes call the service in process
// (see Local); by dropBody before a refusal of the body is sent; or else
// when the call ends here. onRefuse, if not nil, is called with the
// gate's error for each call refused. The streaming route has a bound of
// its own and is not held.
func admitCalls(next http.Handler, gate *admit.Gate, client func(*http.Request) string, onRefuse func(error)) http.Handler {
	if !gate.Counts() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !unaryCall(r) {
			next.ServeHTTP(w, r)
			return
		}
		addr := ""
		if gate.MaxPerClient() > 0 {
			addr = client(r)
		}
		slot, err := gate.Enter(addr)
		if err != nil {
			if onRefuse != nil {
				onRefuse(err)
			}
			if readsBody(r) {
				defer dropBody(w, r)()
			}
			st := status.Convert(err)
			if d, ok := retryDelay(st); ok {
				w.Header().Set("Retry-After", d)
			}
			writeStatus(w, http.StatusTooManyRequests, st)
			return
		}
		defer slot.Leave()
		next.ServeHTTP(w, r.WithContext(admit.NewContext(r.Context(), slot)))
	})
}

// retryDelay returns the Retry-After value (whole seconds, rounded up)
// of st's google.rpc.RetryInfo detail, if it has one.
func retryDelay(st *status.Status) (string, bool) {
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			delay := max(ri.GetRetryDelay().AsDuration(), 0)
			return strconv.FormatInt(int64((delay+time.Second-1)/time.Second), 10), true
		}
	}
	return "", false
}

// retryDelayJSON is retryDelay for a status in its JSON form (a stream's
// error line).
func retryDelayJSON(raw json.RawMessage) (string, bool) {
	if !bytes.Contains(raw, []byte("google.rpc.RetryInfo")) {
		return "", false
	}
	var p spb.Status
	if protojson.Unmarshal(raw, &p) != nil {
		return "", false
	}
	return retryDelay(status.FromProto(&p))
}

// unaryCall reports whether r calls a unary route with its method (HEAD
// for a GET route included).
func unaryCall(r *http.Request) bool {
	if escapedSlash(r) {
		return false
	}
	switch allowed := allowedMethods(r.URL.Path); {
	case allowed == getHead:
		return r.Method == http.MethodGet || r.Method == http.MethodHead
	case allowed == http.MethodPost:
		return r.Method == http.MethodPost && r.URL.Path != "/v1/classify:stream"
	}
	return false
}

// writeStatus writes st as the gateway writes the status of a failed
// call: its JSON form, details included.
func writeStatus(w http.ResponseWriter, httpStatus int, st *status.Status) {
	b, err := protojson.MarshalOptions{EmitUnpopulated: true}.Marshal(st.Proto())
	if err != nil {
		writeError(w, httpStatus, st.Code(), st.Message())
		return
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(httpStatus)
	w.Write(b)
}
