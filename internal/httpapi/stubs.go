package httpapi

import (
	"context"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// The operations below are in the contract but not built yet; each answers 501 problem+json
// naming the area, and the README lists them. Each later issue replaces its area's stubs.

func notImplemented(area string) error {
	return domain.Errorf(domain.ENotImplemented, "the %s API is specified but not implemented yet", area)
}

func (h *handlers) EscalateAISession(context.Context, oapi.EscalateAISessionRequestObject) (oapi.EscalateAISessionResponseObject, error) {
	return nil, notImplemented("ai-sessions")
}
