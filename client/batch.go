package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

// limits are the server's request limits that decide how the client splits
// its input.
type limits struct {
	maxExamples  int  // examples per Train, Forget or Evaluate
	maxMsgBytes  int  // largest gRPC message the server receives
	maxTextBytes int  // bytes of text per Classify request or example
	maxSentences int  // sentences per Classify request
	textReported bool // whether maxTextBytes is the server's own figure
	reported     bool // whether the server reported its limits at all
	maxExplain   int  // largest explain, if the server reported its limits
	explainKnown bool // whether it did
	maxLabels    int  // labels the model may have, if the server reported it (else 0)
}

// defaultLimits returns those of a server started without limit flags.
func defaultLimits() limits {
	return limits{maxExamples: 10000, maxMsgBytes: 16 << 20, maxTextBytes: 256 << 10, maxSentences: 2000}
}

// msgHeadroom is left free in every request for the fields besides the
// examples or sentences.
const msgHeadroom = 4 << 10

// msgBudget is how many bytes of examples or sentences, encoded, one
// request may carry.
func (l limits) msgBudget() int { return max(l.maxMsgBytes-msgHeadroom, 1) }

// modelState is what the client knows of the model between two calls that
// may change it.
type modelState struct {
	known   bool
	version uint64
	total   int64           // examples
	labels  map[string]bool // the model's labels, when GetModel said
}

// serverModel asks the server for its limits and the model's state
// (GetModel). A server without GetModel (Unimplemented) leaves the
// defaults and an unknown state; any other failure is returned, so that a
// server that does not answer is waited for once, not before every call.
func serverModel(ctx context.Context, e *env) (limits, modelState, error) {
	l := defaultLimits()
	cctx, cancel := e.common.callContext(ctx)
	defer cancel()
	m, err := e.client().GetModel(cctx, &claimsv1.GetModelRequest{})
	if status.Code(err) == codes.Unimplemented && !httpAnswer(err) {
		return l, modelState{}, nil // a server older than GetModel
	}
	switch status.Code(err) {
	case codes.OK:
	case codes.DeadlineExceeded, codes.Canceled:
		// Bare, these say nothing of what was under way.
		st := status.Convert(err)
		return l, modelState{}, keepID(err, status.Error(st.Code(), st.Message()+" (asking the server for the model's limits, before sending anything)"))
	default:
		return l, modelState{}, err
	}
	state := modelState{known: true, version: m.GetVersion(), total: m.GetTotalExamples()}
	if len(m.GetLabels()) > 0 {
		state.labels = make(map[string]bool, len(m.GetLabels()))
		for _, l := range m.GetLabels() {
			state.labels[l] = true
		}
	}
	sl := m.GetLimits()
	if v := int(sl.GetMaxExamples()); v > 0 {
		l.maxExamples = v
	}
	if v := int(sl.GetMaxGrpcReceiveBytes()); v > 0 {
		l.maxMsgBytes = v
	}
	if v := int(sl.GetMaxTextBytes()); v > 0 {
		l.maxTextBytes, l.textReported = v, true
	}
	if v := int(sl.GetMaxSentences()); v > 0 {
		l.maxSentences = v
	}
	if sl != nil {
		l.maxExplain, l.explainKnown = int(sl.GetMaxExplain()), true
		l.reported = true
		l.maxLabels = int(sl.GetMaxLabels())
	}
	return l, state, nil
}

// span is the half-open range [lo, hi) of a batch.
type span struct{ lo, hi int }

// batchExamples splits exs into consecutive batches of at most maxCount
// examples whose encoded size stays under the message limit. An example
// too large for any message is a batch of its own; the server refuses it
// with its own error.
func batchExamples(exs []*claimsv1.Example, maxCount int, l limits) []span {
	maxCount = min(maxCount, l.maxExamples)
	budget := l.msgBudget()
	var out []span
	lo, size := 0, 0
	for i, ex := range exs {
		n := proto.Size(ex) + 8 // field tag and length prefix, generously
		if i > lo && (i-lo == maxCount || size+n > budget) {
			out = append(out, span{lo, i})
			lo, size = i, 0
		}
		size += n
	}
	if lo < len(exs) {
		out = append(out, span{lo, len(exs)})
	}
	return out
}

// outcome is what became of a Train or Forget whose call failed.
type outcome int

const (
	notApplied outcome = iota // refused, or the model shows it was not applied
	applied                   // the model shows it was applied although the call failed
	uncertain                 // it may or may not have been applied
)

// mayHaveApplied reports whether a Train or Forget that failed with err
// may have changed the model all the same: the call timed out, was
// cancelled or lost its connection, or failed in a way the server does
// not use for a request it refused before changing anything. A refusal
// as busy (see retryBusy) came before the server read the call, and so did
// the server's refusal of a change behind a stalled save (see
// saveStalled), which carries a google.rpc.RetryInfo detail.
func mayHaveApplied(err error) bool {
	if _, busy := busyDelay(err); busy {
		return false
	}
	if st := status.Convert(err); saveStalled(st) && hasRetryInfo(st) {
		return false
	}
	switch status.Code(err) {
	case codes.InvalidArgument, codes.NotFound, codes.FailedPrecondition, codes.AlreadyExists,
		codes.OutOfRange, codes.Unauthenticated, codes.PermissionDenied, codes.Unimplemented:
		return false
	}
	return true
}

// saveStalled reports whether st is the server's UNAVAILABLE for a save
// of the model that has stalled (a google.rpc.ErrorInfo detail of reason
// SAVE_STALLED, domain claims.v1, as the server's api package names
// them): the server answered, so there is no use waiting for it
// to be reachable, nor sending the call again at once. With a RetryInfo
// detail the change was refused; without one (the retry of a change still
// being saved) whether it was applied is not known.
func saveStalled(st *status.Status) bool {
	if st.Code() != codes.Unavailable {
		return false
	}
	for _, d := range st.Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok && ei.GetReason() == "SAVE_STALLED" && ei.GetDomain() == "claims.v1" {
			return true
		}
	}
	return false
}

// hasRetryInfo reports whether st carries a google.rpc.RetryInfo detail.
func hasRetryInfo(st *status.Status) bool { return retryInfo(st) != nil }

// checkApplied asks the model (GetModel) whether a change whose call
// failed was applied: before is the model's state before the call, and
// wantTotal its total examples had the change been applied. It uses a
// context of its own, since ctx may be why the call failed; why says what
// keeps an uncertain outcome uncertain. With wait, it waits for the server
// to be reachable, up to --timeout (see waitForReady).
func checkApplied(ctx context.Context, e *env, before modelState, wantTotal int64, wait bool) (o outcome, why string) {
	if !before.known {
		return uncertain, "the model's state before the call is not known"
	}
	ctx = context.WithoutCancel(ctx)
	if wait {
		ctx = withWaitForReady(ctx)
	}
	cctx, cancel := e.common.callContext(ctx)
	defer cancel()
	// Settled: a save the server began before the call failed shows.
	m, err := e.client().GetModel(cctx, &claimsv1.GetModelRequest{Settled: true})
	switch {
	case err != nil:
		return uncertain, fmt.Sprintf("the model could not be checked: %s", status.Convert(err).Message())
	case m.GetVersion() == before.version:
		return notApplied, ""
	case m.GetVersion() == before.version+1 && m.GetTotalExamples() == wantTotal:
		return applied, ""
	}
	return uncertain, fmt.Sprintf("the model changed meanwhile: version %d to %d, %d examples to %d",
		before.version, m.GetVersion(), before.total, m.GetTotalExamples())
}

// afterStall says how to learn, once a stalled save has ended, whether a
// batch was applied (did: "applied", "forgotten"), from the model's state
// before it and its total examples had it been: sending it again without
// checking could apply it twice.
func afterStall(before modelState, wantTotal int64, did string) string {
	if !before.known {
		return "once the disk is back, check the model (client model) before sending it again"
	}
	return fmt.Sprintf("once the disk is back, client model shows version %d with %d examples if it was %s, version %d if not: check which before sending it again", before.version+1, wantTotal, did, before.version)
}

// batchIndex matches the "examples[i]" a server error starts with, which
// counts within the request.
var batchIndex = regexp.MustCompile(`^examples\[(\d+)\]\.?`)

// batchReport is what became of the examples of a file sent in batches,
// up to the batch b whose call failed.
type batchReport struct {
	file    string
	lines   []int  // the file's line of each example
	b       span   // the failed batch
	did     string // what a batch that went through did: "applied", "forgotten"; "" for a job that changes nothing
	checked bool   // whether the outcome is what GetModel showed after the failure
	outcome outcome
	why     string // for an uncertain outcome
}

// failure is the error for a failed call that sent batch b of d (did:
// what a batch that went through did). If check is set, the failure left
// it open whether the batch was applied, and the model is asked
// (checkApplied): state is the model's before the call, want its total
// examples had the batch been applied.
func failure(ctx context.Context, e *env, d *examples, b span, did string, state modelState, want int64, check bool, err error) error {
	r := batchReport{file: d.file, lines: d.lines, b: b, did: did}
	if st := status.Convert(err); check && saveStalled(st) {
		// The server answered that a save has stalled: the check, which
		// waits for the save under way, would fail the same way. Either
		// this batch's own save stalled (no RetryInfo: the server does
		// not know yet whether it is applied), or the batch was sent
		// again after a first send timed out and the resend was refused
		// (with a RetryInfo), which says nothing of the first.
		r.outcome, r.checked = uncertain, true
		r.why = "the server's save of the model has stalled, with this batch in it or behind it; " + afterStall(state, want, did)
		if hasRetryInfo(st) {
			r.why = "its first send timed out, and the resend was refused behind a stalled save of the model; " + afterStall(state, want, did)
		} else {
			// The server's advice (send it again with the same
			// request_id) is not one the client can follow.
			err = keepID(err, status.Error(codes.Unavailable, "a save of the model has stalled (a stalled disk or volume?)"))
		}
		return r.error(err)
	}
	if check {
		// A call that lost its connection, and did not wait for the
		// server already (a retry that waited, or was sent again until
		// --timeout passed, ends in DEADLINE_EXCEEDED instead), may have
		// lost a server that is restarting: the check waits for it. So
		// the user waits for the server about one --timeout, whichever
		// calls do.
		// The server's own UNAVAILABLE for a stalled save says the
		// server was there.
		st := status.Convert(err)
		wait := st.Code() == codes.Unavailable && !saveStalled(st)
		// The check takes up to --timeout: say what the wait is for.
		wereDid := "were " + did
		if d.lines[b.lo] == d.lines[b.hi-1] {
			wereDid = "was " + did
		}
		switch {
		case ctx.Err() != nil:
			fmt.Fprintf(e.stderr, "interrupted: asking the server whether %s %s (Ctrl-C again to quit without knowing)\n", lineRange(d.lines[b.lo], d.lines[b.hi-1]), wereDid)
		case wait:
			fmt.Fprintf(e.stderr, "client: asking the server whether %s %s (waiting up to --timeout for it to be reachable)\n", lineRange(d.lines[b.lo], d.lines[b.hi-1]), wereDid)
		}
		r.outcome, r.why = checkApplied(ctx, e, state, want, wait)
		r.checked = true
	}
	return r.error(err)
}

// error rewrites err, the failed batch's error, so that it names the
// file's line instead of the index within the batch, and says what the
// batches up to it did. The gRPC code stays err's.
func (r batchReport) error(err error) error {
	st := status.Convert(err)
	msg := st.Message()
	if m := batchIndex.FindStringSubmatch(msg); m != nil {
		if i, aerr := strconv.Atoi(m[1]); aerr == nil && r.b.lo+i < r.b.hi {
			msg = fmt.Sprintf("%s line %d: %s", r.file, r.lines[r.b.lo+i], msg[len(m[0]):])
		}
	}
	if s := r.summary(); s != "" {
		msg += " (" + s + ")"
	}
	return keepID(err, status.Error(st.Code(), msg))
}

// summary says what the batches up to the failed one did, and what
// became of the failed one.
func (r batchReport) summary() string {
	n := len(r.lines)
	if r.did == "" {
		// A job that changes nothing prints its result once every batch
		// went through (eval's scores): a part of them would mislead.
		return fmt.Sprintf("%s %s not scored, of %d examples: scores are printed only for the whole file", r.lineRange(), wereN(r.b.hi-r.b.lo), n)
	}
	done := r.b.lo // examples applied before the failed batch
	if r.outcome == applied && r.b.lo == 0 {
		done = r.b.hi // the failed batch was the first: say it as one
	}
	var parts []string
	switch {
	case done == n:
		parts = append(parts, fmt.Sprintf("all %d examples were %s", n, r.did))
	case done > 0:
		parts = append(parts, fmt.Sprintf("the %s before line %d %s %s", examplesN(int64(done)), r.lines[done], wereN(done), r.did))
	case r.outcome == notApplied:
		parts = append(parts, "no example was "+r.did)
	}
	switch r.outcome {
	case notApplied:
		if r.b.lo > 0 {
			were := "were"
			if r.b.hi-r.b.lo == 1 {
				were = "was"
			}
			parts = append(parts, fmt.Sprintf("%s %s not", r.lineRange(), were))
		}
	case applied:
		if r.b.lo > 0 {
			parts[0] += fmt.Sprintf(", and %s too, although the call failed", r.lineRange())
		} else {
			parts[0] += ", although the call failed"
		}
	case uncertain:
		parts = append(parts, fmt.Sprintf("%s may or may not have been %s: %s", r.lineRange(), r.did, r.why))
	}
	if len(parts) > 0 && r.b.hi < n {
		parts = append(parts, "the rest were not sent")
	}
	return strings.Join(parts, "; ")
}

// wereN is "was" for one, else "were".
func wereN(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// lineRange names the failed batch's lines: "lines 2001–3000".
func (r batchReport) lineRange() string { return lineRange(r.lines[r.b.lo], r.lines[r.b.hi-1]) }

// lineRange names the lines from first to last: "lines 2001–3000", or
// "line 7".
func lineRange(first, last int) string {
	if first == last {
		return fmt.Sprintf("line %d", first)
	}
	return fmt.Sprintf("lines %d–%d", first, last)
}

// newRequestID returns a random request_id for one Train or Forget call,
// which makes sending it again safe: the server applies a request_id once.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// retryable reports whether a call that failed with err is worth sending
// again with its request_id: its answer may have been lost on the way (a
// deadline, a lost connection) rather than refused. The server's own
// UNAVAILABLE for a stalled save (see saveStalled) is not sent again at
// once: the save is not over.
func retryable(err error) bool {
	st := status.Convert(err)
	switch st.Code() {
	case codes.DeadlineExceeded:
		return true
	case codes.Unavailable:
		return !saveStalled(st)
	}
	return false
}

// sendRetrying calls send, a Train or Forget, with a fresh call context
// and one request_id, and again if it fails in a retryable way while ctx
// (the user's) is not done. Before the second call it calls before
// (which may end a progress bar) and says on stderr that what ("FILE
// lines 1–1000") is sent again. The second call carries if_version, the
// model's version before the first (state's, when known): a server that
// remembers the request_id answers as the first call did, and one that
// does not (it restarted) applies the call only if the model has not moved
// on, which it has if the first call was applied. A second call that
// finds the server unreachable too (it went out on a connection that the
// server going away then closed) is sent again, with the same request_id
// and if_version, after a pause (100 ms, doubling up to 1 s), until one
// --timeout has passed since the first UNAVAILABLE; then the last error
// is given as DEADLINE_EXCEEDED, as a call that waited for the server
// ends, so that the check of the batch waits no more (the user waits for
// an unreachable server about one --timeout in all). An interrupt during
// a pause ends it with CANCELED, as one during a call does. retried
// reports whether the call was sent again: the first may then have been
// applied, whatever the last one's error says.
func sendRetrying(ctx context.Context, e *env, what string, state modelState, before func(), send func(ctx context.Context, id string, ifVersion uint64) error) (retried bool, err error) {
	id := newRequestID()
	var ifVersion uint64
	var until time.Time // while the server is unreachable, sends go on until then
	pause := retryPause // between two sends that found it unreachable
	for {
		cctx, cancel := e.common.callContext(ctx)
		if !until.IsZero() {
			cctx, cancel = withDeadline(cctx, cancel, until)
		}
		err := send(cctx, id, ifVersion)
		cancel()
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return retried, err
		}
		if retried {
			// Still unreachable: after a pause (a server that answers
			// UNAVAILABLE at once is not hammered), the next call waits
			// for it, up to until.
			if status.Code(err) != codes.Unavailable || until.IsZero() {
				return retried, err
			}
			if time.Until(until) < pause {
				return retried, keepID(err, status.Errorf(codes.DeadlineExceeded, "%s (the server stayed unreachable for --timeout)", status.Convert(err).Message()))
			}
			select {
			case <-ctx.Done():
				return retried, status.FromContextError(ctx.Err()).Err()
			case <-time.After(pause):
			}
			pause = min(2*pause, time.Second)
			continue
		}
		before()
		if state.known {
			ifVersion = state.version
		}
		again := ""
		if status.Code(err) == codes.Unavailable {
			// A server restarting refuses connections for a moment: the
			// call waits for it (up to --timeout) instead of failing at
			// once.
			ctx, again = withWaitForReady(ctx), " (waiting up to --timeout for the server to be reachable)"
			until = time.Now().Add(e.common.timeout)
		}
		fmt.Fprintf(e.stderr, "client: %s: %s; sending again with the same request_id, which the server applies once%s\n", what, status.Code(err), again)
		retried = true
	}
}

// retryPause is the first pause between two sends of a batch that found
// the server unreachable; it doubles, up to a second.
const retryPause = 100 * time.Millisecond

// withDeadline returns ctx bounded by deadline too, and a cancel that
// also calls cancel, ctx's own.
func withDeadline(ctx context.Context, cancel context.CancelFunc, deadline time.Time) (context.Context, context.CancelFunc) {
	dctx, dcancel := context.WithDeadline(ctx, deadline)
	return dctx, func() { dcancel(); cancel() }
}

// waitForReadyKey is the context key that makes a call wait for the
// connection to be ready (grpc.WaitForReady), up to its deadline, instead
// of failing at once while the server cannot be reached.
type waitForReadyKey struct{}

// withWaitForReady returns ctx marked so that its calls wait for the
// connection (see waitForReady).
func withWaitForReady(ctx context.Context) context.Context {
	return context.WithValue(ctx, waitForReadyKey{}, true)
}

// waitForReady returns the dial option that makes a unary call whose
// context withWaitForReady marked wait for the connection to be ready:
// the second send of a Train or Forget after UNAVAILABLE, and the check
// of whether the first was applied, which both follow a server that went
// away and may be restarting.
func waitForReady() grpc.DialOption {
	return grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if ctx.Value(waitForReadyKey{}) != nil {
			opts = append(opts, grpc.WaitForReady(true))
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	})
}
