import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { testMirror } from "@mle/core/testing";
import { benchDir, runTask } from "./lib/child.ts";
import { printTable } from "./lib/table.ts";

/** Seconds per load scenario (autocannon's bounded run), and concurrent connections. */
const SECONDS = Number(process.env.BENCH_SERVE_SECONDS ?? 10);
const CONNECTIONS = 16;
/** `pnpm serve --workers` counts measured (BENCH_SERVE_WORKERS="1,2"). */
const WORKERS = (process.env.BENCH_SERVE_WORKERS ?? "1,2").split(",").map(Number);
const tsx = join(benchDir, "..", "node_modules", ".bin", "tsx");

type Ann = { items: number; dim: number; buildSeconds: number; graph: string; efSearch: number; calibration: { expansionSearch: number; recall: Record<string, number> }[]; recall: Record<string, number>; queriesPerSecond: number; p50Ms: number; p99Ms: number; queries: number; exactMsPerRecommendation: number };

/**
 * `pnpm bench serve`: the serving path on this machine.
 *  1. The HNSW index against exact search, in process: recall@10 and @100 over fold-ins of 50-rating histories,
 *     search latency p50/p99 — on iALS over ml-latest-small and on a synthetic ml-latest-sized space (86,537 × 128).
 *  2. `pnpm serve` under load with 1 and 2 workers (autocannon on loopback, 16 connections, bounded in time): POST
 *     /recommend with a history of 50 ratings (fold-in, search, titles), ANN and exact, requests/s and latency percentiles.
 * Goal on 2 cores: ≥ 2,000 recommendations/s at p99 ≤ 20 ms on the ANN path at recall@10 ≥ 0.99.
 */
export async function benchServe(): Promise<void> {
  const mirror = testMirror();
  if (!mirror) return console.log("bench serve needs the MovieLens mirror ($MOVIELENS_MIRROR)");
  const dir = join(benchDir, ".data", "serve");
  const prep = runTask("serve-prep", [JSON.stringify({ dir, mirror, queries: 500 })]) as unknown as Record<"ml-latest-small" | "synthetic", Ann>;
  printTable("the serving index (HNSW, usearch: M 32, efConstruction 400; MIPS→L2 and inner-product graphs, the better kept, efSearch calibrated to recall@10 0.995 on half the fold-ins of 50-rating histories) against exact search on the other half", ["space", "items × d", "graph (build s)", "efSearch (calibration recall@10 per ef)", "recall@10", "recall@100", "search p50 ms", "p99 ms", "exact recommend ms"], (["ml-latest-small", "synthetic"] as const).map((n) => {
    const a = prep[n];
    return [n === "synthetic" ? "synthetic ml-latest size" : "iALS, ml-latest-small", `${a.items.toLocaleString("en-US")} × ${a.dim}`, `${a.graph} (${a.buildSeconds.toFixed(1)})`, `${a.efSearch} (${a.calibration.map((c) => `${c.expansionSearch}: ${c.recall["recall@10"].toFixed(3)}`).join(", ")})`, a.recall["recall@10"].toFixed(4), a.recall["recall@100"].toFixed(4), a.p50Ms.toFixed(3), a.p99Ms.toFixed(3), a.exactMsPerRecommendation.toFixed(2)];
  }));

  const rows: string[][] = [];
  for (const workers of WORKERS) {
    // The product's own command, as a user runs it: `pnpm serve --workers N` (its own process group, stopped whole).
    const server = spawn(tsx, [join(benchDir, "..", "packages", "cli", "src", "bin", "serve.ts"), "--model", `small=${join(dir, "ml-latest-small")}`, "--model", `synthetic=${join(dir, "synthetic")}`, "--workers", String(workers), "--port", "0", "--mirror", mirror], { stdio: ["ignore", "pipe", "inherit"], detached: true });
    try {
      const address = await new Promise<string>((resolve, reject) => {
        createInterface({ input: server.stdout! }).on("line", (l) => l.startsWith("serving ") && resolve(/at (http:\/\/\S+)/.exec(l)![1]));
        server.once("exit", (code) => reject(new Error(`pnpm serve exited (${code}) before listening`)));
      });
      for (const model of ["small", "synthetic"]) {
        const histories = JSON.parse(readFileSync(join(dir, model === "small" ? "ml-latest-small" : "synthetic", "histories.json"), "utf8")) as unknown[];
        for (const exact of [false, true]) {
          const bodies = histories.map((history) => JSON.stringify({ model, history, k: 10, exact }));
          let next = 0;
          const r = await autocannon({
            url: `${address}/recommend`, connections: CONNECTIONS, duration: SECONDS, method: "POST", headers: { "content-type": "application/json" },
            requests: [{ setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }],
          });
          rows.push([`${model === "small" ? "ml-latest-small" : "synthetic 86,537 × 128"}, ${exact ? "exact" : "HNSW"}`, String(workers), r.requests.average.toFixed(0), r.latency.p50.toFixed(1), r.latency.p99.toFixed(1), String(r.non2xx + r.errors), String(r.requests.total)]);
        }
      }
    } finally {
      try {
        process.kill(-server.pid!, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
  printTable(`POST /recommend with a 50-rating history (fold-in + search + titles): pnpm serve --workers N, autocannon in this process, ${CONNECTIONS} connections, ${SECONDS} s each, loopback; goal ≥ 2,000 req/s at p99 ≤ 20 ms (HNSW)`, ["scenario", "workers", "req/s", "p50 ms", "p99 ms", "errors", "requests"], rows);
}
