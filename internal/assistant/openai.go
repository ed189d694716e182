package assistant

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/trees"
)

// OpenAI answers through any OpenAI-compatible chat-completions endpoint, streaming, with a
// system prompt built from the account's matching trees and the linked session's steps.
type OpenAI struct {
	BaseURL string // e.g. https://api.openai.com/v1
	APIKey  string
	Model   string
	Client  *http.Client
	// Timeout bounds one reply, from the request to the last chunk.
	Timeout time.Duration
	// Budget is the most characters of conversation sent; the oldest turns are dropped first,
	// never the system prompt nor the latest message.
	Budget int
	Trees  *trees.Service
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Reply asks the provider and passes on its streamed reply. Provider failures, timeouts and cut
// streams are EUpstream, with a message that says which.
func (o OpenAI) Reply(ctx context.Context, c domain.Conversation, delta func(string)) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	body, err := json.Marshal(map[string]any{"model": o.Model, "stream": true, "messages": o.prompt(ctx, c)})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(o.BaseURL, "/")+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+o.APIKey)
	resp, err := o.Client.Do(req)
	if err != nil {
		return "", upstream(ctx, "could not reach the assistant's provider", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return "", &domain.Error{Code: domain.EUpstream, Message: "the assistant's provider is rate limiting this account: try again in a moment"}
	case resp.StatusCode != http.StatusOK:
		return "", &domain.Error{Code: domain.EUpstream, Message: fmt.Sprintf("the assistant's provider answered %d: try again, or tell your administrator if it persists", resp.StatusCode)}
	}
	var reply strings.Builder
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if data == "[DONE]" {
			return reply.String(), nil
		}
		var chunk struct {
			Choices []struct {
				Delta struct {
					Content string `json:"content"`
				} `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(data), &chunk); err != nil {
			return "", upstream(ctx, "the assistant's provider sent an unreadable chunk", err)
		}
		for _, ch := range chunk.Choices {
			if ch.Delta.Content != "" {
				reply.WriteString(ch.Delta.Content)
				delta(ch.Delta.Content)
			}
		}
	}
	return "", upstream(ctx, "the assistant's reply was cut off before it ended", sc.Err())
}

func upstream(ctx context.Context, what string, cause error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		what = "the assistant's provider took too long to answer"
	}
	return errors.Join(&domain.Error{Code: domain.EUpstream, Message: what + ": your message is kept, try again"}, cause)
}

// prompt is the system prompt (what the account's trees say about the problem, and where the
// linked session stands) and as many of the latest turns as the budget allows.
func (o OpenAI) prompt(ctx context.Context, c domain.Conversation) []chatMessage {
	var sys strings.Builder
	sys.WriteString("You help a technician at a managed IT service provider troubleshoot a problem. Prefer the steps of the account's troubleshooting trees below; say when you are unsure, and suggest escalating to an engineer when the trees run out.\n")
	if o.Trees == nil {
		// No retrieval: the model answers from the conversation alone.
	} else if found, err := o.Trees.Match(ctx, c.Principal, c.Problem, matches); err == nil {
		for _, m := range found {
			fmt.Fprintf(&sys, "\nTree “%s” (%s): %s\n", m.Tree.Title, m.Tree.Category, m.Line)
		}
	}
	if c.Linked != nil && c.Tree != nil {
		steps := domain.SessionContext(*c.Linked, *c.Tree, "", "", time.Now()).Steps
		if len(steps) > 0 {
			sys.WriteString("\nWhat the technician has done so far in the guided session:\n")
			for i, st := range steps {
				fmt.Fprintf(&sys, "%d. %s", i+1, st.Text)
				if st.Answer != "" {
					fmt.Fprintf(&sys, " → %s", st.Answer)
				}
				if st.Note != "" {
					fmt.Fprintf(&sys, " (note: %s)", st.Note)
				}
				sys.WriteString("\n")
			}
		}
		describeSession(&sys, *c.Linked, *c.Tree)
	}
	msgs := []chatMessage{{Role: "system", Content: sys.String()}}
	used, keep := 0, 0
	for i := len(c.Messages) - 1; i >= 0; i-- {
		used += len(c.Messages[i].Content)
		if used > o.Budget && keep > 0 {
			break
		}
		keep++
	}
	for _, m := range c.Messages[len(c.Messages)-keep:] {
		msgs = append(msgs, chatMessage{Role: m.Role, Content: m.Content})
	}
	return msgs
}
