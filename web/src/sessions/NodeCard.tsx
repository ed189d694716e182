import { CheckCircle2, Send, SkipForward } from "lucide-react";
import { type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { Badge } from "../ui/Badge";
import { Button } from "../ui/Button";
import { type TreeNode, optionForKey } from "./model";

const KIND = {
  question: { label: "Question", tone: "accent" },
  action: { label: "Action", tone: "info" },
  solution: { label: "Solution", tone: "success" },
  escalation: { label: "Escalation", tone: "warning" },
} as const;

interface Props {
  node: TreeNode;
  stepNumber: number;
  busy: boolean;
  onAnswer(optionId: string | undefined, note: string): void;
  onResolve(): void;
  onEscalate(): void;
}

/**
 * The step the technician stands at. Focus lands on the card when it appears, so that a screen
 * reader reads the question and the keys work at once: 1–9 pick an answer, the arrow keys move
 * between answers.
 */
export function NodeCard({ node, stepNumber, busy, onAnswer, onResolve, onEscalate }: Props) {
  const card = useRef<HTMLElement>(null);
  const options = useRef<(HTMLButtonElement | null)[]>([]);
  const [note, setNote] = useState("");
  const titleId = useId();
  const noteId = useId();
  useEffect(() => {
    card.current?.focus();
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    const target = e.target as HTMLElement;
    if (busy || target.tagName === "TEXTAREA" || target.tagName === "INPUT" || e.altKey || e.ctrlKey || e.metaKey) return;
    const picked = optionForKey(node, e.key);
    if (picked) {
      e.preventDefault();
      onAnswer(picked, note.trim());
      return;
    }
    const buttons = options.current.filter((b): b is HTMLButtonElement => b !== null);
    if (!buttons.length || !["ArrowDown", "ArrowUp", "ArrowRight", "ArrowLeft"].includes(e.key)) return;
    e.preventDefault();
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const step = e.key === "ArrowDown" || e.key === "ArrowRight" ? 1 : -1;
    buttons[(at + step + buttons.length) % buttons.length]?.focus();
  };

  const kind = KIND[node.type];
  return (
    <section ref={card} className={`card node-card node-${node.type}`} tabIndex={-1} aria-labelledby={titleId} onKeyDown={onKeyDown}>
      <div className="node-meta">
        <Badge tone={kind.tone}>{kind.label}</Badge>
        <span className="muted small">Step {stepNumber}</span>
      </div>
      <h2 id={titleId} className="node-text">
        {node.text}
      </h2>
      {node.help && <p className="node-help">{node.help}</p>}

      {node.type === "question" && (
        <div className="options" role="group" aria-label="Answers">
          {(node.options ?? []).map((o, i) => (
            <button
              key={o.id}
              ref={(el) => {
                options.current[i] = el;
              }}
              type="button"
              className="option"
              disabled={busy}
              aria-keyshortcuts={i < 9 ? String(i + 1) : undefined}
              onClick={() => onAnswer(o.id, note.trim())}
            >
              {i < 9 && (
                <kbd className="option-key" aria-hidden>
                  {i + 1}
                </kbd>
              )}
              <span>{o.label}</span>
            </button>
          ))}
        </div>
      )}
      {node.type === "action" && (
        <div className="node-cta">
          <Button variant="primary" size="lg" busy={busy} icon={<SkipForward size={18} aria-hidden />} onClick={() => onAnswer(undefined, note.trim())}>
            Done, next step
          </Button>
        </div>
      )}
      {node.type === "solution" && (
        <div className="node-cta">
          <Button variant="success" size="lg" icon={<CheckCircle2 size={18} aria-hidden />} onClick={onResolve}>
            Resolve the session
          </Button>
        </div>
      )}
      {node.type === "escalation" && (
        <div className="node-cta">
          <Button variant="primary" size="lg" icon={<Send size={18} aria-hidden />} onClick={onEscalate}>
            Escalate to an engineer
          </Button>
        </div>
      )}
      {(node.type === "question" || node.type === "action") && (
        <div className="node-note">
          <label htmlFor={noteId} className="field-label">
            Note for this step <span className="muted">(optional, goes into the ticket notes)</span>
          </label>
          <textarea id={noteId} className="input textarea" rows={2} maxLength={4000} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
      )}
    </section>
  );
}
