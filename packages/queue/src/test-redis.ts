import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/** Test support: Debian's `redis-server`, or null where it is not installed (CI requires it). */
export function redisServerBin(): string | null {
  const bin = process.env.MLE_REDIS_SERVER_BIN ?? "redis-server";
  if (spawnSync(bin, ["--version"], { encoding: "utf8" }).status === 0) return bin;
  if (process.env.CI) throw new Error(`CI needs redis-server (${bin}): apt-get install redis-server`);
  return null;
}
export const noRedisReason = "redis-server is not installed here (apt-get install redis-server, or set MLE_REDIS_SERVER_BIN)";

export interface TestRedis {
  url: string;
  port: number;
  /** Kills the server (SIGKILL) and starts it again on the same port and data folder: jobs survive (append-only file). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const started = new Set<ChildProcess>();
process.on("exit", () => {
  for (const p of started) p.kill("SIGKILL");
});

/** Stops every Redis a test started: call it from `afterAll`. */
export async function stopAllRedis(): Promise<void> {
  await Promise.all([...started].map((p) => stopProcess(p)));
  started.clear();
}

async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise<void>((r) => p.once("exit", () => r()));
  p.kill("SIGKILL");
  await gone;
}

/** A Redis of the test's own, on a free loopback port, keeping its data in `dir` (append-only, fsync always). */
export async function startRedis(dir: string): Promise<TestRedis> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  let proc = await launch(dir, port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    restart: async () => {
      await stopProcess(proc);
      started.delete(proc);
      proc = await launch(dir, port);
    },
    stop: async () => {
      await stopProcess(proc);
      started.delete(proc);
    },
  };
}

async function launch(dir: string, port: number): Promise<ChildProcess> {
  const proc = spawn(redisServerBin()!, ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", ""], { stdio: "ignore" });
  started.add(proc);
  const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 }).on("error", () => undefined);
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      await client.connect();
      // Loading the append-only file answers LOADING until done.
      if ((await client.ping()) === "PONG") break;
    } catch {
      // not up yet
    }
    client.disconnect();
    if (proc.exitCode !== null || Date.now() > until) throw new Error(`redis-server did not start on port ${port}${proc.exitCode !== null ? ` (exit ${proc.exitCode})` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  client.disconnect();
  return proc;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
