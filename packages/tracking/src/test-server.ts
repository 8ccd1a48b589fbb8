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

/** Starts `mlflow server` on a free loopback port with a SQLite store and an artifact folder in `dir`. */
export async function startMlflowServer(dir: string, port?: number): Promise<TestServer> {
  mkdirSync(dir, { recursive: true });
  const p = port ?? (await freePort());
  const proc: ChildProcess = spawn(mlflowBin()!, [
    "server", "--host", "127.0.0.1", "--port", String(p), "--workers", "1",
    "--backend-store-uri", `sqlite:///${join(dir, "mlflow.db")}`, "--artifacts-destination", join(dir, "artifacts"),
  ], { stdio: "ignore", detached: true });
  const uri = `http://127.0.0.1:${p}`;
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${uri}/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (i === 239) throw new Error(`mlflow server did not start on ${uri}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid!, signal); // the server and its worker processes
    } catch {
      // already gone
    }
  };
  return {
    uri,
    kill: () => killGroup("SIGKILL"),
    stop: async () => {
      killGroup("SIGTERM");
      await new Promise((r) => setTimeout(r, 300));
      killGroup("SIGKILL");
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
