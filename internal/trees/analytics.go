package trees

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// VersionAnalytics is what the sessions on one tree version did.
type VersionAnalytics struct {
	Version                                             int32
	Started, Resolved, Escalated, Abandoned, InProgress int64
	ResolutionRate                                      float64
	ExitNodes                                           []NodeCount
	Nodes                                               []NodeStats
	Daily                                               []DayOutcomes
}

// DayOutcomes is what became of the sessions started on one UTC day.
type DayOutcomes struct {
	Day                                     time.Time
	Started, Resolved, Escalated, Abandoned int64
}

// Range limits analytics to the sessions started in [From, To); nil bounds are open.
type Range struct {
	From, To *time.Time
}

// NodeCount is a number of sessions at a node.
type NodeCount struct {
	NodeID   string
	Sessions int64
}

// NodeStats is how often sessions arrived at a node and how long they stayed (median).
type NodeStats struct {
	NodeID        string
	Visits        int64
	MedianSeconds float64
}

// Analytics computes, per version that has sessions started in the range, outcomes, exit
// nodes, time per node and outcomes per day, all from the recorded steps. A range that ends
// before it starts is EInvalid.
func (s *Service) Analytics(ctx context.Context, p domain.Principal, id uuid.UUID, r Range) ([]VersionAnalytics, error) {
	if err := requireRole(p, domain.RoleEngineer, "tree analytics"); err != nil {
		return nil, err
	}
	if r.From != nil && r.To != nil && !r.From.Before(*r.To) {
		return nil, &domain.Error{Code: domain.EInvalid, Message: "the range is empty: from must be before to",
			Fields: []domain.FieldError{{Pointer: "from", Detail: "must be before to"}}}
	}
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	key := dbq.CountTreeOutcomesParams{AccountID: p.AccountID, TreeID: id, StartedFrom: r.From, StartedTo: r.To}
	outcomes, err := s.db.CountTreeOutcomes(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("tree outcomes: %w", err)
	}
	exits, err := s.db.ListTreeExitNodes(ctx, dbq.ListTreeExitNodesParams(key))
	if err != nil {
		return nil, fmt.Errorf("tree exit nodes: %w", err)
	}
	nodes, err := s.db.ListTreeNodeStats(ctx, dbq.ListTreeNodeStatsParams(key))
	if err != nil {
		return nil, fmt.Errorf("tree node stats: %w", err)
	}
	days, err := s.db.CountTreeOutcomesByDay(ctx, dbq.CountTreeOutcomesByDayParams(key))
	if err != nil {
		return nil, fmt.Errorf("tree outcomes by day: %w", err)
	}
	out := make([]VersionAnalytics, len(outcomes))
	byVersion := make(map[int32]*VersionAnalytics, len(outcomes))
	for i, o := range outcomes {
		out[i] = VersionAnalytics{
			Version: o.TreeVersion, Started: o.Started, Resolved: o.Resolved, Escalated: o.Escalated,
			Abandoned: o.Abandoned, InProgress: o.InProgress,
			ResolutionRate: resolutionRate(o.Resolved, o.Resolved+o.Escalated+o.Abandoned),
			ExitNodes:      []NodeCount{}, Nodes: []NodeStats{}, Daily: []DayOutcomes{},
		}
		byVersion[o.TreeVersion] = &out[i]
	}
	for _, e := range exits {
		if v := byVersion[e.TreeVersion]; v != nil {
			v.ExitNodes = append(v.ExitNodes, NodeCount{NodeID: e.NodeID, Sessions: e.Sessions})
		}
	}
	for _, n := range nodes {
		if v := byVersion[n.TreeVersion]; v != nil {
			v.Nodes = append(v.Nodes, NodeStats{NodeID: n.NodeID, Visits: n.Visits, MedianSeconds: n.MedianSeconds})
		}
	}
	for _, d := range days {
		if v := byVersion[d.TreeVersion]; v != nil {
			v.Daily = append(v.Daily, DayOutcomes{Day: d.Day.Time, Started: d.Started, Resolved: d.Resolved, Escalated: d.Escalated, Abandoned: d.Abandoned})
		}
	}
	return out, nil
}

// resolutionRate is resolved over finished sessions, 0 when none finished.
func resolutionRate(resolved, finished int64) float64 {
	if finished == 0 {
		return 0
	}
	return float64(resolved) / float64(finished)
}
