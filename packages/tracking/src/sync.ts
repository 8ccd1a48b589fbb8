import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import type { FileStore } from "./file-store.ts";
import type { MlflowRestClient } from "./rest-client.ts";
import type { KeyValue, Metric, RunStatus } from "./store.ts";

const STATUS: Record<number, RunStatus> = { 1: "RUNNING", 3: "FINISHED", 4: "FAILED", 5: "KILLED" };

/**
 * Sends runs that were finished into the local store while MLflow was down (tag `mle.pendingSync`)
 * to `remote`: parents before children, every param, tag, metric step and artifact. The partial
 * remote run, if one was started, is ended KILLED and tagged with its replacement. Returns run ids.
 */
export async function syncPending(local: FileStore, remote: MlflowRestClient): Promise<{ local: string; remote: string }[]> {
  const pending = local.listRuns().filter((r) => existsSync(join(r.dir, "tags", "mle.pendingSync")) && !existsSync(join(r.dir, "tags", "mle.syncedTo")));
  const parentOf = (dir: string) => readOr(join(dir, "tags", "mlflow.parentRunId"));
  pending.sort((a, b) => Number(parentOf(a.dir) !== null) - Number(parentOf(b.dir) !== null)); // parents first
  const mapped = new Map<string, string>();
  const out = [];
  for (const r of pending) {
    const meta = parse(readFileSync(join(r.dir, "meta.yaml"), "utf8")) as { run_name: string; start_time: number; end_time: number | null; status: number };
    const tags = readKeyValues(join(r.dir, "tags")).filter((t) => !["mle.pendingSync", "mlflow.runName", "mlflow.parentRunId"].includes(t.key));
    const parent = parentOf(r.dir);
    if (parent) tags.push({ key: "mlflow.parentRunId", value: mapped.get(parent) ?? parent });
    tags.push({ key: "mle.syncedFrom", value: r.runId });
    const id = await remote.createRun(await remote.experimentId(r.experimentName), meta.run_name, tags, meta.start_time);
    await remote.logBatch(id, { params: readKeyValues(join(r.dir, "params")), metrics: readMetrics(join(r.dir, "metrics")) });
    for (const f of walk(join(r.dir, "artifacts"))) await remote.uploadArtifact(id, relative(join(r.dir, "artifacts"), f), readFileSync(f));
    await remote.endRun(id, STATUS[meta.status] ?? "FINISHED", meta.end_time ?? Date.now());
    const stale = readOr(join(r.dir, "tags", "mle.remoteRunId"));
    if (stale) {
      await remote.logBatch(stale, { tags: [{ key: "mle.replacedBy", value: id }] });
      await remote.endRun(stale, "KILLED", Date.now());
    }
    await local.logBatch(r.runId, { tags: [{ key: "mle.syncedTo", value: `${remote.uri} ${id}` }] });
    mapped.set(r.runId, id);
    out.push({ local: r.runId, remote: id });
  }
  return out;
}

function readOr(path: string): string | null {
  return existsSync(path) ? readFileSync(path, "utf8") : null;
}

function readKeyValues(dir: string): KeyValue[] {
  return walk(dir).map((f) => ({ key: relative(dir, f), value: readFileSync(f, "utf8") }));
}

function readMetrics(dir: string): Metric[] {
  return walk(dir).flatMap((f) =>
    readFileSync(f, "utf8").trim().split("\n").filter(Boolean).map((line) => {
      const [timestamp, value, step] = line.split(" ");
      return { key: relative(dir, f), timestamp: Number(timestamp), value: Number(value), step: Number(step ?? 0) };
    }));
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
}
