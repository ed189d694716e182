// Package domain holds ResolutionFlow's types and rules. It imports no infrastructure: storage,
// HTTP and the generated code adapt to it, never the other way round.
package domain

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for the caller; the HTTP layer maps each code to one status.
type Code string

const (
	EInvalid       Code = "invalid"       // the input breaks a rule
	EUnauthorized  Code = "unauthorized"  // missing or bad credentials
	EForbidden     Code = "forbidden"     // the caller's role may not do this
	ENotFound      Code = "not_found"     // no such resource in the caller's account
	EConflict      Code = "conflict"      // the change conflicts with current state
	EThrottled     Code = "throttled"     // too many attempts; see Error.RetryAfter
	EStale         Code = "stale"         // the caller's copy is out of date (If-Match failed)
	EUnconditional Code = "unconditional" // the change needs an If-Match precondition
	EGone          Code = "gone"          // what the cursor points at was pruned
	EUpstream      Code = "upstream"      // a provider we depend on failed; retrying may help
	EUnavailable   Code = "unavailable"   // a dependency cannot be reached right now
	EInternal      Code = "internal"      // a bug or an unavailable dependency
)

// FieldError names one invalid field (by JSON pointer) or one rule, and the tree node it
// concerns, if any.
type FieldError struct {
	Pointer string
	NodeID  string
	Detail  string
}

// Error is an error a caller can act on. Message is safe to show; anything else belongs in a
// wrapped cause, which is logged and never shown.
type Error struct {
	Code       Code
	Message    string
	Fields     []FieldError
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or EInternal.
func ErrorCode(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return EInternal
}
