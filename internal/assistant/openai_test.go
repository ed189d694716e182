package assistant

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// provider is an httptest server speaking the chat-completions streaming wire format.
func provider(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) OpenAI {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(handle))
	t.Cleanup(srv.Close)
	return OpenAI{BaseURL: srv.URL + "/v1", APIKey: "sk-test", Model: "test-model", Client: srv.Client(), Timeout: time.Second, Budget: 60}
}

func stream(w http.ResponseWriter, chunks []string, done bool) {
	w.Header().Set("Content-Type", "text/event-stream")
	for _, c := range chunks {
		b, _ := json.Marshal(map[string]any{"choices": []map[string]any{{"delta": map[string]string{"content": c}}}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		w.(http.Flusher).Flush()
	}
	if done {
		fmt.Fprint(w, "data: [DONE]\n\n")
	}
}

func conversation() domain.Conversation {
	return domain.Conversation{Problem: "VPN drops", Messages: []domain.AIMessage{
		{Role: "user", Content: "an old message that the budget drops, long enough to go"},
		{Role: "assistant", Content: "an old answer"},
		{Role: "user", Content: "VPN drops every 10 minutes"},
	}}
}

func TestOpenAIStreamsAReply(t *testing.T) {
	t.Parallel()
	var got struct {
		Model    string        `json:"model"`
		Stream   bool          `json:"stream"`
		Messages []chatMessage `json:"messages"`
	}
	var auth string
	o := provider(t, func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		_ = json.NewDecoder(r.Body).Decode(&got)
		stream(w, []string{"Check the ", "keepalive ", "interval."}, true)
	})
	var parts []string
	reply, err := o.Reply(context.Background(), conversation(), func(p string) { parts = append(parts, p) })
	if err != nil || reply != "Check the keepalive interval." {
		t.Fatalf("Reply = %q, %v", reply, err)
	}
	if len(parts) != 3 || strings.Join(parts, "") != reply {
		t.Errorf("deltas %q do not make up the reply", parts)
	}
	if auth != "Bearer sk-test" || got.Model != "test-model" || !got.Stream {
		t.Errorf("request: auth %q, model %q, stream %v", auth, got.Model, got.Stream)
	}
	if len(got.Messages) != 3 || got.Messages[0].Role != "system" || got.Messages[2].Content != "VPN drops every 10 minutes" {
		t.Errorf("messages sent = %+v; want the system prompt and the turns that fit the budget, latest last", got.Messages)
	}
}

func TestOpenAIFailuresAreUpstreamErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		handle func(http.ResponseWriter, *http.Request)
		says   string
	}{
		"rate limited": {func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "20")
			http.Error(w, `{"error":{"message":"rate limit"}}`, http.StatusTooManyRequests)
		}, "rate limiting"},
		"server error":   {func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) }, "answered 500"},
		"cut mid-stream": {func(w http.ResponseWriter, _ *http.Request) { stream(w, []string{"Check the "}, false) }, "cut off"},
		"slow": {func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		}, "took too long"},
		"garbage chunk": {func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "data: {not json\n\n") }, "unreadable"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := provider(t, c.handle).Reply(context.Background(), conversation(), func(string) {})
			if domain.ErrorCode(err) != domain.EUpstream || !strings.Contains(err.Error(), c.says) {
				t.Errorf("Reply error = %v, want EUpstream saying %q", err, c.says)
			}
		})
	}
}

// A conversation linked to a guided session tells the model what was done and where it stands.
func TestOpenAIPromptCarriesTheSession(t *testing.T) {
	t.Parallel()
	def := domain.Definition{Root: "q", Nodes: []domain.Node{
		{ID: "q", Type: domain.NodeQuestion, Text: "Is the tunnel up?", Options: []domain.Option{{ID: "no", Label: "No", Next: "fix"}, {ID: "yes", Label: "Yes", Next: "done"}}},
		{ID: "fix", Type: domain.NodeAction, Text: "Reinstall the VPN client", Next: "done"},
		{ID: "done", Type: domain.NodeSolution, Text: "Fixed"},
	}}
	sess := domain.Session{TreeTitle: "VPN", TreeVersion: 2, Status: domain.SessionInProgress, CurrentNode: "fix",
		Steps: []domain.Step{{Kind: domain.StepAnswer, NodeID: "q", OptionID: "no", ToNodeID: "fix", Note: "red icon"}}}
	c := conversation()
	c.Linked, c.Tree = &sess, &def
	system := OpenAI{Budget: 100}.prompt(context.Background(), c)[0].Content
	for _, want := range []string{"1. Is the tunnel up? → No (note: red icon)", "is at: “Reinstall the VPN client”", "next: Fixed"} {
		if !strings.Contains(system, want) {
			t.Errorf("the system prompt lacks %q:\n%s", want, system)
		}
	}
}
