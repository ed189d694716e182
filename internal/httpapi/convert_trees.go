package httpapi

import (
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/sessions"
	"github.com/resolutionflow/resolutionflow/internal/trees"
)

func toTreeSummary(t domain.Tree) oapi.TreeSummary {
	tags := t.Tags
	if tags == nil {
		tags = []string{}
	}
	return oapi.TreeSummary{
		Id: t.ID, Title: t.Title, Description: t.Description, Category: t.Category, Tags: tags,
		Status: oapi.TreeStatus(t.Status), CurrentVersion: t.CurrentVersion, CreatedBy: t.CreatedBy,
		CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC(),
	}
}

func toTreeBody(t domain.Tree) oapi.Tree {
	s := toTreeSummary(t)
	out := oapi.Tree{
		Id: s.Id, Title: s.Title, Description: s.Description, Category: s.Category, Tags: s.Tags, Status: s.Status,
		CurrentVersion: s.CurrentVersion, CreatedBy: s.CreatedBy, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
		Definition: toDefinition(t.Definition),
	}
	if t.Status == domain.TreeDraft {
		problems := toProblemErrors(domain.PublishProblems(t.Definition))
		out.Problems = &problems
	}
	return out
}

// toProblemErrors are a definition's problems as the entries of a problem document.
func toProblemErrors(ps []domain.DefinitionProblem) []oapi.ProblemError {
	out := make([]oapi.ProblemError, len(ps))
	for i, p := range ps {
		out[i] = oapi.ProblemError{Pointer: optional(p.Pointer), NodeId: optional(p.NodeID), Detail: p.Detail}
	}
	return out
}

func toDefinition(d domain.Definition) oapi.TreeDefinition {
	nodes := make([]oapi.TreeNode, len(d.Nodes))
	for i, n := range d.Nodes {
		nodes[i] = toNode(n)
	}
	return oapi.TreeDefinition{Root: d.Root, Nodes: nodes}
}

func toNode(n domain.Node) oapi.TreeNode {
	out := oapi.TreeNode{Id: n.ID, Type: oapi.NodeType(n.Type), Text: n.Text, Help: optional(n.Help), Next: optional(n.Next)}
	if len(n.Options) > 0 {
		opts := make([]oapi.NodeOption, len(n.Options))
		for i, o := range n.Options {
			opts[i] = oapi.NodeOption{Id: o.ID, Label: o.Label, Next: o.Next}
		}
		out.Options = &opts
	}
	return out
}

func fromDefinition(d oapi.TreeDefinition) domain.Definition {
	nodes := make([]domain.Node, len(d.Nodes))
	for i, n := range d.Nodes {
		node := domain.Node{ID: n.Id, Type: domain.NodeType(n.Type), Text: n.Text, Help: deref(n.Help), Next: deref(n.Next)}
		if n.Options != nil {
			for _, o := range *n.Options {
				node.Options = append(node.Options, domain.Option{ID: o.Id, Label: o.Label, Next: o.Next})
			}
		}
		nodes[i] = node
	}
	return domain.Definition{Root: d.Root, Nodes: nodes}
}

func fromTreeWrite(w oapi.TreeWrite) trees.Input {
	in := trees.Input{
		Title: w.Title, Description: deref(w.Description), Category: w.Category,
		Status: domain.TreeStatus(w.Status), Definition: fromDefinition(w.Definition),
	}
	if w.Tags != nil {
		in.Tags = *w.Tags
	}
	return in
}

func toVersionInfo(v domain.TreeVersion) oapi.TreeVersionInfo {
	out := oapi.TreeVersionInfo{TreeId: v.TreeID, Version: v.Version, CreatedBy: v.CreatedBy, CreatedByName: optional(v.CreatedByName), CreatedAt: v.CreatedAt.UTC()}
	if c := v.Changes; c != nil {
		out.Changes = &oapi.TreeChanges{Added: c.Added, Removed: c.Removed, Changed: c.Changed, RootChanged: c.RootChanged}
	}
	return out
}

func toAnalytics(v trees.VersionAnalytics) oapi.TreeVersionAnalytics {
	out := oapi.TreeVersionAnalytics{
		Version: v.Version, Started: v.Started, Resolved: v.Resolved, Escalated: v.Escalated, Abandoned: v.Abandoned,
		InProgress: v.InProgress, ResolutionRate: v.ResolutionRate,
		ExitNodes: make([]oapi.NodeCount, len(v.ExitNodes)), Nodes: make([]oapi.NodeStats, len(v.Nodes)),
	}
	for i, e := range v.ExitNodes {
		out.ExitNodes[i] = oapi.NodeCount{NodeId: e.NodeID, Count: e.Sessions}
	}
	for i, n := range v.Nodes {
		out.Nodes[i] = oapi.NodeStats{NodeId: n.NodeID, Visits: n.Visits, MedianSeconds: n.MedianSeconds}
	}
	out.Daily = make([]oapi.DayOutcomes, len(v.Daily))
	for i, d := range v.Daily {
		out.Daily[i] = oapi.DayOutcomes{Day: openapi_types.Date{Time: d.Day}, Started: d.Started, Resolved: d.Resolved, Escalated: d.Escalated, Abandoned: d.Abandoned}
	}
	return out
}

func toSessionSummary(s domain.Session) oapi.SessionSummary {
	return oapi.SessionSummary{
		Id: s.ID, TreeId: s.TreeID, TreeVersion: s.TreeVersion, TreeTitle: s.TreeTitle, UserId: s.UserID,
		Status: oapi.SessionStatus(s.Status), CurrentNodeId: s.CurrentNode, TicketRef: s.TicketRef,
		Customer: s.Customer, Asset: s.Asset, StartedAt: s.StartedAt.UTC(), CompletedAt: utcPtr(s.CompletedAt),
		UpdatedAt: s.UpdatedAt.UTC(),
	}
}

func toSessionBody(v sessions.View) oapi.Session {
	s := v.Session
	sum := toSessionSummary(s)
	steps := make([]oapi.SessionStep, len(s.Steps))
	for i, st := range s.Steps {
		steps[i] = oapi.SessionStep{
			Seq: st.Seq, Kind: oapi.StepKind(st.Kind), NodeId: st.NodeID, ToNodeId: st.ToNodeID,
			OptionId: optional(st.OptionID), Text: optional(st.Text), Note: optional(st.Note), CreatedAt: st.CreatedAt.UTC(),
		}
	}
	return oapi.Session{
		Id: sum.Id, TreeId: sum.TreeId, TreeVersion: sum.TreeVersion, TreeTitle: sum.TreeTitle, UserId: sum.UserId,
		Status: sum.Status, CurrentNodeId: sum.CurrentNodeId, TicketRef: sum.TicketRef, Customer: sum.Customer,
		Asset: sum.Asset, StartedAt: sum.StartedAt, CompletedAt: sum.CompletedAt, UpdatedAt: sum.UpdatedAt,
		Notes: s.Notes, CurrentNode: toNode(v.CurrentNode()), ReadyToEscalate: domain.ReadyToEscalate(v.Definition, s),
		ResolutionNote: s.ResolutionNote, Steps: steps,
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
