package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/apitest"
)

// bigTree is a valid published tree of n nodes: a chain of questions and actions ending in a
// solution, each question also able to skip ahead.
func bigTree(n int) oapi.TreeWrite {
	id := func(k int) string { return fmt.Sprintf("n%d", k) }
	nodes := make([]oapi.TreeNode, n)
	last := n - 1
	for k := range last {
		if k%3 == 2 {
			next := id(k + 1)
			nodes[k] = oapi.TreeNode{Id: id(k), Type: oapi.Action, Text: fmt.Sprintf("Restart the print spooler and clear queue %d", k), Next: &next}
			continue
		}
		nodes[k] = oapi.TreeNode{Id: id(k), Type: oapi.Question, Text: fmt.Sprintf("Does the printer on floor %d show a paper jam or toner warning?", k),
			Options: &[]oapi.NodeOption{{Id: "yes", Label: "Yes", Next: id(k + 1)}, {Id: "no", Label: "No", Next: id(min(k+2, last))}}}
	}
	nodes[last] = oapi.TreeNode{Id: id(last), Type: oapi.Solution, Text: "Printing works again"}
	return oapi.TreeWrite{Title: "Big tree", Category: "Bench", Status: oapi.TreeWriteStatusPublished, Definition: oapi.TreeDefinition{Root: "n0", Nodes: nodes}}
}

// BenchmarkGetTree compares GET /trees/{id} of a 150-node tree through the whole stack (gate,
// handler, JSON) with the raw read of the same row, in one run, so that the ratio holds on a
// noisy machine: go test -run '^$' -bench GetTree ./internal/httpapi
func BenchmarkGetTree(b *testing.B) {
	s := apitest.NewServer(b)
	admin := s.Register("Bench")
	r, err := admin.Client.CreateTreeWithResponse(context.Background(), bigTree(150))
	if err != nil || r.JSON201 == nil {
		b.Fatalf("create: %v %d", err, r.StatusCode())
	}
	id := r.JSON201.Id
	plain, err := oapi.NewClient(s.URL, oapi.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+admin.AccessToken)
		return nil
	}))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("api", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				resp, err := plain.GetTree(context.Background(), id)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	})
	b.Run("raw", func(b *testing.B) {
		q := dbq.New(s.DB.Pool)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := q.GetTree(context.Background(), dbq.GetTreeParams{AccountID: admin.AccountID, ID: id}); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}
