import { ChevronRight, User } from "lucide-react";
import { memo } from "react";
import { Link } from "react-router";
import type { components } from "../../../gen/ts/schema";
import { Badge } from "../ui/Badge";
import { handoffStatusLabel, handoffStatusTone, priorityLabel, priorityTone } from "../ui/labels";
import { formatDuration } from "../ui/time";
import { ClaimButton, ClaimError, useClaim } from "./ClaimButton";

type Handoff = components["schemas"]["Handoff"];

/** One handoff in the queue: what, how urgent, how long it has waited, and who has it. */
export const HandoffCard = memo(function HandoffCard({ handoff: h, now, fresh }: { handoff: Handoff; now: number; fresh: boolean }) {
  const claim = useClaim(h.id);
  const context = [h.customer, h.ticket_ref, h.asset].filter(Boolean).join(" · ");
  const waiting = formatDuration(now - Date.parse(h.created_at));
  return (
    <li className={`card handoff-card priority-${h.priority}${fresh ? " is-new" : ""}`} data-handoff={h.id}>
      <div className="handoff-card-head">
        <Badge tone={priorityTone[h.priority]}>{priorityLabel[h.priority]}</Badge>
        <Badge tone={handoffStatusTone[h.status]}>{handoffStatusLabel[h.status]}</Badge>
        <span className="waiting" title="Waiting since it was escalated">
          <span className="sr-only">Waiting </span>
          {waiting}
        </span>
      </div>
      <h2 className="handoff-summary">
        <Link to={`/escalations/${h.id}`}>{h.summary}</Link>
      </h2>
      {(context || h.tree_title) && (
        <p className="handoff-context">
          {context}
          {context && h.tree_title ? " · " : ""}
          {h.tree_title && <span className="muted">{h.tree_title}</span>}
        </p>
      )}
      <div className="handoff-card-foot">
        <span className="handoff-people">
          <User size={14} aria-hidden /> {h.created_by_name ?? "A technician"}
          {h.target_user_name && <> → {h.target_user_name}</>}
          {h.status === "claimed" && h.claimed_by_name && <> · claimed by {h.claimed_by_name}</>}
        </span>
        <span className="handoff-actions">
          {h.status === "open" && <ClaimButton id={h.id} claim={claim} size="sm" label={`Claim: ${h.summary}`} />}
          <Link to={`/escalations/${h.id}`} className="btn btn-ghost btn-sm" aria-label={`Open: ${h.summary}`}>
            Open <ChevronRight size={14} aria-hidden />
          </Link>
        </span>
      </div>
      <ClaimError error={claim.error} />
    </li>
  );
});
