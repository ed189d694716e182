package demo

import (
	"regexp"
	"testing"

	"github.com/resolutionflow/resolutionflow/internal/domain"
)

func TestTrees(t *testing.T) {
	if len(Trees) < 6 {
		t.Fatalf("want at least 6 demo trees, have %d", len(Trees))
	}
	nodeID := regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	titles := map[string]bool{}
	for _, tr := range Trees {
		if titles[tr.Title] {
			t.Errorf("title %q is used by two trees", tr.Title)
		}
		titles[tr.Title] = true
		t.Run(tr.Title, func(t *testing.T) {
			if tr.Title == "" || tr.Description == "" || tr.Category == "" || len(tr.Tags) == 0 {
				t.Errorf("title, description, category and tags must all be set: %q %q %q %v", tr.Title, tr.Description, tr.Category, tr.Tags)
			}
			for _, tag := range tr.Tags {
				if tag == "" {
					t.Errorf("empty tag in %v", tr.Tags)
				}
			}
			for _, p := range domain.ValidateDefinition(tr.Definition, domain.TreePublished) {
				t.Errorf("problem at %s (node %q): %s", p.Pointer, p.NodeID, p.Detail)
			}
			if n := len(tr.Definition.Nodes); n < 10 || n > 40 {
				t.Errorf("tree has %d nodes, want 10 to 40", n)
			}
			types := map[domain.NodeType]int{}
			for _, n := range tr.Definition.Nodes {
				types[n.Type]++
				if !nodeID.MatchString(n.ID) || len(n.ID) > domain.MaxNodeIDLen {
					t.Errorf("node id %q is not a short id of letters, digits, '_', '.' or '-'", n.ID)
				}
			}
			for _, typ := range []domain.NodeType{domain.NodeQuestion, domain.NodeAction, domain.NodeSolution, domain.NodeEscalation} {
				if types[typ] == 0 {
					t.Errorf("tree has no %s node", typ)
				}
			}
			t.Logf("%d nodes: %d questions, %d actions, %d solutions, %d escalations", len(tr.Definition.Nodes),
				types[domain.NodeQuestion], types[domain.NodeAction], types[domain.NodeSolution], types[domain.NodeEscalation])
		})
	}
}
