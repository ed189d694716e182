import { Wrench } from "lucide-react";
import type { components } from "../../../gen/ts/schema";
import { Badge } from "./Badge";
import { formatDuration, formatTime } from "./time";

type StepKind = components["schemas"]["StepKind"];

interface Step {
  kind: StepKind;
  title: string;
  answer?: string | undefined;
  note?: string | undefined;
  at?: string | undefined;
  /** How long the step took, when known. */
  took?: number | undefined;
}

/** One recorded step: what was asked or done, what came of it, the note, and when. */
export function TimelineStep({ kind, title, answer, note, at, took }: Step) {
  return (
    <li className={`timeline-item is-${kind}`}>
      <p className="timeline-title">
        {kind === "custom" && (
          <Badge tone="accent">
            <Wrench size={12} aria-hidden /> Custom
          </Badge>
        )}{" "}
        {title}
      </p>
      {answer && <p className="timeline-result">{answer}</p>}
      {note && <p className="timeline-note">{note}</p>}
      {at && (
        <p className="timeline-time">
          <time dateTime={at}>{formatTime(at)}</time>
          {took !== undefined && ` · ${formatDuration(took)}`}
        </p>
      )}
    </li>
  );
}
