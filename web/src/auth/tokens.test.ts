import { describe, expect, it } from "vitest";
import { FakeChannels, FakeLocks, settle } from "../test/fakes";
import { AUTH_CHANNEL, type AccessToken, TokenManager } from "./tokens";

/** A fake server whose refresh answers when the test says so, counting the calls. */
function server(now: () => number) {
  let calls = 0;
  const pending: ((t: AccessToken | null) => void)[] = [];
  return {
    refresh: () => {
      calls++;
      return new Promise<AccessToken | null>((resolve) => pending.push(resolve));
    },
    answer(value: string | null) {
      pending.shift()!(value === null ? null : { value, expiresAt: now() + 900_000 });
    },
    get calls() {
      return calls;
    },
    get waiting() {
      return pending.length;
    },
  };
}

describe("one tab", () => {
  it("shares one in-flight refresh between concurrent callers", async () => {
    const now = () => 1_000_000;
    const api = server(now);
    const tokens = new TokenManager({ refresh: api.refresh, now });
    const a = tokens.valid();
    const b = tokens.valid();
    const c = tokens.refresh();
    await settle();
    expect(api.calls).toBe(1);
    api.answer("new");
    expect(await Promise.all([a, b, c.then((t) => t?.value)])).toEqual(["new", "new", "new"]);
  });

  it("refreshes only when the token is about to expire", async () => {
    let t = 0;
    const api = server(() => t);
    const tokens = new TokenManager({ refresh: api.refresh, now: () => t });
    tokens.set({ value: "old", expiresAt: 60_000 });
    expect(await tokens.valid()).toBe("old");
    t = 45_000; // 15 s left: too little to send
    const next = tokens.valid();
    await settle();
    api.answer("new");
    expect(await next).toBe("new");
    expect(api.calls).toBe(1);
  });

  it("a refused refresh signs out", async () => {
    const api = server(() => 0);
    const tokens = new TokenManager({ refresh: api.refresh, now: () => 0 });
    tokens.set({ value: "old", expiresAt: 1 });
    const seen: (string | null)[] = [];
    tokens.subscribe((tok) => seen.push(tok?.value ?? null));
    const r = tokens.valid();
    await settle();
    api.answer(null);
    expect(await r).toBeNull();
    expect(seen).toEqual([null]);
  });
});

describe("several tabs", () => {
  function browser(tabs: number) {
    const now = () => 1_000_000;
    const locks = new FakeLocks();
    const channels = new FakeChannels();
    const api = server(now);
    const managers = Array.from({ length: tabs }, () => new TokenManager({ refresh: api.refresh, locks, channel: channels.open(AUTH_CHANNEL), now }));
    return { api, managers, locks };
  }

  it("refresh one at a time, and a tab that waited takes the token another tab got", async () => {
    const { api, managers } = browser(3);
    const results = managers.map((m) => m.valid());
    await settle();
    expect(api.calls).toBe(1); // the others wait for the lock
    api.answer("from-tab-0");
    expect(await Promise.all(results)).toEqual(["from-tab-0", "from-tab-0", "from-tab-0"]);
    expect(api.calls).toBe(1); // nobody rotated the cookie a second time
  });

  it("a sign-in in one tab reaches the others", async () => {
    const { managers } = browser(2);
    managers[0]!.set({ value: "signed-in", expiresAt: 2_000_000 });
    await settle();
    expect(managers[1]!.current()?.value).toBe("signed-in");
  });

  it("a sign-out in one tab signs the others out", async () => {
    const { managers } = browser(2);
    managers[0]!.set({ value: "signed-in", expiresAt: 2_000_000 });
    await settle();
    const seen: (string | null)[] = [];
    managers[1]!.subscribe((t) => seen.push(t?.value ?? null));
    managers[0]!.clear();
    await settle();
    expect(managers[1]!.current()).toBeNull();
    expect(seen).toEqual([null]);
  });

  it("an older token relayed late does not replace a newer one", async () => {
    const { managers } = browser(2);
    managers[1]!.set({ value: "newer", expiresAt: 3_000_000 });
    managers[0]!.set({ value: "older", expiresAt: 2_000_000 });
    await settle();
    expect(managers[1]!.current()?.value).toBe("newer");
  });
});

describe("a password change", () => {
  it("signs the other tabs out, saying why, and keeps this one", async () => {
    const now = () => 1_000_000;
    const channels = new FakeChannels();
    const api = server(now);
    const [here, there] = [0, 1].map(() => new TokenManager({ refresh: api.refresh, channel: channels.open(AUTH_CHANNEL), now }));
    here!.set({ value: "old", expiresAt: 2_000_000 });
    await settle();
    const heard: [string | null, string | undefined][] = [];
    there!.subscribe((t, reason) => heard.push([t?.value ?? null, reason]));
    here!.signOutOthers("password changed");
    here!.set({ value: "new", expiresAt: 2_000_000 }, { share: false });
    await settle();
    expect(here!.current()?.value).toBe("new");
    expect(there!.current()).toBeNull();
    expect(heard).toEqual([[null, "password changed"]]);
  });
});
