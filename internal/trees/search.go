package trees

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// Hit is one search result.
type Hit struct {
	Tree    domain.Tree
	Rank    float64
	Snippet string // HTML: hits in <mark>, everything else escaped
}

var word = regexp.MustCompile(`[\p{L}\p{N}]+`)

// maxQueryWords bounds the tsquery a caller can make the database evaluate.
const maxQueryWords = 12

// Search ranks the caller's visible trees by full-text relevance to q. Every word must match;
// the last one matches as a prefix, so that results follow typing ("vpn disconn" finds
// "disconnects").
func (s *Service) Search(ctx context.Context, p domain.Principal, q string, limit int32) ([]Hit, error) {
	query := tsquery(q)
	if query == "" {
		return []Hit{}, nil
	}
	rows, err := s.db.SearchTrees(ctx, dbq.SearchTreesParams{
		AccountID: p.AccountID, Query: query, PublishedOnly: publishedOnly(p), MaxRows: limit,
	})
	if err != nil {
		return nil, fmt.Errorf("search trees: %w", err)
	}
	out := make([]Hit, len(rows))
	for i, r := range rows {
		out[i] = Hit{Tree: toTree(r.Tree, domain.Definition{}), Rank: r.Rank, Snippet: highlight(r.Snippet)}
	}
	return out, nil
}

// tsquery turns free text into a to_tsquery expression made only of words, so that no input
// can be a tsquery syntax error.
func tsquery(q string) string {
	words := word.FindAllString(strings.ToLower(q), maxQueryWords)
	if len(words) == 0 {
		return ""
	}
	words[len(words)-1] += ":*"
	return strings.Join(words, " & ")
}

// highlight escapes a headline and turns the database's control-character markers into <mark>.
func highlight(headline string) string {
	return strings.NewReplacer("\x02", "<mark>", "\x03", "</mark>").Replace(html.EscapeString(headline))
}
