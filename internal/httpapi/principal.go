package httpapi

import (
	"context"

	"github.com/resolutionflow/resolutionflow/internal/domain"
)

type principalKey struct{}

func withPrincipal(ctx context.Context, p domain.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// principal returns the authenticated caller. The validator authenticates every operation the
// contract does not mark public before a handler runs, so a handler of a secured operation
// always finds one; a missing one is a wiring bug and answers 401 rather than serving anonymously.
func principal(ctx context.Context) (domain.Principal, error) {
	p, ok := ctx.Value(principalKey{}).(domain.Principal)
	if !ok {
		return domain.Principal{}, domain.Errorf(domain.EUnauthorized, "sign in first: this operation needs a bearer token")
	}
	return p, nil
}

type clientAddrKey struct{}

func withClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// clientAddr is the caller's network address as Echo's IP extractor sees it.
func clientAddr(ctx context.Context) string {
	addr, _ := ctx.Value(clientAddrKey{}).(string)
	return addr
}

type eventStreamKey struct{}

// withEventStream marks a request whose client asked for a text/event-stream answer.
func withEventStream(ctx context.Context) context.Context {
	return context.WithValue(ctx, eventStreamKey{}, true)
}

func wantsEventStream(ctx context.Context) bool {
	v, _ := ctx.Value(eventStreamKey{}).(bool)
	return v
}
