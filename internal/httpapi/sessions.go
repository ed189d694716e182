package httpapi

import (
	"context"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/escalations"
	"github.com/resolutionflow/resolutionflow/internal/export"
	"github.com/resolutionflow/resolutionflow/internal/sessions"
)

func (h *handlers) ListSessions(ctx context.Context, req oapi.ListSessionsRequestObject) (oapi.ListSessionsResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	limit, offset := page(req.Params.Limit, req.Params.Offset)
	f := sessions.Filter{UserID: req.Params.UserId, TreeID: req.Params.TreeId, Limit: limit, Offset: offset}
	if req.Params.Status != nil {
		st := domain.SessionStatus(*req.Params.Status)
		f.Status = &st
	}
	list, total, err := h.sessions.List(ctx, p, f)
	if err != nil {
		return nil, err
	}
	items := make([]oapi.SessionSummary, len(list))
	for i, s := range list {
		items[i] = toSessionSummary(s)
	}
	return oapi.ListSessions200JSONResponse{Items: items, Total: total, Limit: limit, Offset: offset}, nil
}

func (h *handlers) StartSession(ctx context.Context, req oapi.StartSessionRequestObject) (oapi.StartSessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	v, err := h.sessions.Start(ctx, p, b.TreeId, sessions.Details{
		TicketRef: deref(b.TicketRef), Customer: deref(b.Customer), Asset: deref(b.Asset), Notes: deref(b.Notes),
	})
	if err != nil {
		return nil, err
	}
	return oapi.StartSession201JSONResponse(toSessionBody(v)), nil
}

func (h *handlers) GetSession(ctx context.Context, req oapi.GetSessionRequestObject) (oapi.GetSessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	v, err := h.sessions.Get(ctx, p, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetSession200JSONResponse(toSessionBody(v)), nil
}

func (h *handlers) UpdateSession(ctx context.Context, req oapi.UpdateSessionRequestObject) (oapi.UpdateSessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	v, err := h.sessions.UpdateDetails(ctx, p, req.Id, b.TicketRef, b.Customer, b.Asset, b.Notes)
	if err != nil {
		return nil, err
	}
	return oapi.UpdateSession200JSONResponse(toSessionBody(v)), nil
}

func (h *handlers) AnswerSession(ctx context.Context, req oapi.AnswerSessionRequestObject) (oapi.AnswerSessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	v, err := h.sessions.Answer(ctx, p, req.Id, req.Body.NodeId, deref(req.Body.OptionId), deref(req.Body.Note))
	if err != nil {
		return nil, err
	}
	return oapi.AnswerSession200JSONResponse(toSessionBody(v)), nil
}

func (h *handlers) GoBackSession(ctx context.Context, req oapi.GoBackSessionRequestObject) (oapi.GoBackSessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	v, err := h.sessions.GoBack(ctx, p, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GoBackSession200JSONResponse(toSessionBody(v)), nil
}

func (h *handlers) AddCustomStep(ctx context.Context, req oapi.AddCustomStepRequestObject) (oapi.AddCustomStepResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	v, err := h.sessions.AddCustom(ctx, p, req.Id, req.Body.Text, deref(req.Body.Note))
	if err != nil {
		return nil, err
	}
	return oapi.AddCustomStep200JSONResponse(toSessionBody(v)), nil
}

func (h *handlers) CompleteSession(ctx context.Context, req oapi.CompleteSessionRequestObject) (oapi.CompleteSessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	outcome, note := domain.SessionStatus(req.Body.Outcome), deref(req.Body.ResolutionNote)
	if outcome == domain.SessionEscalated {
		// An escalated session always reaches the queue: completing it so is escalating it.
		if _, err := h.escalations.EscalateSession(ctx, p, req.Id, escalations.Request{Summary: note}); err != nil {
			return nil, err
		}
		v, err := h.sessions.Get(ctx, p, req.Id)
		if err != nil {
			return nil, err
		}
		return oapi.CompleteSession200JSONResponse(toSessionBody(v)), nil
	}
	v, err := h.sessions.Complete(ctx, p, req.Id, outcome, note)
	if err != nil {
		return nil, err
	}
	return oapi.CompleteSession200JSONResponse(toSessionBody(v)), nil
}

func (h *handlers) ExportSession(ctx context.Context, req oapi.ExportSessionRequestObject) (oapi.ExportSessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	content, contentType, err := h.sessions.Export(ctx, p, req.Id, export.Format(req.Body.Format))
	if err != nil {
		return nil, err
	}
	return oapi.ExportSession200JSONResponse{Format: req.Body.Format, ContentType: contentType, Content: content}, nil
}
