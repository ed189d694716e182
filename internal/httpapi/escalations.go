package httpapi

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/escalations"
)

func (h *handlers) EscalateSession(ctx context.Context, req oapi.EscalateSessionRequestObject) (oapi.EscalateSessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	handoff, err := h.escalations.EscalateSession(ctx, p, req.Id, escalationRequest(*req.Body, req.Params.IdempotencyKey))
	if err != nil {
		return nil, err
	}
	return oapi.EscalateSession201JSONResponse(toHandoff(handoff)), nil
}

func (h *handlers) GetSessionEscalation(ctx context.Context, req oapi.GetSessionEscalationRequestObject) (oapi.GetSessionEscalationResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	handoff, err := h.escalations.OfSession(ctx, p, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetSessionEscalation200JSONResponse(toHandoff(handoff)), nil
}

func (h *handlers) ListEscalationTargets(ctx context.Context, _ oapi.ListEscalationTargetsRequestObject) (oapi.ListEscalationTargetsResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	targets, err := h.escalations.Targets(ctx, p)
	if err != nil {
		return nil, err
	}
	items := make([]oapi.EscalationTarget, len(targets))
	for i, t := range targets {
		items[i] = oapi.EscalationTarget{Id: t.ID, Name: t.Name, Role: oapi.Role(t.Role)}
	}
	return oapi.ListEscalationTargets200JSONResponse{Items: items}, nil
}

func (h *handlers) ListEscalations(ctx context.Context, req oapi.ListEscalationsRequestObject) (oapi.ListEscalationsResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	limit, offset := page(req.Params.Limit, req.Params.Offset)
	f := escalations.Filter{Limit: limit, Offset: offset, Target: req.Params.TargetUserId, CreatedBefore: req.Params.CreatedBefore}
	if req.Params.Status != nil {
		f.Statuses = []domain.HandoffStatus{domain.HandoffStatus(*req.Params.Status)}
	}
	if req.Params.Priority != nil {
		pr := domain.Priority(*req.Params.Priority)
		f.Priority = &pr
	}
	if deref(req.Params.AssignedToMe) {
		f.Assignee = &p.UserID
	}
	list, total, err := h.escalations.List(ctx, p, f)
	if err != nil {
		return nil, err
	}
	items := make([]oapi.Handoff, len(list))
	for i, ho := range list {
		items[i] = toHandoff(ho)
	}
	return oapi.ListEscalations200JSONResponse{Items: items, Total: total, Limit: limit, Offset: offset}, nil
}

func (h *handlers) GetEscalation(ctx context.Context, req oapi.GetEscalationRequestObject) (oapi.GetEscalationResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	ho, err := h.escalations.Get(ctx, p, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetEscalation200JSONResponse(toHandoffDetail(ho)), nil
}

func (h *handlers) ClaimEscalation(ctx context.Context, req oapi.ClaimEscalationRequestObject) (oapi.ClaimEscalationResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	ho, err := h.escalations.Claim(ctx, p, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.ClaimEscalation200JSONResponse(toHandoff(ho)), nil
}

func (h *handlers) ResolveEscalation(ctx context.Context, req oapi.ResolveEscalationRequestObject) (oapi.ResolveEscalationResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	ho, err := h.escalations.Resolve(ctx, p, req.Id, req.Body.ResolutionNote)
	if err != nil {
		return nil, err
	}
	return oapi.ResolveEscalation200JSONResponse(toHandoff(ho)), nil
}

func (h *handlers) ReleaseEscalation(ctx context.Context, req oapi.ReleaseEscalationRequestObject) (oapi.ReleaseEscalationResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	ho, err := h.escalations.Release(ctx, p, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.ReleaseEscalation200JSONResponse(toHandoff(ho)), nil
}

func (h *handlers) CancelEscalation(ctx context.Context, req oapi.CancelEscalationRequestObject) (oapi.CancelEscalationResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	ho, err := h.escalations.Cancel(ctx, p, req.Id, deref(req.Body.Reason))
	if err != nil {
		return nil, err
	}
	return oapi.CancelEscalation200JSONResponse(toHandoff(ho)), nil
}

func (h *handlers) ListEscalationEvents(ctx context.Context, req oapi.ListEscalationEventsRequestObject) (oapi.ListEscalationEventsResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	limit, _ := page(req.Params.Limit, nil)
	events, next, end, err := h.escalations.Events(ctx, p, deref(req.Params.After), limit)
	if err != nil {
		return nil, err
	}
	items := make([]oapi.EscalationEvent, len(events))
	for i, e := range events {
		items[i] = toEvent(e)
	}
	return oapi.ListEscalationEvents200JSONResponse{Items: items, NextCursor: next, EndOfStream: end}, nil
}

func escalationRequest(b oapi.EscalationRequest, key *string) escalations.Request {
	r := escalations.Request{Summary: b.Summary, TargetUserID: b.TargetUserId, IdempotencyKey: deref(key)}
	if b.Priority != nil {
		r.Priority = domain.Priority(*b.Priority)
	}
	return r
}

func toHandoff(h domain.Handoff) oapi.Handoff {
	return oapi.Handoff{
		Id: h.ID, Source: oapi.HandoffSource(h.Source), SessionId: h.SessionID, AiSessionId: h.AISessionID, Summary: h.Summary,
		Priority: oapi.Priority(h.Priority), Status: oapi.HandoffStatus(h.Status), CreatedBy: h.CreatedBy,
		TargetUserId: h.TargetUserID, ClaimedBy: h.ClaimedBy, ClaimedAt: utcPtr(h.ClaimedAt), ResolvedAt: utcPtr(h.ResolvedAt),
		ResolutionNote: optional(h.ResolutionNote), CancelReason: optional(h.CancelReason), CreatedAt: h.CreatedAt.UTC(), UpdatedAt: h.UpdatedAt.UTC(),
		CreatedByName: optional(h.CreatedByName), TargetUserName: optional(h.TargetUserName), ClaimedByName: optional(h.ClaimedByName),
		TicketRef: optional(h.Context.TicketRef), Customer: optional(h.Context.Customer), Asset: optional(h.Context.Asset), TreeTitle: optional(h.Context.TreeTitle),
	}
}

func toHandoffDetail(h domain.Handoff) oapi.HandoffDetail {
	b := toHandoff(h)
	c := h.Context
	steps := make([]oapi.ContextStep, len(c.Steps))
	for i, st := range c.Steps {
		steps[i] = oapi.ContextStep{Kind: oapi.StepKind(st.Kind), Text: st.Text, Answer: optional(st.Answer), Note: optional(st.Note)}
		if !st.At.IsZero() {
			at := st.At.UTC()
			steps[i].At = &at
		}
	}
	version := &c.TreeVersion
	if c.TreeVersion == 0 {
		version = nil
	}
	return oapi.HandoffDetail{
		Id: b.Id, Source: b.Source, SessionId: b.SessionId, AiSessionId: b.AiSessionId, Summary: b.Summary, Priority: b.Priority, Status: b.Status,
		CreatedBy: b.CreatedBy, TargetUserId: b.TargetUserId, ClaimedBy: b.ClaimedBy, ClaimedAt: b.ClaimedAt,
		ResolvedAt: b.ResolvedAt, ResolutionNote: b.ResolutionNote, CancelReason: b.CancelReason, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt,
		CreatedByName: b.CreatedByName, TargetUserName: b.TargetUserName, ClaimedByName: b.ClaimedByName,
		TicketRef: b.TicketRef, Customer: b.Customer, Asset: b.Asset, TreeTitle: b.TreeTitle,
		Context: oapi.HandoffContext{
			ProblemSummary: c.ProblemSummary, TreeTitle: optional(c.TreeTitle), TreeVersion: version,
			TicketRef: optional(c.TicketRef), Customer: optional(c.Customer), Asset: optional(c.Asset),
			Technician: optional(c.Technician), TimeSpent: optional(c.TimeSpent), Steps: steps, Transcript: toMessages(c.Transcript),
			Assessment: optional(c.Assessment),
		},
	}
}

// toEvent is the one conversion of a log entry into the contract's EscalationEvent: the pull
// cursor sends it as JSON, and EventFrame as the data of the stream's frame.
func toEvent(e domain.EscalationEvent) oapi.EscalationEvent {
	return oapi.EscalationEvent{Id: e.ID, Type: oapi.EscalationEventType(e.Type), HandoffId: e.Handoff.ID, OccurredAt: e.OccurredAt.UTC(), Handoff: toHandoff(e.Handoff)}
}

// EventFrame encodes an event once as the SSE frame every subscriber of its account is sent.
func EventFrame(e domain.EscalationEvent) ([]byte, error) {
	data, err := json.Marshal(toEvent(e))
	if err != nil {
		return nil, fmt.Errorf("encode event %d: %w", e.ID, err)
	}
	frame := make([]byte, 0, len(data)+64)
	frame = fmt.Appendf(frame, "event: %s\nid: %d\ndata: ", e.Type, e.ID)
	frame = append(frame, data...)
	return append(frame, '\n', '\n'), nil
}

func (h *handlers) EscalateAISession(ctx context.Context, req oapi.EscalateAISessionRequestObject) (oapi.EscalateAISessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	handoff, err := h.escalations.EscalateConversation(ctx, p, req.Id, escalationRequest(*req.Body, req.Params.IdempotencyKey))
	if err != nil {
		return nil, err
	}
	return oapi.EscalateAISession201JSONResponse(toHandoff(handoff)), nil
}
