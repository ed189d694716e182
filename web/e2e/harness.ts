// Runs the real binary (bin/resolutionflow, with the console built in) on a database of its
// own, seeded with the demo account, for the browser tests and the benchmarks.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const BINARY = process.env.RF_BINARY ?? resolve(import.meta.dirname, "../../bin/resolutionflow");
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable";

export interface Account {
  email: string;
  password: string;
}

export interface Server {
  url: string;
  databaseUrl: string;
  demo: { admin: Account; engineer: Account; viewer: Account };
  /** Stops the process and starts it again on the same address and database. */
  restart(): Promise<void>;
  /** Stops the process only; start() brings it back. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Another replica on the same database, on its own address. */
  replica(): Promise<{ url: string; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

function databaseUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Parses the sign-ins `resolutionflow demo` prints for a new database. */
export function parseDemo(stdout: string): Server["demo"] {
  const users: Record<string, Account> = {};
  for (const m of stdout.matchAll(/^\s+(admin|engineer|viewer)\s+(\S+@\S+)\s+password (\S+)$/gm)) {
    users[m[1]!] = { email: m[2]!, password: m[3]! };
  }
  if (!users.admin || !users.engineer || !users.viewer) throw new Error(`demo printed no passwords:\n${stdout}`);
  return users as Server["demo"];
}

/** One `resolutionflow serve` process; resolves once it listens. */
async function serve(env: NodeJS.ProcessEnv): Promise<{ kill(): Promise<void>; log(): string }> {
  let log = "";
  const p: ChildProcess = spawn(BINARY, ["serve"], { env: { ...env, MIGRATE_ON_START: "false" }, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((done) => p.once("exit", () => done()));
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`the server did not start:\n${log}`)), 20_000);
    p.stdout!.on("data", (b: Buffer) => {
      log += b.toString();
      if (log.includes("listening on")) {
        clearTimeout(timer);
        ready();
      }
    });
    p.stderr!.on("data", (b: Buffer) => {
      log += b.toString();
    });
    p.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`the server exited with ${code}:\n${log}`));
    });
  });
  return {
    async kill() {
      if (p.exitCode === null && p.signalCode === null) p.kill("SIGTERM");
      await exited;
    },
    log: () => log,
  };
}

export async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const name = `rf_e2e_${randomBytes(5).toString("hex")}`;
  const dsn = databaseUrl(name);
  const port = await freePort();
  const base = { ...process.env, DATABASE_URL: dsn, DEV_MODE: "true", LOG_LEVEL: "warn", HTTP_ADDR: `127.0.0.1:${port}`, ...env };
  const { stdout } = await run(BINARY, ["demo"], { env: base });
  const demo = parseDemo(stdout);
  let current: Awaited<ReturnType<typeof serve>> | null = await serve(base);

  const kill = async () => {
    await current?.kill();
    current = null;
  };
  const start = async () => {
    current = await serve(base);
  };
  return {
    url: `http://127.0.0.1:${port}`,
    databaseUrl: dsn,
    demo,
    start,
    kill,
    async restart() {
      await kill();
      await start();
    },
    async replica() {
      const port = await freePort();
      const p = await serve({ ...base, HTTP_ADDR: `127.0.0.1:${port}` });
      return { url: `http://127.0.0.1:${port}`, stop: () => p.kill() };
    },
    async stop() {
      await kill();
      await run("psql", [ADMIN_URL, "-qAtc", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]).catch(() => undefined);
    },
  };
}
