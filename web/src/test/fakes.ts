// Fakes of the browser's tab coordination for unit tests: Web Locks and BroadcastChannel,
// shared by several "tabs" in one test.

/** A lock manager shared by the tabs of one fake browser: exclusive locks, granted in order. */
export class FakeLocks {
  private readonly held = new Set<string>();
  private readonly waiting = new Map<string, { grant: () => void; signal?: AbortSignal }[]>();

  request<T>(name: string, optionsOrCallback: { signal?: AbortSignal } | (() => Promise<T>), maybeCallback?: () => Promise<T>): Promise<T> {
    const options = typeof optionsOrCallback === "function" ? {} : optionsOrCallback;
    const callback = (typeof optionsOrCallback === "function" ? optionsOrCallback : maybeCallback)!;
    return new Promise<T>((resolve, reject) => {
      const grant = () => {
        this.held.add(name);
        callback()
          .then(resolve, reject)
          .finally(() => {
            this.held.delete(name);
            this.next(name);
          });
      };
      if (!this.held.has(name)) {
        grant();
        return;
      }
      const queue = this.waiting.get(name) ?? [];
      const entry = { grant, signal: options.signal };
      queue.push(entry);
      this.waiting.set(name, queue);
      options.signal?.addEventListener("abort", () => {
        const i = queue.indexOf(entry);
        if (i >= 0) queue.splice(i, 1);
        reject(new DOMException("aborted", "AbortError"));
      });
    });
  }

  isHeld(name: string): boolean {
    return this.held.has(name);
  }

  private next(name: string): void {
    const queue = this.waiting.get(name);
    const entry = queue?.shift();
    entry?.grant();
  }
}

/** BroadcastChannels of one fake browser: a message reaches every other channel of its name. */
export class FakeChannels {
  private readonly members = new Map<string, Set<FakeChannel>>();

  open(name: string): FakeChannel {
    const set = this.members.get(name) ?? new Set();
    this.members.set(name, set);
    const channel = new FakeChannel((message) => {
      for (const other of set) if (other !== channel) other.deliver(message);
    }, () => set.delete(channel));
    set.add(channel);
    return channel;
  }
}

export class FakeChannel {
  private readonly listeners: ((e: MessageEvent) => void)[] = [];
  private readonly send: (message: unknown) => void;
  private readonly leave: () => void;

  constructor(send: (message: unknown) => void, leave: () => void) {
    this.send = send;
    this.leave = leave;
  }

  postMessage(message: unknown): void {
    // Structured clone, as a real channel does: no tab shares objects with another.
    const copy = structuredClone(message);
    queueMicrotask(() => this.send(copy));
  }

  addEventListener(_type: "message", listener: (e: MessageEvent) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    this.leave();
  }

  deliver(message: unknown): void {
    for (const l of this.listeners) l({ data: message } as MessageEvent);
  }
}

/** Lets pending promises and microtasks run. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
