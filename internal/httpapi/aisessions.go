package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/aisessions"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

func (h *handlers) ListAISessions(ctx context.Context, req oapi.ListAISessionsRequestObject) (oapi.ListAISessionsResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	limit, offset := page(req.Params.Limit, req.Params.Offset)
	f := aisessions.Filter{UserID: req.Params.UserId, Limit: limit, Offset: offset}
	if req.Params.Status != nil {
		st := string(*req.Params.Status)
		f.Status = &st
	}
	list, total, err := h.aiSessions.List(ctx, p, f)
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
	b := req.Body
	a, err := h.aiSessions.Start(ctx, p, aisessions.Start{
		Problem: b.Problem, SessionID: b.SessionId, TicketRef: deref(b.TicketRef), Customer: deref(b.Customer), Asset: deref(b.Asset),
	})
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
	reply, err := h.aiSessions.Post(ctx, p, req.Id, req.Body.Content)
	if err != nil {
		return nil, err
	}
	if wantsEventStream(ctx) {
		return streamedReply{ctx: ctx, reply: reply}, nil
	}
	a, err := reply.Answer(ctx, func(string) {})
	if err != nil {
		return nil, err
	}
	return oapi.SendAIMessage200JSONResponse(toAISession(a)), nil
}

// streamedReply sends the assistant's reply as it is produced: delta events with the parts,
// then a done event with the conversation as stored. Everything that can be refused was checked
// before the stream started; a failure of the assistant mid-way ends it with an error event
// carrying the problem (the technician's message is kept).
type streamedReply struct {
	ctx   context.Context
	reply aisessions.Reply
}

func (r streamedReply) VisitSendAIMessageResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(event string, v any) {
		data, _ := json.Marshal(v) // plain values: cannot fail
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data)
		_ = rc.Flush()
	}
	a, err := r.reply.Answer(r.ctx, func(part string) { send("delta", map[string]string{"content": part}) })
	if err != nil {
		send("error", problemFor(err))
		return err // logged by the error handler when it is a fault of ours
	}
	send("done", toAISession(a))
	return nil
}

func toAISession(a domain.AISession) oapi.AISession {
	return oapi.AISession{
		Id: a.ID, UserId: a.UserID, SessionId: a.SessionID, Problem: a.Problem, Status: oapi.AISessionStatus(a.Status),
		TicketRef: a.TicketRef, Customer: a.Customer, Asset: a.Asset,
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

func (h *handlers) UpdateAISession(ctx context.Context, req oapi.UpdateAISessionRequestObject) (oapi.UpdateAISessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	a, err := h.aiSessions.Move(ctx, p, req.Id, string(req.Body.Status))
	if err != nil {
		return nil, err
	}
	return oapi.UpdateAISession200JSONResponse(toAISession(a)), nil
}
