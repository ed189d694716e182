package trees

import (
	"context"
	"fmt"

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

// Analytics computes, per version that has sessions, outcomes, exit nodes and time per node,
// all from the recorded steps.
func (s *Service) Analytics(ctx context.Context, p domain.Principal, id uuid.UUID) ([]VersionAnalytics, error) {
	if err := requireRole(p, domain.RoleEngineer, "tree analytics"); err != nil {
		return nil, err
	}
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	key := dbq.CountTreeOutcomesParams{AccountID: p.AccountID, TreeID: id}
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
	out := make([]VersionAnalytics, len(outcomes))
	byVersion := make(map[int32]*VersionAnalytics, len(outcomes))
	for i, o := range outcomes {
		out[i] = VersionAnalytics{
			Version: o.TreeVersion, Started: o.Started, Resolved: o.Resolved, Escalated: o.Escalated,
			Abandoned: o.Abandoned, InProgress: o.InProgress,
			ResolutionRate: resolutionRate(o.Resolved, o.Resolved+o.Escalated+o.Abandoned),
			ExitNodes:      []NodeCount{}, Nodes: []NodeStats{},
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
	return out, nil
}

// resolutionRate is resolved over finished sessions, 0 when none finished.
func resolutionRate(resolved, finished int64) float64 {
	if finished == 0 {
		return 0
	}
	return float64(resolved) / float64(finished)
}
