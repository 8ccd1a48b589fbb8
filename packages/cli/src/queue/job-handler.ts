import { rmSync } from "node:fs";
import { join } from "node:path";
import { log } from "@mle/core";
import type { JobContext } from "@mle/queue";
import { MlflowRestClient, type KeyValue } from "@mle/tracking";
import { requestOptions, type RunRequest } from "../runner/executor.ts";
import { runSeedJob } from "../runner/run.ts";

/** A queue job: one seed of a run, its MLflow run nested under the submitter's parent run. */
export interface SeedJob {
  request: RunRequest;
  seed: number;
  parentRunId?: string;
}

interface TrackedRun {
  uri: string;
  id: string;
}

/**
 * A worker's job: one seed, run exactly as `pnpm exp` runs it. An attempt after a worker died (or failed) first ends
 * the MLflow run the earlier attempt left RUNNING as KILLED, then links both ways: the new run is tagged
 * `mle.rerunOf`, the old one `mle.rerunBy`.
 */
export async function runJob(job: SeedJob, ctx: JobContext): Promise<{ seed: number; fitSeconds: number }> {
  const r = job.request;
  const { config, options } = requestOptions(r);
  const earlier = (ctx.memory.runs as TrackedRun[] | undefined) ?? [];
  if (ctx.attempt > 1) {
    for (const run of earlier) await endAbandoned(run).catch((e: Error) => log(`queue: could not end the earlier attempt's run ${run.id}: ${e.message}`));
    // The earlier attempt's half-written seed folder goes; the rerun writes every file again.
    rmSync(join(r.outDir, `seed-${job.seed}`), { recursive: true, force: true });
  }
  const seedTags: KeyValue[] = [
    ...(job.parentRunId ? [] : r.tags ?? []),
    { key: "mle.queueJob", value: ctx.jobId },
    { key: "mle.queueAttempt", value: String(ctx.attempt) },
    { key: "mle.queueWorker", value: ctx.worker },
    ...(earlier.length ? [{ key: "mle.rerunOf", value: earlier.map((x) => x.id).join(",") }] : []),
  ];
  const result = await runSeedJob(config, r.configFile, r.outDir, job.seed, job.parentRunId, {
    ...options,
    seedTags,
    signal: ctx.signal,
    onProgress: (p) => ctx.progress(p),
    onRunStarted: async (id, uri) => {
      await ctx.remember({ runs: [...earlier, { uri, id }] });
      for (const old of earlier) await tag(old, "mle.rerunBy", id).catch(() => undefined);
    },
  });
  return { seed: result.seed, fitSeconds: result.fitSeconds };
}

/** Ends a run an attempt left RUNNING (and its RUNNING children) as KILLED. Only an MLflow server can be reached from another worker. */
async function endAbandoned(run: TrackedRun): Promise<void> {
  if (!/^https?:\/\//.test(run.uri)) return;
  const client = new MlflowRestClient(run.uri);
  const found = await client.getRun(run.id);
  const children = await client.searchRuns([found.info.experiment_id], `tags.mlflow.parentRunId = '${run.id}'`);
  for (const r of [...children, found]) {
    if (r.info.status !== "RUNNING") continue;
    await client.endRun(r.info.run_id, "KILLED", Date.now());
    log(`queue: ended run ${r.info.run_id} of the earlier attempt as KILLED`);
  }
}

async function tag(run: TrackedRun, key: string, value: string): Promise<void> {
  if (!/^https?:\/\//.test(run.uri)) return;
  await new MlflowRestClient(run.uri).logBatch(run.id, { tags: [{ key, value }] });
}
