package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/apitest"
	"github.com/resolutionflow/resolutionflow/internal/app"
	"github.com/resolutionflow/resolutionflow/internal/demo"
)

// demoSignIns seeds the demo account (its six trees) on the test server and signs its users in.
func demoSignIns(t *testing.T, s *apitest.Server) map[string]apitest.Caller {
	t.Helper()
	signIns, err := demo.Seed(context.Background(), s.DB, false)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]apitest.Caller{}
	for _, si := range signIns {
		c := s.Login(si.Email, si.Password)
		me, _ := c.Client.GetMeWithResponse(context.Background())
		c.UserID, c.AccountID = me.JSON200.User.Id, me.JSON200.Account.Id
		out[string(si.Role)] = c
	}
	return out
}

func TestBuiltinAssistantFindsTreesAndFollowsASession(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	users := demoSignIns(t, s)
	tech, eng := users["viewer"], users["engineer"]

	r, err := tech.Client.CreateAISessionWithResponse(ctx, oapi.AISessionCreate{Problem: "Outlook keeps asking for my password"})
	if err != nil || r.StatusCode() != http.StatusCreated {
		t.Fatalf("create: %v %d %s", err, r.StatusCode(), r.Body)
	}
	conv := r.JSON201
	if len(conv.Messages) != 2 || conv.Messages[0].Role != oapi.AIMessageRoleUser || conv.Messages[1].Role != oapi.AIMessageRoleAssistant {
		t.Fatalf("messages = %+v", conv.Messages)
	}
	reply := conv.Messages[1].Content
	if !strings.Contains(reply, "Best match: start a guided session on “Outlook won't start”") || !strings.Contains(reply, "built-in assistant") {
		t.Errorf("the reply does not lead to the Outlook tree, or hides what it is:\n%s", reply)
	}

	// Linked to a guided session, the assistant says where it stands.
	search, _ := tech.Client.SearchTreesWithResponse(ctx, &oapi.SearchTreesParams{Q: "outlook"})
	sess := startSession(t, tech, search.JSON200.Items[0].Tree.Id)
	linked, _ := tech.Client.CreateAISessionWithResponse(ctx, oapi.AISessionCreate{Problem: "Outlook hangs on the splash screen", SessionId: &sess.Id})
	if linked.StatusCode() != http.StatusCreated || !strings.Contains(linked.JSON201.Messages[1].Content, sess.CurrentNode.Text) {
		t.Fatalf("linked reply does not state the current step %q:\n%s", sess.CurrentNode.Text, linked.Body)
	}

	more, _ := tech.Client.SendAIMessageWithResponse(ctx, conv.Id, oapi.AIMessageCreate{Content: "the printer on floor 2 shows offline"})
	if more.StatusCode() != http.StatusOK || len(more.JSON200.Messages) != 4 || !strings.Contains(more.JSON200.Messages[3].Content, "Printer offline") {
		t.Fatalf("second turn: %d %s", more.StatusCode(), more.Body)
	}
	nothing, _ := tech.Client.SendAIMessageWithResponse(ctx, conv.Id, oapi.AIMessageCreate{Content: "zzqx"})
	if !strings.Contains(nothing.JSON200.Messages[5].Content, "No published tree matches") {
		t.Errorf("no-match reply: %s", nothing.JSON200.Messages[5].Content)
	}

	if r, _ := eng.Client.GetAISessionWithResponse(ctx, conv.Id); r.StatusCode() != http.StatusOK {
		t.Errorf("an engineer reads a technician's conversation: %d", r.StatusCode())
	}
	if r, _ := eng.Client.SendAIMessageWithResponse(ctx, conv.Id, oapi.AIMessageCreate{Content: "hi"}); r.StatusCode() != http.StatusForbidden {
		t.Errorf("an engineer writes in a technician's conversation: %d, want 403", r.StatusCode())
	}
	list, _ := tech.Client.ListAISessionsWithResponse(ctx, &oapi.ListAISessionsParams{})
	if list.JSON200.Total != 2 {
		t.Errorf("the technician lists %d conversations, want 2", list.JSON200.Total)
	}
}

func TestConversationsOfOthersAreNotFound(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	a := s.Register("Account A")
	b := s.Register("Account B")
	bViewer := s.AddUser(b, oapi.Viewer)
	otherViewer := s.AddUser(b, oapi.Viewer)
	conv, _ := bViewer.Client.CreateAISessionWithResponse(ctx, oapi.AISessionCreate{Problem: "VPN drops"})
	id := conv.JSON201.Id

	for name, c := range map[string]apitest.Caller{"another account's admin": a, "another technician": otherViewer} {
		if r, _ := c.Client.GetAISessionWithResponse(ctx, id); r.StatusCode() != http.StatusNotFound {
			t.Errorf("%s reads the conversation: %d, want 404", name, r.StatusCode())
		}
		if r, _ := c.Client.SendAIMessageWithResponse(ctx, id, oapi.AIMessageCreate{Content: "x"}); r.StatusCode() != http.StatusNotFound {
			t.Errorf("%s writes in the conversation: %d, want 404", name, r.StatusCode())
		}
	}
	if l, _ := a.Client.ListAISessionsWithResponse(ctx, &oapi.ListAISessionsParams{}); l.JSON200.Total != 0 {
		t.Errorf("account A lists %d conversations", l.JSON200.Total)
	}
	if l, _ := a.Client.ListAISessionsWithResponse(ctx, &oapi.ListAISessionsParams{UserId: &bViewer.UserID}); l.JSON200.Total != 0 {
		t.Errorf("account A lists %d conversations of B's technician", l.JSON200.Total)
	}
	// An engineer narrows the account's conversations to one technician's; a viewer's filter
	// never widens what they see.
	otherConv, _ := otherViewer.Client.CreateAISessionWithResponse(ctx, oapi.AISessionCreate{Problem: "Printer jams"})
	if l, _ := b.Client.ListAISessionsWithResponse(ctx, &oapi.ListAISessionsParams{UserId: &otherViewer.UserID}); l.JSON200.Total != 1 || l.JSON200.Items[0].Id != otherConv.JSON201.Id {
		t.Errorf("B's admin filtering by technician lists %+v, want only their conversation", l.JSON200.Items)
	}
	if l, _ := bViewer.Client.ListAISessionsWithResponse(ctx, &oapi.ListAISessionsParams{UserId: &otherViewer.UserID}); l.JSON200.Total != 0 {
		t.Errorf("a technician filtering by a colleague lists %d conversations, want none", l.JSON200.Total)
	}
	// A conversation cannot link to another account's session.
	tree, _ := createTree(t, b, printerTree("B's tree", oapi.TreeWriteStatusPublished))
	sess := startSession(t, b, tree.Id)
	if r, _ := a.Client.CreateAISessionWithResponse(ctx, oapi.AISessionCreate{Problem: "x", SessionId: &sess.Id}); r.StatusCode() != http.StatusNotFound {
		t.Errorf("linking another account's session = %d, want 404", r.StatusCode())
	}
}

func TestEscalatingAConversationCarriesItsTranscript(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	users := demoSignIns(t, s)
	tech, eng := users["viewer"], users["engineer"]
	conv, _ := tech.Client.CreateAISessionWithResponse(ctx, oapi.AISessionCreate{Problem: "VPN will not connect from home", TicketRef: ptr("PSA-77"), Customer: ptr("Contoso")})
	id := conv.JSON201.Id

	if r, _ := eng.Client.EscalateAISessionWithResponse(ctx, id, &oapi.EscalateAISessionParams{}, oapi.EscalationRequest{Summary: "x"}); r.StatusCode() != http.StatusForbidden {
		t.Errorf("an engineer escalating a technician's conversation = %d, want 403", r.StatusCode())
	}
	key := "conv-1"
	r, err := tech.Client.EscalateAISessionWithResponse(ctx, id, &oapi.EscalateAISessionParams{IdempotencyKey: &key}, oapi.EscalationRequest{Summary: "VPN down at home", Priority: ptr(oapi.High)})
	if err != nil || r.StatusCode() != http.StatusCreated || r.JSON201.Source != oapi.HandoffSourceAiSession || *r.JSON201.AiSessionId != id {
		t.Fatalf("escalate: %v %d %s", err, r.StatusCode(), r.Body)
	}
	again, _ := tech.Client.EscalateAISessionWithResponse(ctx, id, &oapi.EscalateAISessionParams{IdempotencyKey: &key}, oapi.EscalationRequest{Summary: "VPN down at home", Priority: ptr(oapi.High)})
	if again.StatusCode() != http.StatusCreated || again.JSON201.Id != r.JSON201.Id {
		t.Errorf("retry with the same key = %d, want the first handoff", again.StatusCode())
	}
	if other, _ := tech.Client.EscalateAISessionWithResponse(ctx, id, &oapi.EscalateAISessionParams{IdempotencyKey: &key}, oapi.EscalationRequest{Summary: "VPN down at home"}); other.StatusCode() != http.StatusUnprocessableEntity {
		t.Errorf("the same key with another body = %d, want 422", other.StatusCode())
	}
	if twice, _ := tech.Client.EscalateAISessionWithResponse(ctx, id, &oapi.EscalateAISessionParams{}, oapi.EscalationRequest{Summary: "again"}); twice.StatusCode() != http.StatusConflict {
		t.Errorf("escalating twice = %d, want 409", twice.StatusCode())
	}
	if after, _ := tech.Client.SendAIMessageWithResponse(ctx, id, oapi.AIMessageCreate{Content: "hello?"}); after.StatusCode() != http.StatusConflict {
		t.Errorf("a message after escalating = %d, want 409", after.StatusCode())
	}

	detail, _ := eng.Client.GetEscalationWithResponse(ctx, r.JSON201.Id)
	c := detail.JSON200.Context
	if len(c.Transcript) != 2 || c.Transcript[0].Content != "VPN will not connect from home" || !strings.Contains(deref(c.Assessment), "VPN won't connect") ||
		deref(c.TicketRef) != "PSA-77" || deref(c.Customer) != "Contoso" {
		t.Fatalf("context = %+v", c)
	}
	events, _ := eng.Client.ListEscalationEventsWithResponse(ctx, &oapi.ListEscalationEventsParams{})
	if n := len(events.JSON200.Items); n != 1 || events.JSON200.Items[0].Handoff.Id != r.JSON201.Id {
		t.Errorf("events = %+v", events.JSON200.Items)
	}
	if got, _ := tech.Client.GetAISessionWithResponse(ctx, id); got.JSON200.Status != oapi.AISessionStatusEscalated {
		t.Errorf("the conversation is %s, want escalated", got.JSON200.Status)
	}
}

// Through a chat-completions provider: the reply is stored; a provider failure answers 502 and
// keeps the technician's message, and the conversation goes on.
func TestConversationThroughAChatCompletionsProvider(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if fail.Load() {
			http.Error(w, "rate limited", http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"choices\":[{\"delta\":{\"content\":\"Restart the \"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"VPN client.\"}}]}\n\ndata: [DONE]\n\n")
	}))
	t.Cleanup(provider.Close)
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) {
		st.AI = app.AISettings{Provider: "openai", BaseURL: provider.URL, APIKey: "k", Model: "m", Timeout: 5 * time.Second, ContextChars: 10000, CallsPerMinute: 30, MaxMessages: 200}
	}))
	ctx := context.Background()
	tech := s.Register("Model")
	conv, err := tech.Client.CreateAISessionWithResponse(ctx, oapi.AISessionCreate{Problem: "VPN drops"})
	if err != nil || conv.StatusCode() != http.StatusCreated || conv.JSON201.Messages[1].Content != "Restart the VPN client." {
		t.Fatalf("create: %v %d %s", err, conv.StatusCode(), conv.Body)
	}
	fail.Store(true)
	r, _ := tech.Client.SendAIMessageWithResponse(ctx, conv.JSON201.Id, oapi.AIMessageCreate{Content: "still drops"})
	if r.StatusCode() != http.StatusBadGateway || !strings.Contains(deref(r.ApplicationproblemJSON502.Detail), "rate limiting") {
		t.Fatalf("provider failure = %d %s, want 502 saying so", r.StatusCode(), r.Body)
	}
	fail.Store(false)
	// The same words again are the retry: answered, and not stored twice.
	retry, _ := tech.Client.SendAIMessageWithResponse(ctx, conv.JSON201.Id, oapi.AIMessageCreate{Content: "still drops"})
	if retry.StatusCode() != http.StatusOK || len(retry.JSON200.Messages) != 4 || retry.JSON200.Messages[2].Content != "still drops" || retry.JSON200.Messages[3].Role != oapi.AIMessageRoleAssistant {
		t.Fatalf("retry = %d with %d messages, want the kept message once and its reply", retry.StatusCode(), len(retry.JSON200.Messages))
	}
	// After a reply, the same words are a new message.
	again, _ := tech.Client.SendAIMessageWithResponse(ctx, conv.JSON201.Id, oapi.AIMessageCreate{Content: "still drops"})
	if again.StatusCode() != http.StatusOK || len(again.JSON200.Messages) != 6 || again.JSON200.Messages[4].Content != "still drops" {
		t.Fatalf("after a reply the conversation has %d messages (%d), want the message stored again and a new turn", len(again.JSON200.Messages), again.StatusCode())
	}
}

// With Accept: text/event-stream the reply arrives as delta events, then done with the stored
// conversation; the parts make up the stored reply.
func TestRepliesStreamToTheClient(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	users := demoSignIns(t, s)
	tech := users["viewer"]
	conv, _ := tech.Client.CreateAISessionWithResponse(ctx, oapi.AISessionCreate{Problem: "printer"})

	req, err := http.NewRequest(http.MethodPost, s.URL+"/api/v1/ai-sessions/"+conv.JSON201.Id.String()+"/messages", strings.NewReader(`{"content":"the printer shows offline"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+tech.AccessToken)
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("streamed reply: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var parts strings.Builder
	var done oapi.AISession
	deltas := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "delta":
			var d struct{ Content string }
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &d); err != nil {
				t.Fatal(err)
			}
			parts.WriteString(d.Content)
			deltas++
		case strings.HasPrefix(line, "data: ") && event == "done":
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &done); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(line, "data: ") && event == "error":
			t.Fatalf("error event: %s", line)
		}
	}
	if deltas < 2 || len(done.Messages) != 4 || done.Messages[3].Content != parts.String() || !strings.Contains(parts.String(), "Printer offline") {
		t.Fatalf("%d deltas making %q; done has %d messages", deltas, parts.String(), len(done.Messages))
	}
}

func TestConversationLifecycleAndLimits(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) {
		st.AI = app.AISettings{Provider: "builtin", CallsPerMinute: 4, MaxMessages: 4}
	}))
	ctx := context.Background()
	tech := s.Register("Lifecycle")
	other := s.AddUser(tech, oapi.Engineer)
	conv, _ := tech.Client.CreateAISessionWithResponse(ctx, oapi.AISessionCreate{Problem: "printer"}) // call 1, messages 2
	id := conv.JSON201.Id
	move := func(c apitest.Caller, to oapi.AISessionUpdateStatus) int {
		r, err := c.Client.UpdateAISessionWithResponse(ctx, id, oapi.AISessionUpdate{Status: to})
		if err != nil {
			t.Fatal(err)
		}
		return r.StatusCode()
	}
	if st := move(other, oapi.AISessionUpdateStatusPaused); st != http.StatusForbidden {
		t.Errorf("another user pauses it: %d, want 403", st)
	}
	if st := move(tech, oapi.AISessionUpdateStatusPaused); st != http.StatusOK {
		t.Fatalf("pause: %d", st)
	}
	if r, _ := tech.Client.SendAIMessageWithResponse(ctx, id, oapi.AIMessageCreate{Content: "x"}); r.StatusCode() != http.StatusConflict {
		t.Errorf("a message to a paused conversation = %d, want 409", r.StatusCode())
	}
	if st := move(tech, oapi.AISessionUpdateStatusActive); st != http.StatusOK {
		t.Fatalf("resume: %d", st)
	}
	if r, _ := tech.Client.SendAIMessageWithResponse(ctx, id, oapi.AIMessageCreate{Content: "printer offline"}); r.StatusCode() != http.StatusOK { // call 2, messages 4
		t.Fatalf("send: %d", r.StatusCode())
	}
	if r, _ := tech.Client.SendAIMessageWithResponse(ctx, id, oapi.AIMessageCreate{Content: "more"}); r.StatusCode() != http.StatusConflict {
		t.Errorf("past the message limit = %d, want 409", r.StatusCode())
	}
	wantStatus(t, http.StatusCreated)(tech.Client.CreateAISessionWithResponse(ctx, oapi.AISessionCreate{Problem: "vpn"})) // call 3
	wantStatus(t, http.StatusCreated)(tech.Client.CreateAISessionWithResponse(ctx, oapi.AISessionCreate{Problem: "dns"})) // call 4
	limited, _ := tech.Client.CreateAISessionWithResponse(ctx, oapi.AISessionCreate{Problem: "mfa"})
	if limited.StatusCode() != http.StatusTooManyRequests || limited.HTTPResponse.Header.Get("Retry-After") == "" {
		t.Errorf("the 5th call in a minute = %d, want 429 with Retry-After", limited.StatusCode())
	}
	if st := move(tech, oapi.AISessionUpdateStatusResolved); st != http.StatusOK {
		t.Fatalf("resolve: %d", st)
	}
	if l, _ := tech.Client.ListAISessionsWithResponse(ctx, &oapi.ListAISessionsParams{Status: ptr(oapi.AISessionStatusResolved)}); l.JSON200.Total != 1 || l.JSON200.Items[0].Id != id {
		t.Errorf("status filter: %+v", l.JSON200)
	}
	if st := move(tech, oapi.AISessionUpdateStatusActive); st != http.StatusConflict {
		t.Errorf("reopening a resolved conversation = %d, want 409", st)
	}
	if r, _ := tech.Client.EscalateAISessionWithResponse(ctx, id, &oapi.EscalateAISessionParams{}, oapi.EscalationRequest{Summary: "x"}); r.StatusCode() != http.StatusConflict {
		t.Errorf("escalating a resolved conversation = %d, want 409", r.StatusCode())
	}
}
