package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/claimsvc/claims/classifier"
)

// invalid returns an INVALID_ARGUMENT status naming the field at fault
// (see badRequest).
func invalid(field, format string, args ...any) error {
	return badRequest(field, fmt.Sprintf(format, args...))
}

// badRequest returns an INVALID_ARGUMENT status whose message is field,
// a colon and description, with a google.rpc.BadRequest detail that names
// the field and describes the fault apart, for programs to read.
func badRequest(field, description string) error {
	st := status.New(codes.InvalidArgument, field+": "+description)
	if d, err := st.WithDetails(&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: field, Description: description}}}); err == nil {
		st = d
	}
	return st.Err()
}

// persistStalledRetry is the delay a change refused for a stalled save
// asks its client to wait before it sends the change again.
const persistStalledRetry = 10 * time.Second

// SaveStalledReason is the reason of the google.rpc.ErrorInfo detail
// (domain ErrorDomain) of an UNAVAILABLE the server sends because a save
// of the model has stalled, so that a client can tell it from a lost
// connection's: with a google.rpc.RetryInfo detail too, the call was
// refused and changed nothing; without one (the retry of a change still
// under way), whether the change was applied is not known yet.
const SaveStalledReason = "SAVE_STALLED"

// ErrorDomain is the domain of the server's google.rpc.ErrorInfo details.
const ErrorDomain = "claims.v1"

// saveStalled returns the UNAVAILABLE status of a call answered because a
// save has stalled, with msg; refused says that the call changed nothing,
// which a RetryInfo detail then says too.
func saveStalled(msg string, refused bool) error {
	details := []protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: SaveStalledReason, Domain: ErrorDomain}}
	if refused {
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(persistStalledRetry)})
	}
	st := status.New(codes.Unavailable, msg)
	if d, err := st.WithDetails(details...); err == nil {
		st = d
	}
	return st.Err()
}

// toStatus maps an error from the classifier to a gRPC status. It is the
// one place where library errors become codes. field prefixes the message
// with the request field the error is about ("text", "sentences", ...).
func toStatus(field string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	// The call's deadline or cancellation is no field's fault.
	if errors.Is(err, context.DeadlineExceeded) {
		return status.Error(codes.DeadlineExceeded, err.Error())
	}
	if errors.Is(err, context.Canceled) {
		return status.Error(codes.Canceled, err.Error())
	}
	var exErr *classifier.ExampleError
	if errors.As(err, &exErr) {
		field = fmt.Sprintf("%s[%d].%s", field, exErr.Index, exErr.Field)
		err = exErr.Err
	}
	var idxErr *classifier.IndexError
	if errors.As(err, &idxErr) {
		field = fmt.Sprintf("%s[%d]", field, idxErr.Index)
		err = idxErr.Err
	}
	msg := err.Error()
	if field != "" {
		msg = field + ": " + msg
	}
	switch {
	case errors.Is(err, classifier.ErrEmptyText),
		errors.Is(err, classifier.ErrInvalidUTF8),
		errors.Is(err, classifier.ErrControlChar),
		errors.Is(err, classifier.ErrEmptyLabel),
		errors.Is(err, classifier.ErrInvalidLabel),
		errors.Is(err, classifier.ErrUnknownLabel),
		errors.Is(err, classifier.ErrNoExamples),
		errors.Is(err, classifier.ErrTooManyLabels),
		errors.Is(err, classifier.ErrTooManyLabelsToScore),
		// Before ErrTooFewLabels, which it wraps: the examples alone are
		// at fault, whatever the model.
		errors.Is(err, classifier.ErrOneLabel):
		if field != "" {
			return badRequest(field, err.Error())
		}
		return status.Error(codes.InvalidArgument, msg)
	case errors.Is(err, classifier.ErrNotLearned):
		return status.Error(codes.NotFound, msg)
	case errors.Is(err, classifier.ErrTooFewLabels),
		errors.Is(err, classifier.ErrStaleFeatures),
		errors.Is(err, classifier.ErrModelFull),
		errors.Is(err, classifier.ErrTooManyFeatures),
		errors.Is(err, classifier.ErrTooManyLearned):
		return status.Error(codes.FailedPrecondition, msg)
	case errors.Is(err, classifier.ErrVersionChanged):
		return status.Error(codes.Aborted, msg)
	case errors.Is(err, classifier.ErrPersistStalled):
		// Nothing was done: safe to send again once the disk is back.
		// No field is at fault.
		return saveStalled(err.Error(), true)
	case errors.Is(err, classifier.ErrPersist):
		// The cause names server paths; it goes to the server's log
		// (see logPersistFailure), not to the client.
		return status.Error(codes.Internal, classifier.ErrPersist.Error())
	}
	return status.Error(codes.Internal, msg)
}
