import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSplitRows } from "@mle/data";
import { MlflowRestClient } from "@mle/tracking";
import { mlflowBin, noMlflowReason, startMlflowServer, stopAllServers } from "@mle/tracking/testing";
import { noMirrorReason, repoRoot, tempDir, testMirror } from "@mle/core/testing";

const mirror = testMirror();
const tmp = tempDir();
afterAll(tmp.cleanup);
afterAll(stopAllServers);
/** Processes a test started (each leads its own group): stopped on every outcome. */
const started: ChildProcess[] = [];
function stopGroup(p: ChildProcess): void {
  try {
    process.kill(-p.pid!, "SIGKILL");
  } catch {
    // the group is gone already
  }
}
afterAll(() => started.forEach(stopGroup));
const tsx = join(repoRoot, "node_modules", ".bin", "tsx");
const run = join(tmp.dir, "ials");

function cli(bin: "exp" | "recommend" | "similar" | "tracking", args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(tsx, [join(repoRoot, "packages/cli/src/bin", `${bin}.ts`), ...args], {
    cwd: repoRoot, encoding: "utf8", env: { ...process.env, MOVIELENS_MIRROR: mirror ?? "", MOVIELENS_CACHE: join(tmp.dir, "cache"), CI: "1", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!mirror)(`pnpm recommend / pnpm similar on a model trained by pnpm exp configs/ials.yaml (skips when ${noMirrorReason})`, () => {
  beforeAll(() => {
    const r = cli("exp", ["configs/ials.yaml", "--seeds", "1", "--set", "tracking.enabled=false", "--set", "training.epochs=3", "--out", run]);
    expect(r.code, r.stderr).toBe(0);
  });

  it("pnpm exp left the serving index beside the model, measured against exact search on the test users", () => {
    const { serving } = JSON.parse(readFileSync(join(run, "seed-1", "metrics.json"), "utf8"));
    expect(existsSync(join(run, "seed-1", "model", "serve-ann", "ann.json"))).toBe(true);
    expect(serving["recall@10"]).toBeGreaterThanOrEqual(0.99);
    expect(serving["recall@100"]).toBeGreaterThanOrEqual(0.99);
    expect(serving.p99_ms).toBeGreaterThan(0);
    expect(serving.items).toBeGreaterThan(1000);
  });

  it("a known user's top 10, none of the movies their split already holds", () => {
    const r = cli("recommend", ["--model", run, "--user", "414", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.search).toBe("hnsw");
    expect(out.recommendations).toHaveLength(10);
    const { rows } = readSplitRows(join(run, "seed-1"));
    const seen = new Set(Array.from(rows.movieId).filter((_, k) => rows.userId[k] === 414));
    expect(out.history).toBeGreaterThan(100);
    for (const m of out.recommendations) expect(seen.has(m.movieId)).toBe(false);
    // The index answers what exact scoring answers (ties aside).
    const exact = JSON.parse(cli("recommend", ["--model", run, "--user", "414", "--json", "--exact"]).stdout);
    const ids = new Set(exact.recommendations.map((m: { movieId: number }) => m.movieId));
    expect(out.recommendations.filter((m: { movieId: number }) => ids.has(m.movieId)).length).toBeGreaterThanOrEqual(9);
  });

  it("a new user's history folds in; --explain names their nearest rated movies; ratings under the model's threshold are left out and said", () => {
    const r = cli("recommend", ["--model", run, "--history", "1:5,3114:5,2355:4.5,318:2", "-k", "5", "--explain"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/top 5 for this history \(3 rated movies folded in; hnsw search/);
    expect(r.stdout).toContain("left out, rated under 4 (the model learned from ratings ≥ 4): 318");
    expect(r.stdout.match(/because you rated: /g)).toHaveLength(5);
    expect(r.stdout).not.toMatch(/\[(1|3114|2355), score/);
  });

  it("similar: a title substring finds the movie and its neighbours", () => {
    const r = cli("similar", ["--model", run, "--movie", "toy story", "-k", "5"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("the 5 movies nearest Toy Story (1995)");
    expect(r.stdout.trim().split("\n")).toHaveLength(6);
  });

  it.skipIf(!mlflowBin())(`--model takes an MLflow run id (parent or seed) and models:/<name>/<version> after pnpm tracking register (skips when ${noMlflowReason})`, async () => {
    const server = process.env.MLE_TEST_MLFLOW_URI ? { uri: process.env.MLE_TEST_MLFLOW_URI, stop: async () => undefined } : await startMlflowServer(join(tmp.dir, "mlflow"));
    try {
      const env = { MLFLOW_TRACKING_URI: server.uri };
      const r = cli("exp", ["configs/ials.yaml", "--seeds", "1", "--set", "training.epochs=2", "--set", "tracking.experiment=serve-e2e", "--out", join(tmp.dir, "tracked"), "-q"], env);
      expect(r.code, r.stderr).toBe(0);
      const parentId = /parent run ([0-9a-f]{32})/.exec(r.stdout)![1];
      const local = JSON.parse(cli("recommend", ["--model", join(tmp.dir, "tracked"), "--history", "1:5,260:5", "--json"]).stdout).recommendations;
      const fromRun = cli("recommend", ["--model", parentId, "--history", "1:5,260:5", "--json"], env);
      expect(fromRun.code, fromRun.stderr).toBe(0);
      expect(JSON.parse(fromRun.stdout).recommendations).toEqual(local); // the downloaded model is the trained one
      const client = new MlflowRestClient(server.uri);
      const child = (await client.searchRuns([await client.experimentId("serve-e2e")], `tags.mlflow.parentRunId = '${parentId}'`))[0].info.run_id;
      const childRun = await client.getRun(child);
      expect(childRun.data.metrics.find((m) => m.key === "ann/recall_at_10")?.value).toBeGreaterThanOrEqual(0.99);
      expect(childRun.data.metrics.map((m) => m.key)).toEqual(expect.arrayContaining(["ann/recall_at_100", "ann/p50_ms", "ann/p99_ms", "ann/build_seconds"]));
      const reg = cli("tracking", ["register", "--run", child, "--name", "ials-e2e"], env);
      expect(reg.stdout).toMatch(/registered models:\/ials-e2e\/(\d+)/);
      const version = /models:\/ials-e2e\/(\d+)/.exec(reg.stdout)![1];
      const fromRegistry = cli("recommend", ["--model", `models:/ials-e2e/${version}`, "--history", "1:5,260:5", "--json"], env);
      expect(JSON.parse(fromRegistry.stdout).recommendations).toEqual(local);
      const missing = cli("recommend", ["--model", "models:/no-such-model/1", "--history", "1:5"], env);
      expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/RESOURCE_DOES_NOT_EXIST|not found/i)]);
    } finally {
      await server.stop();
    }
  });

  it("bad input: one clear line and a non-zero exit", () => {
    const cases: [string[], RegExp][] = [
      [["--model", run, "--user", "999999"], /user 999999 is not in this run's split/],
      [["--model", run, "--user", "1", "--history", "1:5"], /exactly one of --user, --history and --history-file/],
      [["--model", run, "--history", "99999999:5"], /none of the history's 1 movies is usable/],
      [["--model", run, "--history", "1:5", "-k", "0"], /k must be an integer from 1 to 1000/],
      [["--model", join(tmp.dir, "nope"), "--history", "1:5"], /--model .*nope does not exist/],
    ];
    for (const [args, message] of cases) {
      const r = cli("recommend", args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain("This is a bug");
    }
    const s = cli("similar", ["--model", run, "--movie", "no such movie at all"]);
    expect([s.code, s.stderr]).toEqual([1, expect.stringMatching(/no movie in the model's catalogue matches/)]);
  });

  it("pnpm serve --workers 2: both workers answer on one port, a hot swap reaches both before it is answered, /metrics sums them; the group stops on SIGTERM", async () => {
    const server = spawn(tsx, [join(repoRoot, "packages/cli/src/bin/serve.ts"), "--model", `ials=${run}`, "--workers", "2", "--port", "0"], {
      cwd: repoRoot, env: { ...process.env, MOVIELENS_MIRROR: mirror ?? "", MOVIELENS_CACHE: join(tmp.dir, "cache"), CI: "1" }, detached: true, stdio: ["ignore", "pipe", "pipe"],
    });
    started.push(server);
    let stderr = "";
    server.stderr!.on("data", (b) => (stderr += b));
    const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
    try {
      const address = await new Promise<string>((resolve, reject) => {
        createInterface({ input: server.stdout! }).on("line", (l) => l.startsWith("serving ") && resolve(/at (http:\/\/\S+)/.exec(l)![1]));
        void exited.then((code) => reject(new Error(`pnpm serve exited (${code}) before listening: ${stderr}`)));
      });
      const recommend = () => fetch(`${address}/recommend`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ history: [{ movieId: 1, rating: 5 }], k: 3 }) });
      const answered = await Promise.all(Array.from({ length: 8 }, recommend));
      expect(answered.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(new Set(answered.map((r) => r.headers.get("x-mle-worker")))).toEqual(new Set(["1", "2"]));

      const swap = await fetch(`${address}/models/second`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ path: join(run, "seed-1") }) });
      expect(swap.status, await swap.clone().text()).toBe(200);
      const views = await Promise.all(Array.from({ length: 8 }, () => fetch(`${address}/health`).then(async (r) => [r.headers.get("x-mle-worker"), (await r.json()) as { models: { name: string }[] }] as const)));
      expect(new Set(views.map(([w]) => w))).toEqual(new Set(["1", "2"]));
      for (const [, h] of views) expect(h.models.map((m) => m.name)).toEqual(["ials", "second"]);

      const metrics = await (await fetch(`${address}/metrics`)).text();
      expect(metrics).toMatch(/^mle_http_requests_total\{route="\/recommend",status="200"\} 8$/m); // both workers' counts, summed
      expect(metrics).toMatch(/^mle_model_items\{model="second",what="index"\} \d{4,}$/m);
      process.kill(-server.pid!, "SIGTERM");
      expect([0, 143]).toContain(await exited); // tsx passes the signal on and exits 128 + 15
      expect(() => process.kill(-server.pid!, 0)).toThrow(/ESRCH/); // the primary waited for its workers: none is left
    } finally {
      stopGroup(server);
    }
  });
});
