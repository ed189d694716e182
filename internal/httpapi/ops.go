package httpapi

import (
	"context"
	"errors"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

func (h *handlers) GetHealth(context.Context, oapi.GetHealthRequestObject) (oapi.GetHealthResponseObject, error) {
	return oapi.GetHealth200JSONResponse{Status: oapi.Ok}, nil
}

func (h *handlers) GetReadiness(ctx context.Context, _ oapi.GetReadinessRequestObject) (oapi.GetReadinessResponseObject, error) {
	if err := h.ready(ctx); err != nil {
		return nil, errors.Join(&domain.Error{Code: domain.EUnavailable, Message: "the database is unreachable"}, err)
	}
	return oapi.GetReadiness200JSONResponse{Status: oapi.Ok}, nil
}
