import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { UserError, log } from "@mle/core";
import { defaultCacheDir } from "@mle/data";
import { MlflowRestClient } from "@mle/tracking";

const RUN_ID = /^[0-9a-f]{32}$/;
const REGISTERED = /^models:\/([^/]+)\/([^/]+)$/;

/**
 * `--model` as a local folder: a path as given; an MLflow run id (a seed's child run, or a parent run: its first
 * seed) or `models:/<name>/<version>` (a registered version: its run), whose artifacts are downloaded once into
 * the cache as a run folder (the parent's config.yaml beside the seed's files) from $MLFLOW_TRACKING_URI.
 */
export async function localModelPath(arg: string, trackingUri = process.env.MLFLOW_TRACKING_URI, cacheDir = defaultCacheDir()): Promise<string> {
  const registered = REGISTERED.exec(arg);
  if (existsSync(arg) || (!registered && !RUN_ID.test(arg))) return arg;
  if (!trackingUri || !/^https?:\/\//.test(trackingUri)) throw new UserError(`--model ${arg} names an MLflow ${registered ? "model version" : "run"}, but no MLflow server is set`, "set MLFLOW_TRACKING_URI=http://host:port");
  const client = new MlflowRestClient(trackingUri);
  let runId = registered ? await client.modelVersionRun(registered[1], registered[2]) : arg;
  let files = await client.listArtifacts(runId);
  if (!files.includes("model/manifest.json")) {
    const run = await client.getRun(runId);
    const seeds = (await client.searchRuns([run.info.experiment_id], `tags.mlflow.parentRunId = '${runId}'`))
      .map((r) => ({ id: r.info.run_id, seed: Number(r.data.tags.find((t) => t.key === "mle.seed")?.value ?? NaN) })).sort((a, b) => a.seed - b.seed);
    if (!seeds.length) throw new UserError(`MLflow run ${runId} has no saved model (no model/manifest.json, no seed runs under it)`);
    runId = seeds[0].id;
    files = await client.listArtifacts(runId);
  }
  const run = await client.getRun(runId);
  const seed = run.data.tags.find((t) => t.key === "mle.seed")?.value ?? "1";
  const parent = run.data.tags.find((t) => t.key === "mlflow.parentRunId")?.value;
  const seedDir = join(cacheDir, "mlflow", runId, `seed-${seed}`);
  if (!existsSync(join(seedDir, ".complete"))) {
    log(`downloading ${files.length} artifacts of MLflow run ${runId} to ${seedDir}`);
    for (const f of files) {
      mkdirSync(dirname(join(seedDir, f)), { recursive: true });
      writeFileSync(join(seedDir, f), await client.downloadArtifact(runId, f));
    }
    if (parent) writeFileSync(join(seedDir, "..", "config.yaml"), await client.downloadArtifact(parent, "config.yaml"));
    writeFileSync(join(seedDir, ".complete"), `${new Date().toISOString()}\n`); // a partial download is fetched again
  }
  return seedDir;
}
