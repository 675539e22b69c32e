package api

import (
	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

// Codec is grpc's proto codec, with a look at the messages that list
// examples or sentences before they are decoded: grpc decodes a message
// before any handler runs, and a 16 MiB message of empty examples would
// become millions of messages, some 40 times its size in memory, only to
// be refused by the service's count. A message that lists more than the
// limits is decoded with only the first limit+1 of them, so that the
// service refuses it as before, and the number it listed is noted in its
// unknown fields (see listed), so that the refusal names it. Install it
// with grpc.ForceServerCodecV2. A Codec is safe for concurrent use, as
// grpc uses it for every call at once; it must not be changed once
// installed.
type Codec struct {
	base   encoding.CodecV2
	limits Limits
}

// NewCodec returns the Codec for limits' MaxExamples and MaxSentences.
func NewCodec(limits Limits) Codec {
	return Codec{base: encoding.GetCodecV2(grpcproto.Name), limits: limits}
}

// Name implements encoding.CodecV2.
func (c Codec) Name() string { return c.base.Name() }

// Marshal implements encoding.CodecV2.
func (c Codec) Marshal(v any) (mem.BufferSlice, error) { return c.base.Marshal(v) }

// Unmarshal implements encoding.CodecV2.
func (c Codec) Unmarshal(data mem.BufferSlice, v any) error {
	_, field, limit := c.limits.Listing(v)
	// Each element takes at least two bytes (its tag and length).
	if limit <= 0 || data.Len() < 2*(limit+1) {
		return c.base.Unmarshal(data, v)
	}
	b := data.Materialize()
	kept, n := keepFirst(b, field, limit+1)
	if n <= limit {
		return c.base.Unmarshal(data, v)
	}
	m := v.(proto.Message)
	if err := proto.Unmarshal(kept, m); err != nil {
		return err
	}
	r := m.ProtoReflect()
	r.SetUnknown(protowire.AppendVarint(protowire.AppendTag(r.GetUnknown(), listedField, protowire.VarintType), uint64(n)))
	return nil
}

// Listing returns the repeated field of request v that the limits bound,
// by its JSON name and field number, and its bound: examples for Train,
// Forget and Evaluate, sentences for Classify and ClassifyStream. For
// other messages limit is 0. Codec and the REST gateway look at it before
// a request is decoded.
func (l Limits) Listing(v any) (name string, field protowire.Number, limit int) {
	switch v.(type) {
	case *claimsv1.TrainRequest, *claimsv1.ForgetRequest, *claimsv1.EvaluateRequest:
		return "examples", 1, l.MaxExamples
	case *claimsv1.ClassifyRequest:
		return "sentences", 2, l.MaxSentences
	case *claimsv1.ClassifyStreamRequest:
		return "sentences", 3, l.MaxSentences
	}
	return "", 0, 0
}

// listedField is the field number under which Codec notes how many
// elements a message listed: the highest a field may have, which no
// message of the API uses.
const listedField = protowire.MaxValidNumber

// keepFirst returns the wire-format message b with only the first keep
// records of field (length-delimited), and how many b holds. A malformed
// b is returned whole, with a count of 0, for proto to report.
func keepFirst(b []byte, field protowire.Number, keep int) ([]byte, int) {
	var out []byte
	n := 0
	for p := b; len(p) > 0; {
		num, typ, tn := protowire.ConsumeTag(p)
		if tn < 0 {
			return b, 0
		}
		vn := protowire.ConsumeFieldValue(num, typ, p[tn:])
		if vn < 0 {
			return b, 0
		}
		rec := p[:tn+vn]
		p = p[tn+vn:]
		if num == field && typ == protowire.BytesType {
			if n++; n > keep {
				continue
			}
		}
		out = append(out, rec...)
	}
	return out, n
}

// listed returns how many elements m listed when Codec cut them short,
// or n, the number it holds, when it did not. Codec's note is the last
// field of its number: one a client sent itself comes before it. The
// service asks only of a message over its limit, which Codec has noted
// (a client's own note on any other message is never read), and the
// result is never below n.
func listed(m proto.Message, n int) int {
	if m == nil {
		return n
	}
	out := n
	for u := m.ProtoReflect().GetUnknown(); len(u) > 0; {
		num, typ, tn := protowire.ConsumeTag(u)
		if tn < 0 {
			break
		}
		vn := protowire.ConsumeFieldValue(num, typ, u[tn:])
		if vn < 0 {
			break
		}
		if num == listedField && typ == protowire.VarintType {
			if v, _ := protowire.ConsumeVarint(u[tn:]); v <= 1<<40 {
				out = int(v)
			}
		}
		u = u[tn+vn:]
	}
	return max(out, n)
}
