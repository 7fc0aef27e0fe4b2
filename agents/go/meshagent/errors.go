package meshagent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Domain is the google.rpc.ErrorInfo domain of every Meshwork error.
const Domain = "meshwork.dev"

// Violation is one problem of a request: the field (path) and what is wrong with it.
type Violation struct {
	Field, Description string
}

// Error is a failure with a gRPC code, a machine-readable reason (UPPER_SNAKE) and a message. It
// becomes a status with google.rpc.ErrorInfo, plus BadRequest field violations and RetryInfo when
// set, in the grpc-status-details-bin trailer (the mapping of the Java core's GrpcErrors).
type Error struct {
	Code       codes.Code
	Reason     string
	Message    string
	Violations []Violation
	RetryAfter time.Duration
	Metadata   map[string]string
}

func (e *Error) Error() string { return e.Message }

// GRPCStatus makes *Error a status error for grpc-go.
func (e *Error) GRPCStatus() *status.Status {
	st := status.New(e.Code, e.Message)
	msgs := []protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: e.Reason, Domain: Domain, Metadata: e.Metadata}}
	if len(e.Violations) > 0 {
		bad := &errdetails.BadRequest{}
		for _, v := range e.Violations {
			bad.FieldViolations = append(bad.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Description})
		}
		msgs = append(msgs, bad)
	}
	if e.RetryAfter > 0 {
		msgs = append(msgs, &errdetails.RetryInfo{RetryDelay: durationpb.New(e.RetryAfter)})
	}
	withDetails, err := st.WithDetails(msgs...)
	if err != nil {
		return st
	}
	return withDetails
}

// Errorf is an error with a code and reason.
func Errorf(code codes.Code, reason, format string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// InvalidInput is INVALID_ARGUMENT (reason INVALID_ARGUMENT) listing every violation.
func InvalidInput(violations ...Violation) *Error {
	return invalid("INVALID_ARGUMENT", violations)
}

// InvalidField is INVALID_ARGUMENT for one field.
func InvalidField(field, description string) *Error {
	return InvalidInput(Violation{field, description})
}

func invalid(reason string, violations []Violation) *Error {
	msgs := make([]string, len(violations))
	for i, v := range violations {
		msgs[i] = v.Field + ": " + v.Description
	}
	return &Error{Code: codes.InvalidArgument, Reason: reason, Message: strings.Join(msgs, "; "), Violations: violations}
}

// toStatus is the one server-side mapping: status errors and *Error pass through; the call's
// context ending becomes DEADLINE_EXCEEDED or CANCELLED; anything else is INTERNAL with a generic
// message (the error itself is logged, never sent).
func toStatus(ctx context.Context, err error, what string, log *slog.Logger) error {
	var e *Error
	if errors.As(err, &e) {
		return e.GRPCStatus().Err()
	}
	if st, ok := status.FromError(err); ok {
		return st.Err()
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return Errorf(codes.DeadlineExceeded, "DEADLINE_EXCEEDED", "%s: deadline exceeded", what).GRPCStatus().Err()
	}
	if errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled) {
		return Errorf(codes.Canceled, "CANCELLED", "%s: cancelled by the caller", what).GRPCStatus().Err()
	}
	log.ErrorContext(ctx, what+" failed; answered as INTERNAL", "error", err)
	return Errorf(codes.Internal, "INTERNAL", "%s: internal error", what).GRPCStatus().Err()
}

// Details reads an error's status back (client side): code, message, ErrorInfo reason and domain,
// field violations and the retry delay.
type Details struct {
	Code       codes.Code
	Message    string
	Reason     string
	Domain     string
	Violations []Violation
	RetryAfter time.Duration
}

// DetailsOf a failed call's error.
func DetailsOf(err error) Details {
	st := status.Convert(err)
	d := Details{Code: st.Code(), Message: st.Message()}
	for _, detail := range st.Details() {
		switch v := detail.(type) {
		case *errdetails.ErrorInfo:
			d.Reason, d.Domain = v.Reason, v.Domain
		case *errdetails.BadRequest:
			for _, fv := range v.FieldViolations {
				d.Violations = append(d.Violations, Violation{fv.Field, fv.Description})
			}
		case *errdetails.RetryInfo:
			d.RetryAfter = v.RetryDelay.AsDuration()
		}
	}
	return d
}
