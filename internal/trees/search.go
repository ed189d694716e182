package trees

import (
	"context"
	"fmt"
	"html"
	"math/bits"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// Hit is one search result.
type Hit struct {
	Tree    domain.Tree
	Rank    float64
	Snippet string // HTML: matches in <mark>, everything else escaped
}

var wordPattern = regexp.MustCompile(`[\p{L}\p{N}]+`)

// maxQueryWords bounds the tsquery a caller can make the database evaluate.
const maxQueryWords = 12

// Search ranks the caller's visible trees by full-text relevance to q. Every word must match;
// the last one matches as a prefix, so that results follow typing ("vpn disconn" finds
// "disconnects").
func (s *Service) Search(ctx context.Context, p domain.Principal, q string, limit int32) ([]Hit, error) {
	words := wordPattern.FindAllString(strings.ToLower(q), maxQueryWords)
	if len(words) == 0 {
		return []Hit{}, nil
	}
	rows, err := s.db.SearchTrees(ctx, dbq.SearchTreesParams{
		AccountID: p.AccountID, Query: tsquery(words), PublishedOnly: publishedOnly(p), MaxRows: limit,
	})
	if err != nil {
		return nil, fmt.Errorf("search trees: %w", err)
	}
	out := make([]Hit, len(rows))
	for i, r := range rows {
		out[i] = Hit{Tree: toTree(r.Tree, domain.Definition{}), Rank: r.Rank, Snippet: snippet(r.Body, words)}
	}
	return out, nil
}

// minPrefix is the shortest last word matched as a prefix: a shorter one would match much of
// every tree's text and find everything.
const minPrefix = 3

// tsquery joins words, made only of letters and digits, into a to_tsquery expression, so that no
// input can be a tsquery syntax error. The last word is a prefix if it is long enough.
func tsquery(words []string) string {
	q := strings.Join(words, " & ")
	if len([]rune(words[len(words)-1])) >= minPrefix {
		q += ":*"
	}
	return q
}

// snippetLen is roughly how much text a snippet shows around its first match.
const snippetLen = 160

// snippet picks the line of body (title, description, tags, one node's text each) that matches
// most of the query words, cuts it around its first match, escapes it and marks the matches.
// PostgreSQL's ts_headline would do this, but it parses each whole document, which costs more
// than the search itself; here the lines are found with substring search over the lower-cased
// body and only the chosen line is tokenised.
func snippet(body string, words []string) string {
	line := bestLine(body, words)
	return mark(cut(line, words), words)
}

func bestLine(body string, words []string) string {
	first, _, _ := strings.Cut(body, "\n")
	lower := strings.ToLower(body)
	if len(lower) != len(body) {
		// Lower-casing changed byte offsets (rare letters); settle for the title.
		return first
	}
	found := map[int]uint32{} // line start → bit set of the words found in the line
	for i, w := range words[:min(len(words), 32)] {
		pattern := stem(w)
		if i == len(words)-1 && len([]rune(w)) >= minPrefix {
			pattern = w
		}
		for off := 0; ; {
			j := strings.Index(lower[off:], pattern)
			if j < 0 {
				break
			}
			at := off + j
			if at == 0 || !isWordByte(lower[at-1]) {
				found[strings.LastIndexByte(lower[:at], '\n')+1] |= 1 << i
			}
			off = at + len(pattern)
		}
	}
	bestStart, bestCount := -1, 0
	for start, set := range found {
		if n := bits.OnesCount32(set); n > bestCount || n == bestCount && start < bestStart {
			bestStart, bestCount = start, n
		}
	}
	if bestStart < 0 {
		return first
	}
	line, _, _ := strings.Cut(body[bestStart:], "\n")
	return line
}

// isWordByte approximates a letter or digit at byte level; bytes of multi-byte characters count
// as letters.
func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80
}

// tokens returns the [start, end) byte spans of the words (runs of letters and digits) in s.
func tokens(s string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range s {
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(s)})
	}
	return out
}

// matchingWord returns the index of the query word token matches, or -1. Words other than the
// last match on a crude stem, as the English text search configuration would; the last matches
// as a prefix.
func matchingWord(token string, words []string) int {
	token = strings.ToLower(token)
	for i, w := range words {
		prefix := i == len(words)-1 && len([]rune(w)) >= minPrefix
		if prefix && strings.HasPrefix(token, w) || strings.HasPrefix(token, stem(w)) && len(token) <= len(w)+3 {
			return i
		}
	}
	return -1
}

func stem(w string) string {
	for _, suffix := range []string{"ing", "es", "ed", "s"} {
		if len(w)-len(suffix) >= 3 && strings.HasSuffix(w, suffix) {
			return w[:len(w)-len(suffix)]
		}
	}
	return w
}

// cut shortens a long line to a window around its first match, preferring word boundaries and
// never splitting a character.
func cut(line string, words []string) string {
	if len(line) <= snippetLen {
		return line
	}
	start := 0
	for _, t := range tokens(line) {
		if matchingWord(line[t[0]:t[1]], words) >= 0 {
			start = max(0, t[0]-snippetLen/3)
			break
		}
	}
	end := min(len(line), start+snippetLen)
	// Move start forward to just after a space, unless that would pass the match; move end
	// back to a space, unless the window would then be empty. Then settle both on characters.
	if i := strings.IndexByte(line[start:end], ' '); start > 0 && i >= 0 && start+i+1 < end {
		start += i + 1
	}
	if i := strings.LastIndexByte(line[start:end], ' '); end < len(line) && i > 0 {
		end = start + i
	}
	for start > 0 && !utf8.RuneStart(line[start]) {
		start--
	}
	for end < len(line) && !utf8.RuneStart(line[end]) {
		end--
	}
	out := strings.TrimSpace(line[start:end])
	if start > 0 {
		out = "… " + out
	}
	if end < len(line) {
		out += " …"
	}
	return out
}

// mark escapes text for HTML and wraps the tokens that match a query word in <mark>.
func mark(text string, words []string) string {
	var b strings.Builder
	last := 0
	for _, t := range tokens(text) {
		if matchingWord(text[t[0]:t[1]], words) < 0 {
			continue
		}
		b.WriteString(html.EscapeString(text[last:t[0]]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[t[0]:t[1]]))
		b.WriteString("</mark>")
		last = t[1]
	}
	b.WriteString(html.EscapeString(text[last:]))
	return b.String()
}

// stopWords are common English words that say nothing about a problem.
var stopWords = map[string]bool{
	"the": true, "and": true, "for": true, "with": true, "that": true, "this": true, "from": true, "have": true,
	"has": true, "was": true, "are": true, "not": true, "but": true, "you": true, "your": true, "our": true,
	"they": true, "when": true, "what": true, "again": true, "keeps": true, "does": true, "can": true, "cannot": true,
}

// Match is a tree the assistant's retrieval found.
type Match struct {
	Tree  domain.Tree
	Line  string   // the tree's text line that matched best, plain text
	Words []string // the words of the request it matched
}

// Match finds the published trees matching any word of a technician's sentence, best first.
// Unlike Search, which wants every word, it suits free descriptions of a problem.
func (s *Service) Match(ctx context.Context, p domain.Principal, text string, limit int32) ([]Match, error) {
	words := wordPattern.FindAllString(strings.ToLower(text), maxQueryWords)
	if len(words) == 0 {
		return []Match{}, nil
	}
	query := strings.Join(words, " | ")
	if len([]rune(words[len(words)-1])) >= minPrefix {
		query += ":*"
	}
	rows, err := s.db.MatchTrees(ctx, dbq.MatchTreesParams{AccountID: p.AccountID, Query: query, MaxRows: limit})
	if err != nil {
		return nil, fmt.Errorf("match trees: %w", err)
	}
	out := make([]Match, len(rows))
	for i, r := range rows {
		lower := strings.ToLower(r.Body)
		var matched []string
		for _, w := range words {
			if stopWords[w] || len(w) < minPrefix {
				continue // PostgreSQL ignores them too; naming them as matches would mislead
			}
			if strings.Contains(lower, stem(w)) && !slices.Contains(matched, w) {
				matched = append(matched, w)
			}
		}
		out[i] = Match{Tree: toTree(r.Tree, domain.Definition{}), Line: bestLine(r.Body, matched), Words: matched}
	}
	return out, nil
}
