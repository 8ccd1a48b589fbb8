import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noMirrorReason, repoRoot, tempDir, testMirror, withoutEngineNotices } from "@mle/core/testing";
import { WorkQueue, type JobContext, type JobView } from "@mle/queue";
import { noRedisReason, redisServerBin, startRedis, stopAllRedis, type TestRedis } from "@mle/queue/testing";
import { MlflowRestClient, type RunRecord } from "@mle/tracking";
import { createPostgresDatabase, mlflowBin, noMlflowReason, noPostgresReason, postgresReachable, startMlflowServer, stopAllServers, type TestServer } from "@mle/tracking/testing";
import { loadConfig } from "../config/load.ts";
import { configHash } from "../runner/executor.ts";
import { runJob } from "../queue/job-handler.ts";

const mirror = testMirror();
const tmp = tempDir("mle-queue-cli-");
const ready = mirror !== null && redisServerBin() !== null && mlflowBin() !== null && postgresReachable();
const why = [!mirror && noMirrorReason, !redisServerBin() && noRedisReason, !mlflowBin() && noMlflowReason, !postgresReachable() && noPostgresReason].filter(Boolean).join("; ");

/** Every process the tests start, stopped on every outcome. */
const children = new Set<ChildProcess>();
function stop(p: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  const gone = new Promise<void>((r) => p.once("exit", () => r()));
  p.kill(signal);
  return gone;
}
afterAll(async () => {
  await Promise.all([...children].map((p) => stop(p)));
  await stopAllServers();
  await stopAllRedis();
  db?.drop();
  tmp.cleanup();
});

let redis: TestRedis;
let mlflow: TestServer;
let db: { uri: string; drop(): void } | undefined;
let env: NodeJS.ProcessEnv;

/** One process, no tsx relay in between: a SIGKILL reaches the worker itself. */
function node(bin: string, args: string[]): ChildProcess & { output: () => string } {
  const p = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "packages/cli/src/bin", `${bin}.ts`), ...args], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(p);
  let out = "";
  p.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  p.stderr!.on("data", (b: Buffer) => (out += b.toString()));
  return Object.assign(p, { output: () => out });
}
function finished(p: ChildProcess & { output: () => string }): Promise<{ code: number | null; output: string }> {
  return new Promise((r) => {
    if (p.exitCode !== null || p.signalCode !== null) r({ code: p.exitCode, output: p.output() });
    else p.once("exit", (code) => r({ code, output: p.output() }));
  });
}
function worker(name: string, url: string) {
  return node("worker", ["--queue", url, "--name", name, "--lock-seconds", "10", "--stalled-seconds", "2"]);
}

/** Polls the queue until `pick` finds a job of the latest submission (bounded by the submitter's exit). */
async function watchFor(url: string, pick: (j: JobView) => boolean, submitter: ChildProcess): Promise<JobView | null> {
  const q = await WorkQueue.connect(url);
  try {
    while (submitter.exitCode === null) {
      const [sub] = await q.listSubmissions(1);
      const job = sub ? (await q.jobs(sub.id)).find(pick) : undefined;
      if (job) return job;
      await new Promise((r) => setTimeout(r, 200));
    }
    return null;
  } finally {
    await q.close();
  }
}
const epochOf = (j: JobView) => (j.progress as { epoch?: number } | undefined)?.epoch ?? 0;

type Saved = Record<string, { metrics: Record<string, { perSeed: number[] }>; split: { manifests: string[] } }>;

beforeAll(async () => {
  if (!ready) return;
  redis = await startRedis(join(tmp.dir, "redis"));
  db = createPostgresDatabase(`mle_queue_test_${process.pid}`);
  mlflow = await startMlflowServer(join(tmp.dir, "mlflow"), undefined, { backendStoreUri: db.uri });
  env = { ...process.env, MOVIELENS_MIRROR: mirror!, MOVIELENS_CACHE: join(tmp.dir, "cache"), MLFLOW_TRACKING_URI: mlflow.uri, MLE_FALLBACK_STORE: join(tmp.dir, "fallback") };
});

describe.skipIf(!ready)(`the work queue end to end: Redis, MLflow on PostgreSQL, worker processes (skips when ${why})`, () => {
  it("a comparison on three workers equals the local run, and a worker SIGKILLed mid-job loses nothing", async () => {
    const local = await finished(node("compare", ["experiments/queue-ci.yaml", "--runs", join(tmp.dir, "local/runs"), "--reports", join(tmp.dir, "local/reports"), "-q"]));
    expect(withoutEngineNotices(local.output)).not.toMatch(/error/i);
    expect(local.code).toBe(0);

    const url = `${redis.url}?prefix=compare`;
    const workers = new Map(["w1", "w2", "w3"].map((n) => [n, worker(n, url)]));
    const submitter = node("compare", ["experiments/queue-ci.yaml", "--runs", join(tmp.dir, "queued/runs"), "--reports", join(tmp.dir, "queued/reports"), "--queue", url]);
    // Strike while BPR trains: its worker dies without a word, holding the job's lock.
    const victim = await watchFor(url, (j) => j.state === "active" && j.label.startsWith("ml100k-bpr") && epochOf(j) >= 3, submitter);
    expect(victim).not.toBeNull();
    const victimName = (victim!.progress as { worker: string }).worker;
    await stop(workers.get(victimName)!, "SIGKILL");
    const queued = await finished(submitter);
    expect(queued.output).not.toMatch(/^error/m);
    expect(queued.code).toBe(0);
    expect(queued.output).toMatch(/queue: ml100k-bpr \(compare queue-ci\) seed \d active on w\d, attempt 2/);

    // Identical figures: same code, same seeds, same backend.
    const read = (dir: string) => JSON.parse(readFileSync(join(tmp.dir, dir, "reports/queue-ci/results.json"), "utf8")) as Saved;
    const [a, b] = [read("local"), read("queued")];
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const model of Object.keys(a)) {
      expect(b[model].split.manifests).toEqual(a[model].split.manifests);
      for (const [name, m] of Object.entries(a[model].metrics)) expect([model, name, b[model].metrics[name].perSeed]).toEqual([model, name, m.perSeed]);
    }

    // Every MLflow run accounted for: one parent per config (the submitter's), one child per seed job attempt; the
    // killed attempt KILLED, its rerun FINISHED, each pointing at the other.
    const client = new MlflowRestClient(mlflow.uri);
    const tag = (r: RunRecord, k: string) => r.data.tags.find((t) => t.key === k)?.value;
    const runsOf = async (experiment: string) => client.searchRuns([await client.experimentId(experiment)]);
    for (const [experiment, killedOne] of [["ml100k-bpr", true], ["ml100k-ease", false]] as const) {
      const all = await runsOf(experiment);
      expect(all.filter((r) => r.info.status === "RUNNING").map((r) => r.info.run_name)).toEqual([]);
      const seedRuns = all.filter((r) => tag(r, "mle.queueJob"));
      const parents = [...new Set(seedRuns.map((r) => tag(r, "mlflow.parentRunId")))];
      expect(parents).toHaveLength(1);
      const parent = all.find((r) => r.info.run_id === parents[0])!;
      expect(parent.info.status).toBe("FINISHED");
      expect(await client.listArtifacts(parent.info.run_id)).toContain("results.json");
      const finishedSeeds = seedRuns.filter((r) => r.info.status === "FINISHED").map((r) => tag(r, "mle.seed")).sort();
      expect(finishedSeeds).toEqual(["1", "2", "3"]);
      const killed = seedRuns.filter((r) => r.info.status === "KILLED");
      expect(killed).toHaveLength(killedOne ? 1 : 0);
      if (killedOne) {
        const rerun = seedRuns.find((r) => r.info.status === "FINISHED" && tag(r, "mle.seed") === tag(killed[0], "mle.seed"))!;
        expect([tag(killed[0], "mle.queueWorker"), tag(killed[0], "mle.rerunBy"), tag(rerun, "mle.rerunOf"), tag(rerun, "mle.queueAttempt")]).toEqual([victimName, rerun.info.run_id, killed[0].info.run_id, "2"]);
      }
    }

    const status = await finished(node("queue", ["status", "--queue", url]));
    expect(status.output).toMatch(/pnpm compare experiments\/queue-ci\.yaml .*6 completed/);
    await Promise.all([...workers.values()].map((w) => stop(w, "SIGTERM")));
  });

  it("a detached submission survives a Redis restart mid-job, and pnpm queue wait finishes it in the same MLflow run", async () => {
    const url = `${redis.url}?prefix=restart`;
    const out = join(tmp.dir, "restart/run");
    const args = ["configs/ml100k/bpr.yaml", "--seeds", "1", "--set", "training.epochs=40", "--out", out];
    const w = worker("w4", url);
    const submitted = await finished(node("exp", [...args, "--queue", url, "--detach"]));
    expect(submitted.code).toBe(0);
    const id = /submitted ([0-9a-f]+): 1 job/.exec(submitted.output)?.[1];
    expect(id).toBeDefined();
    const waiter = node("queue", ["wait", id!, "--queue", url]);
    const running = await watchFor(url, (j) => j.state === "active" && epochOf(j) >= 2 && waiter.output().includes("(resumed)"), waiter);
    expect([running !== null, waiter.output()]).toEqual([true, expect.anything()]);
    await redis.restart();
    const done = await finished(waiter);
    expect([done.code, done.output]).toEqual([0, expect.anything()]);
    expect(done.output).toMatch(/test metrics of bpr\(d=200\)/);
    // It ran once: the restart cost the job nothing. And its figures are a local run's.
    expect(done.output).not.toMatch(/attempt 2/);
    const local = await finished(node("exp", [...args, "--set", "tracking.enabled=false", "--out", join(tmp.dir, "restart/local"), "-q"]));
    expect(local.code).toBe(0);
    const ndcg = (dir: string) => (JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as { metrics: Record<string, { perSeed: number[] }> }).metrics["ndcg@10"].perSeed;
    expect(existsSync(join(out, "results.json"))).toBe(true);
    expect(ndcg(out)).toEqual(ndcg(join(tmp.dir, "restart/local")));
    // One parent run, opened by the detached command and finished by pnpm queue wait, holding the one seed run.
    const client = new MlflowRestClient(mlflow.uri);
    const runs = await client.searchRuns([await client.experimentId("ml100k-bpr")]);
    const tag = (r: RunRecord, k: string) => r.data.tags.find((t) => t.key === k)?.value;
    const parents = runs.filter((r) => tag(r, "mle.queueSubmission") === id && !tag(r, "mlflow.parentRunId"));
    expect(parents.map((r) => r.info.status)).toEqual(["FINISHED"]);
    expect(runs.filter((r) => tag(r, "mlflow.parentRunId") === parents[0].info.run_id).map((r) => r.info.status)).toEqual(["FINISHED"]);
    await stop(w, "SIGTERM");
  });

  it("pnpm queue cancel stops a running seed: the job fails without a retry, its MLflow run ends KILLED, the worker goes on", async () => {
    const url = `${redis.url}?prefix=cancel`;
    const w = worker("w5", url);
    const submitted = await finished(node("exp", ["configs/ml100k/bpr.yaml", "--seeds", "1", "--out", join(tmp.dir, "cancel/run"), "--queue", url, "--detach"]));
    const id = /submitted ([0-9a-f]+)/.exec(submitted.output)?.[1];
    expect([submitted.code, id]).toEqual([0, expect.any(String)]);
    const q = await WorkQueue.connect(url);
    try {
      let job: JobView | undefined;
      while (!(job = (await q.jobs(id!)).find((j) => j.state === "active" && epochOf(j) >= 2))) await new Promise((r) => setTimeout(r, 200));
      const cancel = await finished(node("queue", ["cancel", id!, "--queue", url]));
      expect(cancel.output).toMatch(/0 waiting jobs removed, 1 running job asked to stop, 1 parent MLflow run ended KILLED/);
      let v = await q.view(job.id);
      while (v.state !== "failed") v = (await new Promise((r) => setTimeout(r, 200)), await q.view(job.id));
      expect([v.attemptsStarted, v.failedReason]).toEqual([1, expect.stringMatching(/ml100k-bpr: cancelled \(cancelled by pnpm queue cancel\)/)]);
      const client = new MlflowRestClient(mlflow.uri);
      const runs = await client.searchRuns([await client.experimentId("ml100k-bpr")]);
      expect(runs.filter((r) => r.data.tags.some((t) => t.key === "mle.queueJob" && t.value === job!.id)).map((r) => r.info.status)).toEqual(["KILLED"]);
      expect(runs.filter((r) => r.data.tags.some((t) => t.key === "mle.queueSubmission" && t.value === id)).map((r) => r.info.status)).toEqual(["KILLED"]);
      expect(w.exitCode).toBeNull();
    } finally {
      await q.close();
      await stop(w, "SIGTERM");
    }
  });
});

describe.skipIf(!ready)(`pnpm tune on the queue (skips when ${why})`, () => {
  it("random search with two trials at once proposes and scores what a local tuning does, trial for trial", async () => {
    const url = `${redis.url}?prefix=tune`;
    const base = ["configs/ml100k/ease.yaml", "--set", "split.train=0.675", "--set", "split.valid=0.075", "--set", "tracking.enabled=false", "--space", "{model.lambda: {float: [10, 5000], log: true}}", "--sampler", "random", "--budget", "4", "-q"];
    const local = await finished(node("tune", [...base, "--out", join(tmp.dir, "tune/local")]));
    expect(local.code).toBe(0);
    const workers = [worker("t1", url), worker("t2", url)];
    const queued = await finished(node("tune", [...base, "--out", join(tmp.dir, "tune/queued"), "--queue", url, "--parallel", "2"]));
    expect([queued.code, queued.output]).toEqual([0, expect.anything()]);
    type Trials = { trials: { trial: number; params: Record<string, number>; value: number; status: string }[] };
    const trials = (dir: string) => (JSON.parse(readFileSync(join(tmp.dir, "tune", dir, "trials.json"), "utf8")) as Trials).trials.map((t) => [t.trial, t.params, t.value, t.status]);
    expect(trials("queued")).toEqual(trials("local"));
    expect(readFileSync(join(tmp.dir, "tune/queued/best.yaml"), "utf8").split("\n").slice(1)).toEqual(readFileSync(join(tmp.dir, "tune/local/best.yaml"), "utf8").split("\n").slice(1));
    await Promise.all(workers.map((w) => stop(w, "SIGTERM")));
  });
});

describe.skipIf(!mirror)(`a worker refuses a run it would not run as submitted (skips when ${noMirrorReason})`, () => {
  it("names the differing data checksum, and the differing config hash, before training", async () => {
    process.env.MOVIELENS_CACHE = join(tmp.dir, "cache");
    const overrides = ["experiment.seeds=[1]", "tracking.enabled=false", "training.epochs=1"];
    const file = join(repoRoot, "configs/ml100k/bpr.yaml");
    const { config } = loadConfig(file, overrides);
    const request = { label: "bpr", configFile: file, overrides, outDir: join(tmp.dir, "refuse") };
    // The worker's own path (the job handler), with the context a worker gives it.
    const ctx: JobContext = { jobId: "j", label: "bpr", attempt: 1, memory: {}, remember: async () => undefined, progress: async () => undefined, signal: new AbortController().signal, worker: "test" };
    await expect(runJob({ request: { ...request, expect: { configHash: configHash(config), dataChecksum: "ab".repeat(32) } }, seed: 1 }, ctx)).rejects.toThrow(/ml-100k here \(sha256 [0-9a-f]{12}, from .*\) differs from the submitter's \(sha256 abababababab\): refusing/);
    await expect(runJob({ request: { ...request, expect: { configHash: "cd".repeat(32) } }, seed: 1 }, ctx)).rejects.toThrow(/differs from the submitter's \(cdcdcdcdcdcd\)/);
    expect(existsSync(join(tmp.dir, "refuse", "seed-1", "model"))).toBe(false);
  });
});
