package httpapi

import (
	"context"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

func (h *handlers) ListAISessions(ctx context.Context, req oapi.ListAISessionsRequestObject) (oapi.ListAISessionsResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	limit, offset := page(req.Params.Limit, req.Params.Offset)
	list, total, err := h.aiSessions.List(ctx, p, limit, offset)
	if err != nil {
		return nil, err
	}
	items := make([]oapi.AISession, len(list))
	for i, a := range list {
		items[i] = toAISession(a)
	}
	return oapi.ListAISessions200JSONResponse{Items: items, Total: total, Limit: limit, Offset: offset}, nil
}

func (h *handlers) CreateAISession(ctx context.Context, req oapi.CreateAISessionRequestObject) (oapi.CreateAISessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	a, err := h.aiSessions.Start(ctx, p, req.Body.Problem, req.Body.SessionId)
	if err != nil {
		return nil, err
	}
	return oapi.CreateAISession201JSONResponse(toAISession(a)), nil
}

func (h *handlers) GetAISession(ctx context.Context, req oapi.GetAISessionRequestObject) (oapi.GetAISessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	a, err := h.aiSessions.Get(ctx, p, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetAISession200JSONResponse(toAISession(a)), nil
}

func (h *handlers) SendAIMessage(ctx context.Context, req oapi.SendAIMessageRequestObject) (oapi.SendAIMessageResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	a, err := h.aiSessions.Send(ctx, p, req.Id, req.Body.Content)
	if err != nil {
		return nil, err
	}
	return oapi.SendAIMessage200JSONResponse(toAISession(a)), nil
}

func toAISession(a domain.AISession) oapi.AISession {
	return oapi.AISession{
		Id: a.ID, UserId: a.UserID, SessionId: a.SessionID, Problem: a.Problem, Status: oapi.AISessionStatus(a.Status),
		Messages: toMessages(a.Messages), CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
	}
}

func toMessages(messages []domain.AIMessage) []oapi.AIMessage {
	out := make([]oapi.AIMessage, len(messages))
	for i, m := range messages {
		out[i] = oapi.AIMessage{Id: m.ID, Role: oapi.AIMessageRole(m.Role), Content: m.Content, CreatedAt: m.CreatedAt.UTC()}
	}
	return out
}
