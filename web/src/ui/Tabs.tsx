// Tabs as the WAI-ARIA tabs pattern has them: one tab stop for the whole list, arrow keys (and
// Home and End) move between tabs and select them, and each tab names the panel it controls.
import { type KeyboardEvent, type ReactNode, useRef } from "react";

export interface Tab<T extends string> {
  id: T;
  label: ReactNode;
}

interface Props<T extends string> {
  /** What the tabs choose between, for screen readers: "Format". */
  label: string;
  /** Keeps the ids of two tab lists on one page apart. */
  name: string;
  tabs: Tab<T>[];
  current: T;
  onSelect(id: T): void;
}

export function Tabs<T extends string>({ label, name, tabs, current, onSelect }: Props<T>) {
  const buttons = useRef(new Map<T, HTMLButtonElement>());
  const onKeyDown = (e: KeyboardEvent, at: number) => {
    const last = tabs.length - 1;
    const to = { ArrowRight: at === last ? 0 : at + 1, ArrowLeft: at === 0 ? last : at - 1, Home: 0, End: last }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const id = tabs[to]!.id;
    onSelect(id);
    buttons.current.get(id)?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((t, i) => (
        <button
          key={t.id}
          ref={(el) => {
            if (el) buttons.current.set(t.id, el);
            else buttons.current.delete(t.id);
          }}
          type="button"
          role="tab"
          id={tabId(name, t.id)}
          className="tab"
          aria-selected={t.id === current}
          aria-controls={panelId(name, t.id)}
          tabIndex={t.id === current ? 0 : -1}
          onClick={() => onSelect(t.id)}
          onKeyDown={(e) => onKeyDown(e, i)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

/** The attributes of the panel that shows the current tab. */
export function tabPanel(name: string, current: string) {
  return { role: "tabpanel", id: panelId(name, current), "aria-labelledby": tabId(name, current) } as const;
}

const tabId = (name: string, id: string) => `${name}-tab-${id}`;
const panelId = (name: string, id: string) => `${name}-panel-${id}`;
