package domain

import "testing"

func TestMoveConversation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		from, to string
		want     Code
	}{
		{ConversationActive, ConversationPaused, ""},
		{ConversationPaused, ConversationActive, ""},
		{ConversationActive, ConversationResolved, ""},
		{ConversationPaused, ConversationAbandoned, ""},
		{ConversationActive, ConversationActive, EConflict},
		{ConversationResolved, ConversationActive, EConflict},
		{ConversationEscalated, ConversationPaused, EConflict},
		{ConversationAbandoned, ConversationResolved, EConflict},
		{ConversationPaused, ConversationEscalated, ""},
		{ConversationActive, "archived", EInvalid},
	}
	for _, c := range cases {
		if got := code(MoveConversation(c.from, c.to)); got != c.want {
			t.Errorf("%s -> %s: %q, want %q", c.from, c.to, got, c.want)
		}
	}
}
