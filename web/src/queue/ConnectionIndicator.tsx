import { useStreamStatus } from "../stream/StreamProvider";
import { useNow } from "../ui/useNow";

/** Whether the queue is live: the engineer must know when what they see may be stale. */
export function ConnectionIndicator() {
  const status = useStreamStatus();
  const now = useNow();
  let text: string;
  let tone: string;
  switch (status.state) {
    case "live":
      [text, tone] = ["Live", "live"];
      break;
    case "connecting":
      [text, tone] = ["Connecting…", "pending"];
      break;
    case "reconnecting": {
      const s = Math.max(0, Math.ceil((status.nextAttemptAt - now) / 1000));
      [text, tone] = [s > 0 ? `Reconnecting in ${s} s` : "Reconnecting…", "pending"];
      break;
    }
    case "offline":
      [text, tone] = ["Offline: waiting for the network", "down"];
      break;
    case "stopped":
      [text, tone] = [status.reason === "forbidden" ? "Not live: the queue needs the engineer role" : "Not live: sign in again", "down"];
      break;
  }
  // Screen readers hear the state change once, not the countdown every second.
  const spoken = status.state === "reconnecting" ? "Reconnecting" : text;
  return (
    <span className={`connection connection-${tone}`} title={status.state === "reconnecting" ? status.reason : undefined}>
      <span className="connection-dot" aria-hidden />
      <span aria-hidden>{text}</span>
      <span className="sr-only" role="status">
        {spoken}
      </span>
    </span>
  );
}
