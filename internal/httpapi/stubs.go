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

func (h *handlers) ListAISessions(context.Context, oapi.ListAISessionsRequestObject) (oapi.ListAISessionsResponseObject, error) {
	return nil, notImplemented("ai-sessions")
}

func (h *handlers) CreateAISession(context.Context, oapi.CreateAISessionRequestObject) (oapi.CreateAISessionResponseObject, error) {
	return nil, notImplemented("ai-sessions")
}

func (h *handlers) ListEscalations(context.Context, oapi.ListEscalationsRequestObject) (oapi.ListEscalationsResponseObject, error) {
	return nil, notImplemented("escalations")
}

func (h *handlers) ListEscalationEvents(context.Context, oapi.ListEscalationEventsRequestObject) (oapi.ListEscalationEventsResponseObject, error) {
	return nil, notImplemented("escalations")
}

func (h *handlers) GetEscalation(context.Context, oapi.GetEscalationRequestObject) (oapi.GetEscalationResponseObject, error) {
	return nil, notImplemented("escalations")
}

func (h *handlers) CancelEscalation(context.Context, oapi.CancelEscalationRequestObject) (oapi.CancelEscalationResponseObject, error) {
	return nil, notImplemented("escalations")
}

func (h *handlers) ClaimEscalation(context.Context, oapi.ClaimEscalationRequestObject) (oapi.ClaimEscalationResponseObject, error) {
	return nil, notImplemented("escalations")
}

func (h *handlers) ResolveEscalation(context.Context, oapi.ResolveEscalationRequestObject) (oapi.ResolveEscalationResponseObject, error) {
	return nil, notImplemented("escalations")
}

func (h *handlers) GetAISession(context.Context, oapi.GetAISessionRequestObject) (oapi.GetAISessionResponseObject, error) {
	return nil, notImplemented("ai-sessions")
}

func (h *handlers) EscalateAISession(context.Context, oapi.EscalateAISessionRequestObject) (oapi.EscalateAISessionResponseObject, error) {
	return nil, notImplemented("ai-sessions")
}

func (h *handlers) SendAIMessage(context.Context, oapi.SendAIMessageRequestObject) (oapi.SendAIMessageResponseObject, error) {
	return nil, notImplemented("ai-sessions")
}

func (h *handlers) ListSessions(context.Context, oapi.ListSessionsRequestObject) (oapi.ListSessionsResponseObject, error) {
	return nil, notImplemented("sessions")
}

func (h *handlers) StartSession(context.Context, oapi.StartSessionRequestObject) (oapi.StartSessionResponseObject, error) {
	return nil, notImplemented("sessions")
}

func (h *handlers) GetSession(context.Context, oapi.GetSessionRequestObject) (oapi.GetSessionResponseObject, error) {
	return nil, notImplemented("sessions")
}

func (h *handlers) UpdateSession(context.Context, oapi.UpdateSessionRequestObject) (oapi.UpdateSessionResponseObject, error) {
	return nil, notImplemented("sessions")
}

func (h *handlers) AnswerSession(context.Context, oapi.AnswerSessionRequestObject) (oapi.AnswerSessionResponseObject, error) {
	return nil, notImplemented("sessions")
}

func (h *handlers) GoBackSession(context.Context, oapi.GoBackSessionRequestObject) (oapi.GoBackSessionResponseObject, error) {
	return nil, notImplemented("sessions")
}

func (h *handlers) CompleteSession(context.Context, oapi.CompleteSessionRequestObject) (oapi.CompleteSessionResponseObject, error) {
	return nil, notImplemented("sessions")
}

func (h *handlers) AddCustomStep(context.Context, oapi.AddCustomStepRequestObject) (oapi.AddCustomStepResponseObject, error) {
	return nil, notImplemented("sessions")
}

func (h *handlers) EscalateSession(context.Context, oapi.EscalateSessionRequestObject) (oapi.EscalateSessionResponseObject, error) {
	return nil, notImplemented("sessions")
}

func (h *handlers) ExportSession(context.Context, oapi.ExportSessionRequestObject) (oapi.ExportSessionResponseObject, error) {
	return nil, notImplemented("sessions")
}

func (h *handlers) ListTrees(context.Context, oapi.ListTreesRequestObject) (oapi.ListTreesResponseObject, error) {
	return nil, notImplemented("trees")
}

func (h *handlers) CreateTree(context.Context, oapi.CreateTreeRequestObject) (oapi.CreateTreeResponseObject, error) {
	return nil, notImplemented("trees")
}

func (h *handlers) ListTreeCategories(context.Context, oapi.ListTreeCategoriesRequestObject) (oapi.ListTreeCategoriesResponseObject, error) {
	return nil, notImplemented("trees")
}

func (h *handlers) SearchTrees(context.Context, oapi.SearchTreesRequestObject) (oapi.SearchTreesResponseObject, error) {
	return nil, notImplemented("trees")
}

func (h *handlers) DeleteTree(context.Context, oapi.DeleteTreeRequestObject) (oapi.DeleteTreeResponseObject, error) {
	return nil, notImplemented("trees")
}

func (h *handlers) GetTree(context.Context, oapi.GetTreeRequestObject) (oapi.GetTreeResponseObject, error) {
	return nil, notImplemented("trees")
}

func (h *handlers) UpdateTree(context.Context, oapi.UpdateTreeRequestObject) (oapi.UpdateTreeResponseObject, error) {
	return nil, notImplemented("trees")
}

func (h *handlers) GetTreeAnalytics(context.Context, oapi.GetTreeAnalyticsRequestObject) (oapi.GetTreeAnalyticsResponseObject, error) {
	return nil, notImplemented("trees")
}

func (h *handlers) ListTreeVersions(context.Context, oapi.ListTreeVersionsRequestObject) (oapi.ListTreeVersionsResponseObject, error) {
	return nil, notImplemented("trees")
}

func (h *handlers) GetTreeVersion(context.Context, oapi.GetTreeVersionRequestObject) (oapi.GetTreeVersionResponseObject, error) {
	return nil, notImplemented("trees")
}
