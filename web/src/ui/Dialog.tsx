import { X } from "lucide-react";
import { type FormEvent, type ReactNode, useEffect, useId, useRef } from "react";

interface Props {
  open: boolean;
  title: ReactNode;
  description?: ReactNode;
  onClose(): void;
  children: ReactNode;
  footer?: ReactNode;
  /** When set, the dialog is a form: Enter submits, and the footer's submit button sends it. */
  onSubmit?(e: FormEvent<HTMLFormElement>): void;
  size?: "sm" | "md";
}

/**
 * A modal on the native <dialog>: the browser traps focus, Escape closes it, and the page
 * behind is inert. Focus returns to what opened it.
 */
export function Dialog({ open, title, description, onClose, children, footer, onSubmit, size = "md" }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d || !open) return;
    // The browser returns focus to the opener when a dialog is closed, but not when React removes
    // it, which is how most dialogs end: remember the opener and go back to it either way.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!d.open) d.showModal();
    // React's autoFocus ran while the dialog was still closed: focus its first field now.
    d.querySelector<HTMLElement>(".dialog-body :is(input:not([type=radio]), textarea, select)")?.focus();
    return () => {
      if (d.open) d.close();
      if (opener?.isConnected) opener.focus();
    };
  }, [open]);
  const body = (
    <>
      <header className="dialog-header">
        <div>
          <h2 id={titleId} className="dialog-title">
            {title}
          </h2>
          {description && (
            <p id={descId} className="dialog-description">
              {description}
            </p>
          )}
        </div>
        <button type="button" className="icon-btn" onClick={onClose} aria-label="Close">
          <X size={18} aria-hidden />
        </button>
      </header>
      <div className="dialog-body">{children}</div>
      {footer && <footer className="dialog-footer">{footer}</footer>}
    </>
  );
  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${size}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descId : undefined}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open &&
        (onSubmit ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              onSubmit(e);
            }}
          >
            {body}
          </form>
        ) : (
          body
        ))}
    </dialog>
  );
}
