import { AlertTriangle, CheckCircle2, Info, XCircle } from "lucide-react";
import type { ReactNode } from "react";
import { ApiError, describeError } from "../api/errors";

type Tone = "info" | "success" | "warning" | "danger";

const ICONS = { info: Info, success: CheckCircle2, warning: AlertTriangle, danger: XCircle };

export function Alert({ tone = "info", title, children, action }: { tone?: Tone; title?: ReactNode; children?: ReactNode; action?: ReactNode }) {
  const Icon = ICONS[tone];
  return (
    <div className={`alert alert-${tone}`} role={tone === "danger" || tone === "warning" ? "alert" : "status"}>
      <Icon size={18} aria-hidden className="alert-icon" />
      <div className="alert-body">
        {title && <p className="alert-title">{title}</p>}
        {children && <div>{children}</div>}
      </div>
      {action}
    </div>
  );
}

/** An API problem as a person reads it: what went wrong and, per field, why. Never swallowed. */
export function ProblemAlert({ error, title, action }: { error: unknown; title?: string; action?: ReactNode }) {
  if (!error) return null;
  const fields = error instanceof ApiError ? (error.problem.errors ?? []).filter((e) => e.detail) : [];
  return (
    <Alert tone="danger" title={title ?? describeError(error)} action={action}>
      {title && <p>{describeError(error)}</p>}
      {fields.length > 1 && (
        <ul className="alert-list">
          {fields.map((f, i) => (
            <li key={i}>
              {f.pointer && f.pointer !== "/" ? <code>{f.pointer.replace(/^\//, "")}</code> : null} {f.detail}
            </li>
          ))}
        </ul>
      )}
    </Alert>
  );
}
