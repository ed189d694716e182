package trees

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/testdb"
)

// A tree at the definition limits carries more text than PostgreSQL puts in one tsvector; it
// must still save, with its search text capped.
func TestLargestTreeSavesAndIndexes(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	acc, err := db.CreateAccount(ctx, "Big")
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUser(ctx, dbq.CreateUserParams{AccountID: acc.ID, Email: "big@example.com", Name: "Big", Role: "engineer", PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	p := domain.Principal{UserID: u.ID, AccountID: acc.ID, Role: domain.RoleEngineer}

	def := domain.Definition{Root: "n0"}
	for i := range domain.MaxNodes {
		var text strings.Builder
		for w := 0; text.Len() < domain.MaxNodeText-20; w++ {
			fmt.Fprintf(&text, "w%dx%d ", i, w) // distinct words: the worst case for a tsvector
		}
		n := domain.Node{ID: fmt.Sprintf("n%d", i), Type: domain.NodeAction, Text: text.String(), Next: fmt.Sprintf("n%d", i+1)}
		if i == domain.MaxNodes-1 {
			n.Type, n.Next = domain.NodeSolution, ""
		}
		def.Nodes = append(def.Nodes, n)
	}
	s := NewService(db)
	tree, err := s.Create(ctx, p, Input{Title: "Huge", Category: "Big", Status: domain.TreePublished, Definition: def})
	if err != nil {
		t.Fatalf("create the largest allowed tree: %v", err)
	}
	hits, err := s.Search(ctx, p, "w0x1", 10)
	if err != nil || len(hits) != 1 || hits[0].Tree.ID != tree.ID {
		t.Errorf("search the start of its text: %v %+v", err, hits)
	}
}
