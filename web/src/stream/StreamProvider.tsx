import { createContext, type ReactNode, useContext, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { channel, locks, queryClient, tokens } from "../app/services";
import { StreamClient, type StreamStatus } from "./client";
import { applySignal, type EscalationEvent, parseEvent } from "./queries";
import { SharedStream, STREAM_CHANNEL } from "./shared";

const STREAM_URL = "/api/v1/ai-sessions/escalations/stream";
const STREAM_MIN_VALIDITY_MS = 90_000;

/** Handoffs that arrived live, by id, with when: the queue slides them in. */
class Arrivals {
  private readonly seen = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private snapshot: ReadonlyMap<string, number> = new Map();
  add(id: string) {
    this.seen.set(id, Date.now());
    this.snapshot = new Map(this.seen);
    for (const l of this.listeners) l();
  }
  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  get = () => this.snapshot;
}

interface Live {
  status: StreamStatus;
  arrivals: Arrivals;
  /** The latest event, for screen readers and for pages that follow one handoff. */
  last: EscalationEvent | null;
}

const LiveContext = createContext<Live | null>(null);

/**
 * Holds the browser's one escalation stream (or follows the tab that holds it), keeps the query
 * cache in step with it, and flashes the tab's title while hidden and new handoffs arrive.
 */
export function StreamProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<StreamStatus>({ state: "connecting" });
  const [last, setLast] = useState<EscalationEvent | null>(null);
  const arrivals = useMemo(() => new Arrivals(), []);
  const unseen = useTitleFlash();

  useEffect(() => {
    const shared = new SharedStream(
      {
        locks,
        channel: channel(STREAM_CHANNEL),
        createRunner: (handlers, resumeAfter) =>
          new StreamClient(
            {
              url: STREAM_URL,
              fetch: (...args) => fetch(...args),
              // The server refuses a stream whose token has under a minute left.
              token: () => tokens.valid(STREAM_MIN_VALIDITY_MS),
              refresh: async () => (await tokens.refresh())?.value ?? null,
              random: Math.random,
              now: Date.now,
              setTimeout: (fn, ms) => window.setTimeout(fn, ms),
              clearTimeout: (h) => window.clearTimeout(h as number),
              online: () => navigator.onLine,
            },
            handlers,
            resumeAfter,
          ),
      },
      {
        onEvent: (frame) => {
          const event = parseEvent(frame.data);
          if (!event) return;
          if (event.type === "handoff_created") {
            arrivals.add(event.handoff_id);
            unseen.bump();
          }
          setLast(event);
          void applySignal(queryClient, { kind: "event", event });
        },
        onConnected: () => void applySignal(queryClient, { kind: "connected" }),
        onReset: () => void applySignal(queryClient, { kind: "reset" }),
        onStatus: setStatus,
      },
    );
    shared.start();
    const online = () => shared.reconnectNow();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      shared.stop();
    };
  }, [arrivals, unseen]);

  const value = useMemo(() => ({ status, arrivals, last }), [status, arrivals, last]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error("the live stream is only for engineers' pages");
  return live;
}

export const useStreamStatus = () => useLive().status;
export const useLastEvent = () => useLive().last;

/** When each handoff that arrived live arrived. */
export function useArrivals(): ReadonlyMap<string, number> {
  const { arrivals } = useLive();
  return useSyncExternalStore(arrivals.subscribe, arrivals.get);
}

/** Counts handoffs that arrive while the tab is hidden and flashes the count in the title. */
function useTitleFlash() {
  const counter = useMemo(() => {
    let count = 0;
    let timer: ReturnType<typeof setInterval> | undefined;
    let base = document.title;
    const stop = () => {
      clearInterval(timer);
      timer = undefined;
      count = 0;
      document.title = base;
    };
    return {
      bump() {
        if (document.visibilityState === "visible") return;
        if (count === 0) base = document.title;
        count += 1;
        const flash = `(${count}) New escalation${count > 1 ? "s" : ""}`;
        document.title = `${flash} · ${base}`;
        clearInterval(timer);
        let on = true;
        timer = setInterval(() => {
          on = !on;
          document.title = on ? `${flash} · ${base}` : base;
        }, 1000);
      },
      stop,
    };
  }, []);
  useEffect(() => {
    const visible = () => document.visibilityState === "visible" && counter.stop();
    document.addEventListener("visibilitychange", visible);
    return () => {
      document.removeEventListener("visibilitychange", visible);
      counter.stop();
    };
  }, [counter]);
  return counter;
}
