package domain

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Assistant answers a technician in a conversation about a problem. Providers adapt it: a
// built-in one that retrieves the account's trees, or a chat-completions model.
type Assistant interface {
	// Reply returns the assistant's next message, passing each part to delta as it is
	// produced. It returns EUpstream when its provider fails.
	Reply(ctx context.Context, c Conversation, delta func(part string)) (string, error)
}

// Conversation is what the assistant knows when it replies.
type Conversation struct {
	Principal Principal
	Problem   string
	Messages  []AIMessage // oldest first; the last is the technician's
	// Linked is the guided session the conversation is about, if any, with its definition.
	Linked *Session
	Tree   *Definition
}

// AIMessage is one turn of a conversation.
type AIMessage struct {
	ID        uuid.UUID `json:"id"`
	Role      string    `json:"role"` // "user" or "assistant"
	Content   string    `json:"content"`
	CreatedAt time.Time `json:"created_at"`
}

// AISession is a conversation between a technician and the assistant.
type AISession struct {
	ID        uuid.UUID
	AccountID uuid.UUID
	UserID    uuid.UUID
	SessionID *uuid.UUID
	Problem   string
	TicketRef string
	Customer  string
	Asset     string
	Status    string
	Messages  []AIMessage
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Conversation statuses; see AISessionStatus in the contract.
const (
	ConversationActive    = "active"
	ConversationPaused    = "paused"
	ConversationResolved  = "resolved"
	ConversationEscalated = "escalated"
	ConversationAbandoned = "abandoned"
)

// MoveConversation checks a lifecycle transition: active and paused go to each other or end as
// resolved or abandoned; ended conversations stay as they are. Escalating is done by handing
// the conversation off, not here.
func MoveConversation(from, to string) error {
	open := from == ConversationActive || from == ConversationPaused
	switch {
	case !open:
		return Errorf(EConflict, "the conversation is %s and cannot change any more", from)
	case to == from:
		return Errorf(EConflict, "the conversation is already %s", from)
	case to == ConversationActive, to == ConversationPaused, to == ConversationResolved, to == ConversationAbandoned, to == ConversationEscalated:
		return nil
	}
	return Errorf(EInvalid, "a conversation cannot be set to %q: use active, paused, resolved or abandoned, or escalate it", to)
}
