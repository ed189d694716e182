// One server and one browser for a test file, started before its tests and stopped after.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launch } from "./browser";
import { type Server, startServer } from "./harness";
import { type ChatRequest, type Provider, providerEnv, startProvider } from "./provider";

export interface Rig {
  readonly server: Server;
  readonly browser: Browser;
  /** The stand-in assistant provider, when the rig was asked for one. */
  readonly provider: Provider;
}

/**
 * With `assistant`, the server answers through a stand-in OpenAI-compatible provider that
 * streams what the function returns; otherwise through the built-in assistant.
 */
export function useRig({ assistant }: { assistant?: (req: ChatRequest) => string } = {}): Rig {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let provider: Provider | undefined;
  beforeAll(async () => {
    provider = assistant && (await startProvider(assistant));
    [server, browser] = await Promise.all([startServer(provider && providerEnv(provider)), launch()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await provider?.stop();
  });
  return {
    get provider() {
      if (!provider) throw new Error("this rig has no stand-in provider: pass useRig({ assistant })");
      return provider;
    },
    get server() {
      return server!;
    },
    get browser() {
      return browser!;
    },
  };
}
