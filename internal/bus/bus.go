package bus

import (
	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// Bus announces, after a commit, that an account has new events, to this process or to all of
// them, carrying the events this process committed so that its own hub need not read them back.
// Announcing never blocks the caller and never fails it: a lost announcement only delays
// delivery until the hub's periodic catch-up (see Hub.Run).
type Bus interface {
	Announce(account uuid.UUID, committed ...domain.EscalationEvent)
}

// Memory is the bus of a single replica: it hands the events to the local hub.
type Memory struct{ Hub *Hub }

func (m Memory) Announce(account uuid.UUID, committed ...domain.EscalationEvent) {
	if len(committed) == 0 {
		m.Hub.Wake(account, 0)
		return
	}
	m.Hub.Committed(account, committed...)
}
