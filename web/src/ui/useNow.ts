import { useSyncExternalStore } from "react";

// One ticking clock for the whole page, so that a queue of fifty waiting times re-renders once
// a second, not fifty timers.
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (!timer) {
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The current time, updated every second while a component uses it. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now);
}
