import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setQuiet } from "@mle/core";
import { tempDir } from "@mle/core/testing";
import { FileStore } from "./file-store.ts";
import { RunRecorder } from "./recorder.ts";
import { MlflowRestClient } from "./rest-client.ts";
import { epochMetrics } from "./payload.ts";
import { mlflowKey } from "./store.ts";
import { syncPending } from "./sync.ts";
import { mlflowBin, noMlflowReason, startMlflowServer, stopAllServers, type TestServer } from "./test-server.ts";
import { createServer, type Server } from "node:http";
import { readFileSync, readdirSync } from "node:fs";
import { TrackingUnavailableError } from "./rest-client.ts";

const bin = mlflowBin();
const tmp = tempDir("mle-tracking-");
afterAll(tmp.cleanup);
afterAll(stopAllServers); // servers a failed or timed-out test started are stopped too
beforeAll(() => setQuiet(true));
const artifact = (name: string, text: string) => {
  const f = join(tmp.dir, name);
  writeFileSync(f, text);
  return f;
};

/** Logs a small but complete experiment: a parent run, two seed runs with step-wise metrics, inputs and artifacts. */
async function logExperiment(rec: RunRecorder, name: string, between?: () => Promise<void>) {
  const parent = await rec.startRun(name, `${name}-parent`, [{ key: "mle.configHash", value: "abc123" }]);
  await rec.log(parent, { params: [{ key: "model.family", value: "ease" }, { key: "model.lambda", value: "500" }] });
  await rec.inputs(parent, [{ name: "ml-100k", digest: "cef9a616", source: "mirror/ml-100k", sourceType: "local", context: "training" }]);
  const children = [];
  for (const seed of [1, 2]) {
    const child = await rec.startRun(name, `${name}-seed-${seed}`, [{ key: "mle.seed", value: String(seed) }], parent);
    for (let step = 0; step < 3; step++) await rec.log(child, { metrics: [{ key: "loss", value: 1 / (step + seed), timestamp: 1000 + step, step }] });
    if (seed === 2 && between) await between();
    await rec.log(child, { metrics: [{ key: mlflowKey("ndcg@10"), value: 0.4 + seed / 100, timestamp: 2000, step: 0 }] });
    await rec.artifact(child, "split/split-manifest.json", artifact(`m${seed}.json`, `{"seed":${seed}}`));
    await rec.end(child, "FINISHED");
    children.push(child);
  }
  await rec.log(parent, { metrics: [{ key: "ndcg_at_10", value: 0.415, timestamp: 3000, step: 0 }, { key: "ndcg_at_10_std", value: 0.007, timestamp: 3000, step: 0 }] });
  await rec.artifact(parent, "results.json", artifact("results.json", '{"ok":true}'));
  await rec.end(parent, "FINISHED");
  return { parent, children };
}

describe("mlflowKey", () => {
  it("maps our metric names to MLflow-valid keys", () => {
    expect(mlflowKey("recall_liang@20")).toBe("recall_liang_at_20");
    expect(mlflowKey("valid/ndcg@10")).toBe("valid/ndcg_at_10");
  });

  it("an epoch logs its training loss, the watched validation metric and the others of the same pass, at step = epoch", () => {
    const points = epochMetrics({ epoch: 3, loss: 0.5, valid: 0.2, watched: "ndcg@10", alsoValid: { "ndcg@100": 0.3 } }, 7);
    expect(points.map((p) => [p.key, p.value, p.step])).toEqual([["train_loss", 0.5, 3], ["valid/ndcg_at_10_by_epoch", 0.2, 3], ["valid/ndcg_at_100_by_epoch", 0.3, 3]]);
  });
});

/** What a run left in the ./mlruns file store, read straight from its files. */
function localRun(store: FileStore, id: string) {
  const dir = store.runDir(id);
  const read = (...p: string[]) => readFileSync(join(dir, ...p), "utf8");
  return {
    status: Number(/status: (\d+)/.exec(read("meta.yaml"))?.[1]),
    tags: Object.fromEntries(readdirSync(join(dir, "tags")).map((t) => [t, read("tags", t)])),
    metric: (key: string) => read("metrics", key).trim().split("\n").map((l) => l.split(" ").map(Number)),
  };
}

describe("without an MLflow server: the local store and the failover path", () => {
  it("runs logged to ./mlruns have MLflow's file layout: status, tags, metric histories with steps, artifacts", async () => {
    const store = new FileStore(join(tmp.dir, "plain-mlruns"));
    const { parent, children } = await logExperiment(new RunRecorder(store, null), "plain");
    expect(localRun(store, parent.id!).status).toBe(3); // FINISHED
    expect(localRun(store, children[1].id!).tags["mlflow.parentRunId"]).toBe(parent.id);
    expect(localRun(store, children[1].id!).metric("loss").map((m) => m[2])).toEqual([0, 1, 2]);
    expect(readFileSync(join(store.runDir(children[0].id!), "artifacts", "split", "split-manifest.json"), "utf8")).toBe('{"seed":1}');
  });

  it("a server that cannot be reached: every run goes to the local store, tagged for sync, nothing lost", async () => {
    const local = new FileStore(join(tmp.dir, "unreachable-mlruns"));
    const rec = new RunRecorder(new MlflowRestClient("http://127.0.0.1:9", { attempts: 2, backoffMs: 10 }), local);
    const { parent, children } = await logExperiment(rec, "unreachable");
    expect(rec.failedOver).toBe("http://127.0.0.1:9");
    expect(localRun(local, parent.id!).tags["mle.pendingSync"]).toBe("http://127.0.0.1:9");
    expect(localRun(local, children[1].id!).metric("loss")).toHaveLength(3);
    expect(localRun(local, children[1].id!).status).toBe(3);
  });

  it("a server that answers but is not MLflow is named as such, and the runs fall back to the local store", async () => {
    const web: Server = createServer((_req, res) => res.writeHead(501, { "content-type": "text/html" }).end("<html><title>Error response</title>Unsupported method</html>"));
    await new Promise<void>((r) => web.listen(0, "127.0.0.1", r));
    try {
      const uri = `http://127.0.0.1:${(web.address() as { port: number }).port}`;
      const client = new MlflowRestClient(uri, { attempts: 3, backoffMs: 10 });
      await expect(client.experimentId("x")).rejects.toThrow(TrackingUnavailableError);
      await expect(client.experimentId("x")).rejects.toThrow(`the server at ${uri} answered but is not an MLflow tracking server (GET /api/2.0/mlflow/experiments/get-by-name → HTTP 501 text/html, "Error response")`);
      const local = new FileStore(join(tmp.dir, "not-mlflow-mlruns"));
      const rec = new RunRecorder(client, local);
      const { parent } = await logExperiment(rec, "not-mlflow");
      expect(rec.failedOver).toBe(uri);
      expect(localRun(local, parent.id!).status).toBe(3);
    } finally {
      await new Promise((r) => web.close(r));
    }
  });
});

describe.skipIf(!bin)(`against a real MLflow server (skips when ${noMlflowReason})`, () => {
  let server: TestServer;
  // .ci/run starts one on loopback (MLE_TEST_MLFLOW_URI); elsewhere the tests start their own.
  beforeAll(async () => {
    const shared = process.env.MLE_TEST_MLFLOW_URI;
    server = shared ? { uri: shared, kill: () => undefined, stop: async () => undefined } : await startMlflowServer(join(tmp.dir, "server"));
  });
  afterAll(async () => server?.stop());

  it("a parent run with child runs: params, tags, metric histories, inputs and artifacts read back over REST", async () => {
    const rec = new RunRecorder(new MlflowRestClient(server.uri), null);
    const { parent, children } = await logExperiment(rec, "rest-roundtrip");
    const client = new MlflowRestClient(server.uri);
    const p = await client.getRun(parent.id!);
    expect(p.info.status).toBe("FINISHED");
    expect(p.data.params).toEqual(expect.arrayContaining([{ key: "model.lambda", value: "500" }]));
    expect(p.data.tags).toEqual(expect.arrayContaining([{ key: "mle.configHash", value: "abc123" }]));
    expect(p.inputs?.dataset_inputs[0].dataset).toMatchObject({ name: "ml-100k", digest: "cef9a616" });
    expect(await client.listArtifacts(parent.id!)).toEqual(["results.json"]);
    const exp = await client.experimentId("rest-roundtrip");
    const runs = await client.searchRuns([exp], `tags.mlflow.parentRunId = '${parent.id}'`);
    expect(runs.map((r) => r.info.run_id).sort()).toEqual(children.map((c) => c.id).sort());
    expect((await client.metricHistory(children[1].id!, "loss")).map((m) => m.step)).toEqual([0, 1, 2]);
    expect(await client.listArtifacts(children[0].id!)).toEqual(["split/split-manifest.json"]);
    const download = await fetch(`${server.uri}/api/2.0/mlflow-artifacts/artifacts/${exp}/${children[0].id}/artifacts/split/split-manifest.json`);
    expect(await download.text()).toBe('{"seed":1}');
  });

  it("log-batch requests stay within MLflow's limits (2,500 metric points, 150 params)", async () => {
    const client = new MlflowRestClient(server.uri);
    const id = await client.createRun(await client.experimentId("limits"), "many", [], Date.now());
    const metrics = Array.from({ length: 2500 }, (_, step) => ({ key: "curve", value: step / 2500, timestamp: step, step }));
    await client.logBatch(id, { metrics, params: Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: String(i) })) });
    expect((await client.metricHistory(id, "curve")).length).toBe(2500);
    expect((await client.getRun(id)).data.params.length).toBe(150);
  });

  it("a server killed mid-run loses nothing: the run finishes locally, then syncs to a restarted server", async () => {
    const dir = join(tmp.dir, "crash");
    const own = await startMlflowServer(dir);
    const local = new FileStore(join(tmp.dir, "fallback-mlruns"));
    const rec = new RunRecorder(new MlflowRestClient(own.uri, { attempts: 2, backoffMs: 50 }), local);
    const { parent, children } = await logExperiment(rec, "crash", async () => own.kill());
    expect(rec.failedOver).toBe(own.uri);
    // Everything, including what reached the server before it died, is in the local store.
    const localParent = local.runDir(parent.id!);
    expect(spawnSync("cat", [join(localParent, "tags", "mle.pendingSync")], { encoding: "utf8" }).stdout).toBe(own.uri);
    const lossFile = spawnSync("cat", [join(local.runDir(children[1].id!), "metrics", "loss")], { encoding: "utf8" }).stdout;
    expect(lossFile.trim().split("\n").length).toBe(3);
    // Restart on the same database and sync.
    const again = await startMlflowServer(dir, Number(new URL(own.uri).port));
    try {
      const client = new MlflowRestClient(again.uri);
      const synced = await syncPending(local, client);
      expect(synced.length).toBe(3);
      const exp = await client.experimentId("crash");
      const runs = await client.searchRuns([exp], "tags.`mle.syncedFrom` != ''");
      const seed2 = runs.find((r) => r.info.run_name === "crash-seed-2")!;
      expect((await client.metricHistory(seed2.info.run_id, "loss")).length).toBe(3);
      expect(seed2.data.metrics.find((m) => m.key === "ndcg_at_10")?.value).toBeCloseTo(0.42, 12);
      const newParent = runs.find((r) => r.info.run_name === "crash-parent")!;
      expect(seed2.data.tags.find((t) => t.key === "mlflow.parentRunId")?.value).toBe(newParent.info.run_id);
      expect(await client.listArtifacts(newParent.info.run_id)).toEqual(["results.json"]);
      const stale = await client.getRun(parent.remoteId!);
      expect(stale.info.status).toBe("KILLED");
      expect(await syncPending(local, client)).toEqual([]); // idempotent
    } finally {
      await again.stop();
    }
  });

  it("the ./mlruns file store is read back by MLflow's own Python client", async () => {
    const root = join(tmp.dir, "mlruns");
    const rec = new RunRecorder(new FileStore(root), null);
    const { parent, children } = await logExperiment(rec, "local-store");
    const python = join(bin!, "..", "python");
    const script = `
import json, sys
from mlflow import MlflowClient
c = MlflowClient(sys.argv[1])
exp = c.get_experiment_by_name("local-store")
runs = c.search_runs([exp.experiment_id])
p = c.get_run(sys.argv[2])
print(json.dumps({
  "runs": len(runs), "status": p.info.status, "params": p.data.params, "tags": {k: v for k, v in p.data.tags.items() if k.startswith("mle.")},
  "children": sorted(r.info.run_id for r in runs if r.data.tags.get("mlflow.parentRunId") == sys.argv[2]),
  "loss": [m.value for m in c.get_metric_history(sys.argv[3], "loss")],
  "artifacts": [a.path for a in c.list_artifacts(sys.argv[3], "split")],
}))`;
    const r = spawnSync(python, ["-c", script, `file://${root}`, parent.id!, children[1].id!], { encoding: "utf8", env: { ...process.env, MLFLOW_ALLOW_FILE_STORE: "true" } });
    expect(r.stderr).not.toMatch(/Traceback/);
    const got = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(got).toMatchObject({ runs: 3, status: "FINISHED", params: { "model.family": "ease", "model.lambda": "500" } });
    expect(got.tags["mle.configHash"]).toBe("abc123");
    expect(got.children).toEqual(children.map((c) => c.id).sort());
    expect(got.loss).toEqual([0.5, 1 / 3, 0.25]);
    expect(got.artifacts).toEqual(["split/split-manifest.json"]);
  });
});
