package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

// limits are the server's request limits that decide how the client splits
// its input.
type limits struct {
	maxExamples  int // examples per Train, Forget or Evaluate
	maxMsgBytes  int // largest gRPC message the server receives
	maxTextBytes int // bytes of text per Classify request
	maxSentences int // sentences per Classify request
}

// defaultLimits are those of a server started without limit flags.
var defaultLimits = limits{maxExamples: 10000, maxMsgBytes: 16 << 20, maxTextBytes: 256 << 10, maxSentences: 2000}

// msgHeadroom is left free in every request for the fields besides the
// examples or sentences.
const msgHeadroom = 4 << 10

// serverLimits asks the server for its limits (GetModel), falling back to
// defaultLimits if it does not say.
func serverLimits(ctx context.Context, e *env) limits {
	cctx, cancel := e.common.callContext(ctx)
	defer cancel()
	m, err := e.client().GetModel(cctx, &claimsv1.GetModelRequest{})
	l := defaultLimits
	if err != nil || m.GetLimits() == nil {
		return l
	}
	sl := m.GetLimits()
	if v := int(sl.GetMaxExamples()); v > 0 {
		l.maxExamples = v
	}
	if v := int(sl.GetMaxGrpcReceiveBytes()); v > 0 {
		l.maxMsgBytes = v
	}
	if v := int(sl.GetMaxTextBytes()); v > 0 {
		l.maxTextBytes = v
	}
	if v := int(sl.GetMaxSentences()); v > 0 {
		l.maxSentences = v
	}
	return l
}

// span is the half-open range [lo, hi) of a batch.
type span struct{ lo, hi int }

// batchExamples splits exs into consecutive batches of at most maxCount
// examples whose encoded size stays under the message limit. An example
// too large for any message is a batch of its own; the server refuses it
// with its own error.
func batchExamples(exs []*claimsv1.Example, maxCount int, l limits) []span {
	maxCount = min(maxCount, l.maxExamples)
	budget := max(l.maxMsgBytes-msgHeadroom, 1)
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

// batchIndex matches the "examples[i]" a server error starts with, which
// counts within the request.
var batchIndex = regexp.MustCompile(`^examples\[(\d+)\]\.?`)

// batchError rewrites err, from the request for batch b of the examples
// read from file, so that it names the file's line instead of the index
// within the batch, and says what earlier batches already did ("applied",
// "forgotten").
func batchError(err error, file string, lines []int, b span, did string) error {
	st := status.Convert(err)
	msg := st.Message()
	if m := batchIndex.FindStringSubmatch(msg); m != nil {
		if i, aerr := strconv.Atoi(m[1]); aerr == nil && b.lo+i < b.hi {
			msg = fmt.Sprintf("%s line %d: %s", file, lines[b.lo+i], msg[len(m[0]):])
		}
	}
	if b.lo > 0 {
		msg = fmt.Sprintf("%s (the %d examples before line %d were %s; the rest were not sent)", msg, b.lo, lines[b.lo], did)
	}
	return status.Error(st.Code(), msg)
}

// chunk is a piece of the input text sent in one Classify request, at byte
// offset start of the input.
type chunk struct {
	start int
	text  string
}

// chunkText splits text at line breaks, which always end a sentence, into
// pieces within the server's limits on bytes and sentences per request
// (counting sentences with classifier.Segment, as the server does). A
// single line beyond the limits is a piece of its own, which the server
// refuses with its own error. Pieces of white space alone are left out,
// unless the text is nothing else (the server then says it is empty).
func chunkText(text string, l limits) []chunk {
	all := splitText(text, l)
	out := all[:0:0]
	for _, c := range all {
		if strings.TrimSpace(c.text) != "" {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return all[:1]
	}
	return out
}

// splitText is chunkText before blank pieces are left out.
func splitText(text string, l limits) []chunk {
	var out []chunk
	start, bytes, sentences := 0, 0, 0
	for pos := 0; pos < len(text); {
		end := len(text)
		if i := strings.IndexByte(text[pos:], '\n'); i >= 0 {
			end = pos + i + 1
		}
		line := text[pos:end]
		n := len(classifier.Segment(line))
		if bytes > 0 && (bytes+len(line) > l.maxTextBytes || sentences+n > l.maxSentences) {
			out = append(out, chunk{start, text[start:pos]})
			start, bytes, sentences = pos, 0, 0
		}
		bytes += len(line)
		sentences += n
		pos = end
	}
	if start < len(text) || len(out) == 0 {
		out = append(out, chunk{start, text[start:]})
	}
	return out
}

// chunkSentences splits pre-split sentences, in order, into requests
// within the server's limits.
func chunkSentences(sentences []string, l limits) [][]string {
	var out [][]string
	lo, bytes := 0, 0
	for i, s := range sentences {
		if i > lo && (i-lo == l.maxSentences || bytes+len(s) > l.maxTextBytes) {
			out = append(out, sentences[lo:i])
			lo, bytes = i, 0
		}
		bytes += len(s)
	}
	return append(out, sentences[lo:])
}
