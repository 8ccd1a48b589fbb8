import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

/** Test support: the real `mlflow` CLI ($MLE_MLFLOW_BIN, else on PATH), or null where it is not installed. */
export function mlflowBin(): string | null {
  const bin = process.env.MLE_MLFLOW_BIN ?? "mlflow";
  if (spawnSync(bin, ["--version"], { encoding: "utf8" }).status === 0) return bin;
  if (process.env.CI) throw new Error(`CI needs MLflow (${bin}); .ci/run installs it`);
  return null;
}

export const noMlflowReason = "MLflow is not installed here (pip install mlflow, or set MLE_MLFLOW_BIN)";

export interface TestServer {
  uri: string;
  /** Kills the server abruptly (SIGKILL), as a crash would. */
  kill(): void;
  stop(): Promise<void>;
}

/** Every server a test started and has not stopped: `stopAllServers` (and process exit) end them all. */
const started = new Set<ChildProcess>();
process.on("exit", () => {
  for (const p of started) killGroup(p, "SIGKILL");
});

function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-proc.pid!, signal); // the server and its worker processes
  } catch {
    // already gone
  }
}

/** Stops every server still running: call it from `afterAll`, so a failed or timed-out test leaks none. */
export async function stopAllServers(): Promise<void> {
  for (const p of started) killGroup(p, "SIGTERM");
  await Promise.all([...started].map((p) => exited(p, 10_000)));
  for (const p of started) killGroup(p, "SIGKILL");
  started.clear();
}

/** Resolves when the process has exited, or after `ms` (then the caller escalates). */
function exited(p: ChildProcess, ms: number): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    p.once("exit", () => (clearTimeout(t), resolve()));
  });
}

/**
 * Starts `mlflow server` on a free loopback port with a SQLite store and an artifact folder in `dir`, and
 * waits for its health endpoint to answer (up to `MLE_TEST_SERVER_START_S`, default 300 s, for busy machines).
 */
export async function startMlflowServer(dir: string, port?: number, o: { backendStoreUri?: string } = {}): Promise<TestServer> {
  mkdirSync(dir, { recursive: true });
  const p = port ?? (await freePort());
  const proc: ChildProcess = spawn(mlflowBin()!, [
    "server", "--host", "127.0.0.1", "--port", String(p), "--workers", "1",
    "--backend-store-uri", o.backendStoreUri ?? `sqlite:///${join(dir, "mlflow.db")}`, "--serve-artifacts", "--artifacts-destination", join(dir, "artifacts"),
  ], { stdio: ["ignore", "ignore", "pipe"], detached: true });
  let stderr = "";
  proc.stderr!.on("data", (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
  started.add(proc);
  const uri = `http://127.0.0.1:${p}`;
  const until = Date.now() + Number(process.env.MLE_TEST_SERVER_START_S ?? 300) * 1000;
  for (;;) {
    try {
      if ((await fetch(`${uri}/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (proc.exitCode !== null || Date.now() > until) {
      killGroup(proc, "SIGKILL");
      started.delete(proc);
      throw new Error(`mlflow server did not start on ${uri}${proc.exitCode !== null ? ` (it exited with ${proc.exitCode})` : ""}:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    uri,
    kill: () => killGroup(proc, "SIGKILL"),
    stop: async () => {
      killGroup(proc, "SIGTERM");
      await exited(proc, 10_000);
      killGroup(proc, "SIGKILL");
      started.delete(proc);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The PostgreSQL these machines run (127.0.0.1:5432, trust auth), or null where `psql` cannot reach it (CI requires it). */
export function postgresReachable(): boolean {
  const ok = spawnSync("psql", [...PSQL, "-Atc", "select 1"], { encoding: "utf8" }).status === 0;
  if (!ok && process.env.CI) throw new Error("CI needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth)");
  return ok;
}
export const noPostgresReason = "no PostgreSQL answers at 127.0.0.1:5432 (user postgres) here";
const PSQL = ["-h", process.env.MLE_TEST_PG_HOST ?? "127.0.0.1", "-U", process.env.MLE_TEST_PG_USER ?? "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1"];

/** A database of the test's own (dropped by `drop`), and MLflow's URI for it. */
export function createPostgresDatabase(name: string): { uri: string; drop(): void } {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  const run = (sql: string) => {
    const r = spawnSync("psql", [...PSQL, "-c", sql], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`psql: ${sql}: ${r.stderr}`);
  };
  run(`DROP DATABASE IF EXISTS ${name}`);
  run(`CREATE DATABASE ${name}`);
  const host = process.env.MLE_TEST_PG_HOST ?? "127.0.0.1";
  return { uri: `postgresql+psycopg://${process.env.MLE_TEST_PG_USER ?? "postgres"}@${host}:5432/${name}`, drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
