import { rmSync } from "node:fs";
import { log } from "@mle/core";
import type { JobContext } from "@mle/queue";
import { MlflowRestClient, type KeyValue } from "@mle/tracking";
import { executeRun, type RunOutcome, type RunRequest } from "../runner/executor.ts";

interface TrackedRun {
  uri: string;
  id: string;
}

/**
 * A worker's job: the request run exactly as `pnpm exp` runs it. An attempt after a worker died (or failed) first
 * ends the MLflow runs the earlier attempt left RUNNING as KILLED, then links both ways: the new parent run is
 * tagged `mle.rerunOf`, the old ones `mle.rerunBy`.
 */
export async function runJob(r: RunRequest, ctx: JobContext): Promise<RunOutcome> {
  const earlier = (ctx.memory.runs as TrackedRun[] | undefined) ?? [];
  if (ctx.attempt > 1) {
    for (const run of earlier) await endAbandoned(run).catch((e: Error) => log(`queue: could not end the earlier attempt's run ${run.id}: ${e.message}`));
    // Half-written seed folders of the earlier attempt go; the rerun writes every file again.
    rmSync(r.outDir, { recursive: true, force: true });
  }
  const tags: KeyValue[] = [
    ...(r.tags ?? []),
    { key: "mle.queueJob", value: ctx.jobId },
    { key: "mle.queueAttempt", value: String(ctx.attempt) },
    { key: "mle.queueWorker", value: ctx.worker },
    ...(earlier.length ? [{ key: "mle.rerunOf", value: earlier.map((x) => x.id).join(",") }] : []),
  ];
  return executeRun({ ...r, tags }, {
    signal: ctx.signal,
    onProgress: (p) => ctx.progress(p),
    onParentRun: async (id, uri) => {
      await ctx.remember({ runs: [...earlier, { uri, id }] });
      for (const old of earlier) await tag(old, "mle.rerunBy", id).catch(() => undefined);
    },
  });
}

/** Ends a run an attempt left RUNNING (and its RUNNING children) as KILLED. Only an MLflow server can be reached from another worker. */
async function endAbandoned(run: TrackedRun): Promise<void> {
  if (!/^https?:\/\//.test(run.uri)) return;
  const client = new MlflowRestClient(run.uri);
  const parent = await client.getRun(run.id);
  const children = await client.searchRuns([parent.info.experiment_id], `tags.mlflow.parentRunId = '${run.id}'`);
  for (const r of [...children, parent]) {
    if (r.info.status !== "RUNNING") continue;
    await client.endRun(r.info.run_id, "KILLED", Date.now());
    log(`queue: ended run ${r.info.run_id} of the earlier attempt as KILLED`);
  }
}

async function tag(run: TrackedRun, key: string, value: string): Promise<void> {
  if (!/^https?:\/\//.test(run.uri)) return;
  await new MlflowRestClient(run.uri).logBatch(run.id, { tags: [{ key, value }] });
}
