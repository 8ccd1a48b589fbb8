import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { testMirror } from "@mle/core/testing";
import { startRedis, stopAllRedis } from "@mle/queue/testing";
import { benchDir } from "./lib/child.ts";
import { printTable } from "./lib/table.ts";

const root = join(benchDir, "..");
const EXPERIMENT = process.env.BENCH_QUEUE_EXPERIMENT ?? "experiments/queue-ci.yaml";
const WORKERS = (process.env.BENCH_QUEUE_WORKERS ?? "1,3").split(",").map(Number);

function cli(bin: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", join(root, "packages/cli/src/bin", `${bin}.ts`), ...args], { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] });
}
const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once("exit", (c) => r(c))));

/**
 * `pnpm bench queue`: one comparison (experiments/queue-ci.yaml: BPR and EASE on ML-100k, 3 seeds) run here with
 * `pnpm compare`, then through `--queue` on 1 and 3 `pnpm worker` processes (a Redis of its own on loopback). Wall
 * time of the submitting command, and each run's fit time. On 2 cores, three workers share two cores: the figures
 * say what the queue costs and what parallel runs gain on one machine, not what three machines give.
 */
export async function benchQueue(): Promise<void> {
  const mirror = testMirror();
  if (!mirror) return console.log("bench queue needs the MovieLens mirror ($MOVIELENS_MIRROR)");
  const dir = join(benchDir, ".data", "queue");
  rmSync(dir, { recursive: true, force: true });
  const env = { ...process.env, MOVIELENS_MIRROR: mirror, MLFLOW_TRACKING_URI: join(dir, "mlruns") };
  const redis = await startRedis(join(dir, "redis"));
  const rows: string[][] = [];
  let localSeconds = NaN;
  try {
    for (const workers of [0, ...WORKERS]) {
      const runs = join(dir, `runs-${workers}`);
      const pool = Array.from({ length: workers }, (_, i) => cli("worker", ["--queue", `${redis.url}?prefix=bench${workers}`, "--name", `w${i + 1}`, "-q"], env));
      try {
        const t = performance.now();
        const code = await exited(cli("compare", [EXPERIMENT, "--runs", runs, "--reports", join(dir, `reports-${workers}`), "-q", ...(workers ? ["--queue", `${redis.url}?prefix=bench${workers}`] : [])], env));
        const seconds = (performance.now() - t) / 1000;
        if (code !== 0) throw new Error(`pnpm compare exited ${code}`);
        if (!workers) localSeconds = seconds;
        const results = JSON.parse(readFileSync(join(dir, `reports-${workers}`, "queue-ci", "results.json"), "utf8")) as Record<string, { metrics: Record<string, { mean: number }> }>;
        const fits = Object.keys(results).map((m) => {
          const r = JSON.parse(readFileSync(join(runs, "queue-ci", m, "results.json"), "utf8")) as { fitSeconds: number[] };
          return `${m} ${r.fitSeconds.map((s) => s.toFixed(1)).join("/")}`;
        });
        rows.push([workers ? `--queue, ${workers} worker${workers > 1 ? "s" : ""}` : "here (no queue)", seconds.toFixed(1), workers ? (seconds / localSeconds).toFixed(2) : "1.00", fits.join("; "), Object.entries(results).map(([m, r]) => `${m} ${r.metrics["ndcg@10"].mean.toFixed(4)}`).join(", ")]);
      } finally {
        for (const w of pool) w.kill("SIGTERM");
        await Promise.all(pool.map(exited));
      }
    }
  } finally {
    await stopAllRedis();
  }
  printTable(`pnpm compare ${EXPERIMENT} (2 configs × 3 seeds): wall time of the submitting command, here and on N pnpm worker processes on this machine (Redis on loopback, MLflow file store)`, ["how", "wall s", "× here", "fit s per seed", "ndcg@10"], rows);
}
