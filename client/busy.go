package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// busyRetries is how many times a call the server refused as busy is sent
// again, and maxBusyDelay the longest wait before one.
const (
	busyRetries  = 3
	maxBusyDelay = 10 * time.Second
)

// retryBusy returns the dial option that sends a unary call again when
// the server refused it as busy: RESOURCE_EXHAUSTED with a
// google.rpc.RetryInfo detail, which the server sends only for a call it
// refused before reading it (too many calls in flight), so that sending
// it again is safe, a Train or Forget included. It waits the delay the
// server asks (at most 10 seconds), stretched by up to a half at random so
// that clients refused together do not come back together, and says so on
// stderr; after three retries, or once ctx is done (or would be before
// the wait ends), the call fails with the last refusal, which a Train or
// Forget reports as not applied (mayHaveApplied).
func retryBusy(stderr io.Writer) grpc.DialOption {
	return grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		for retry := 0; ; retry++ {
			err := invoker(ctx, method, req, reply, cc, opts...)
			delay, busy := busyDelay(err)
			if !busy || retry == busyRetries {
				return err
			}
			delay += rand.N(delay/2 + 1)
			if d, ok := ctx.Deadline(); ok && time.Until(d) < delay {
				return err // the call's --timeout ends first: no use waiting
			}
			if end, ok := ctx.Value(lineEnderKey{}).(func()); ok {
				end() // a progress bar's line, unfinished
			}
			fmt.Fprintf(stderr, "client: the server is busy (%s); trying again in %v\n", status.Convert(err).Message(), delay.Round(time.Millisecond))
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return err
			case <-t.C:
			}
		}
	})
}

// busyDelay returns the delay the server asks for before err's call is
// sent again, if err is its refusal of a call as busy (see retryBusy).
func busyDelay(err error) (time.Duration, bool) {
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.ResourceExhausted {
		return 0, false
	}
	if ri := retryInfo(st); ri != nil {
		return min(max(ri.GetRetryDelay().AsDuration(), 0), maxBusyDelay), true
	}
	return 0, false
}

// retryInfo returns st's google.rpc.RetryInfo detail, or nil.
func retryInfo(st *status.Status) *errdetails.RetryInfo {
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			return ri
		}
	}
	return nil
}

// lineEnderKey is the context key of the func that ends a line left
// unfinished on stderr (a progress bar's), for retryBusy to call before
// it writes.
type lineEnderKey struct{}

// withLineEnder returns ctx carrying end (see lineEnderKey).
func withLineEnder(ctx context.Context, end func()) context.Context {
	return context.WithValue(ctx, lineEnderKey{}, end)
}
