package api

import (
	"fmt"
	"path"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// UnknownMethod returns the handler of calls of methods a server does not
// have, for grpc.UnknownServiceHandler: it answers UNIMPLEMENTED with
// grpc's own message, and the interceptors, which grpc runs for it, log
// the call with the name it was made under and count it under the method
// "unknown" (a client could otherwise make a metric label of any name).
// services reports whether the server has a service of that name; it is
// called once per call.
func UnknownMethod(services func(name string) bool) grpc.StreamHandler {
	return func(_ any, ss grpc.ServerStream) error {
		full, _ := grpc.MethodFromServerStream(ss)
		service, method := "", full
		if i := strings.LastIndexByte(full, '/'); i >= 0 {
			service, method = strings.TrimPrefix(full[:i], "/"), full[i+1:]
		}
		if services(service) {
			return unknownMethodError{status.New(codes.Unimplemented, fmt.Sprintf("unknown method %v for service %v", method, service)), "unknown method"}
		}
		return unknownMethodError{status.New(codes.Unimplemented, fmt.Sprintf("unknown service %v", service)), "unknown service"}
	}
}

// unknownMethodError is UnknownMethod's UNIMPLEMENTED. The log gives
// short in place of its message, which holds the name a client sent
// whole (the log line's method has it, clipped).
type unknownMethodError struct {
	st    *status.Status
	short string
}

func (e unknownMethodError) Error() string              { return e.st.Err().Error() }
func (e unknownMethodError) GRPCStatus() *status.Status { return e.st }

// maxLoggedMethod bounds the name of an unknown method in the log.
const maxLoggedMethod = 128

// methodNames returns, for the call to fullMethod that ended with err,
// the method name to log and the method's metric label: the method's own
// name for both, or, for a method the server does not have, the whole
// name it was called by (its first 128 bytes, invalid UTF-8 replaced)
// and "unknown", with the short error message to log in place of the
// status message (which holds the name whole).
func methodNames(fullMethod string, err error) (logged, label, short string) {
	// The interceptors pass UnknownMethod's error on as it is; a plain
	// assertion, unlike errors.As, costs a call that succeeded nothing.
	if u, ok := err.(unknownMethodError); ok {
		logged = fullMethod
		if len(logged) > maxLoggedMethod {
			logged = logged[:maxLoggedMethod] + "…"
		}
		return strings.ToValidUTF8(logged, "\uFFFD"), "unknown", u.short
	}
	name := path.Base(fullMethod)
	return name, name, ""
}
