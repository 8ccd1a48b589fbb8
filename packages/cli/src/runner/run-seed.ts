import { UserError } from "@mle/core";
import { integrityWarnings } from "@mle/data";
import { describeModel, type BackendInfo } from "@mle/models";
import { epochMetrics, seedMetrics, uploadFolder, type KeyValue, type RunHandle, type RunRecorder } from "@mle/tracking";
import type { ExperimentConfig } from "../config/schema.ts";
import { evaluateSeed, type SeedResult } from "./evaluate-seed.ts";
import type { PreparedExperiment, PreparedSeed } from "./prepare.ts";
import { flatten, type provenance } from "./provenance.ts";
import type { RunOptions } from "./run.ts";

/** What every seed of one run shares: the config, its data, where it is tracked and with which tags. */
export interface SeedContext {
  config: ExperimentConfig;
  configFile: string;
  prepared: PreparedExperiment;
  rec: RunRecorder | null;
  experimentName: string;
  tags: KeyValue[];
  params: KeyValue[];
  o: RunOptions;
  /** The seed's child run as soon as it exists (a seed job's `onRunStarted`: the run its worker opened). */
  onChildRun?: (runId: string, uri: string) => Promise<void>;
}

/** One seed: its MLflow child run (under `parent`), fit, evaluation, learning curve, files. */
export async function runSeed(ctx: SeedContext, s: PreparedSeed, seedIndex: number, parent: RunHandle | undefined, seedsTotal = ctx.prepared.seeds.length): Promise<SeedResult> {
  const { config, prepared, rec, o } = ctx;
  const stopIfCancelled = () => {
    if (o.signal?.aborted) throw new RunCancelledError(`${config.experiment.name}: cancelled (${String(o.signal.reason ?? "on request")})`);
  };
  stopIfCancelled();
  await o.onProgress?.({ seed: s.seed, seedIndex, seeds: seedsTotal });
  const child = rec && parent ? await rec.startRun(ctx.experimentName, `${config.experiment.name}-seed-${s.seed}`, [...ctx.tags, { key: "mle.seed", value: String(s.seed) }, { key: "mle.splitHash", value: s.split.manifest.hash }, ...(o.seedTags ?? [])], parent) : undefined;
  if (rec && child) {
    await ctx.onChildRun?.(child.id!, rec.uri);
    await rec.log(child, { params: [...ctx.params, { key: "seed", value: String(s.seed) }] });
    await rec.inputs(child, [{ name: prepared.loaded.dataset.name, digest: prepared.loaded.dataset.checksum.slice(0, 36), source: prepared.loaded.located.dir, sourceType: "local", context: "training" }]);
  }
  // Learning curves go to the child run as each epoch ends.
  const onEpoch = async (point: { epoch: number; loss: number; valid?: number; alsoValid?: Record<string, number> }, watched?: string) => {
    if (rec && child) await rec.log(child, { metrics: epochMetrics({ ...point, watched }) });
    await o.onProgress?.({ seed: s.seed, seedIndex, seeds: seedsTotal, epoch: point.epoch, valid: point.valid });
    stopIfCancelled();
  };
  const r = await evaluateSeed(config, prepared, s, { onEpoch, prune: o.prune, servingIndex: o.servingIndex });
  if (rec && child) {
    const summary = `Seed ${s.seed} of \`${config.experiment.name}\`: ${describeModel(config.model)}, fitted in ${r.fitSeconds.toFixed(1)} s${r.training.curve.length ? ` (${r.training.epochsRun} epochs, kept epoch ${r.training.keptEpoch})` : ""}. Test ${Object.entries(r.metrics).filter(([k]) => /^(ndcg|recall)@/.test(k)).slice(0, 4).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(", ")}${r.metrics.rmse !== undefined ? `, rmse ${r.metrics.rmse.toFixed(4)}` : ""}. Split manifest \`${s.split.manifest.hash.slice(0, 12)}\`; the parent run's description is the full report.`;
    await rec.log(child, { metrics: seedMetrics(r), tags: [{ key: "mle.backend", value: r.backend }, { key: "mlflow.note.content", value: note(summary, 8000) }] });
    await uploadFolder(rec, child, s.dir);
    await rec.end(child, "FINISHED");
  }
  return r;
}

/** What a run depends on, as MLflow tags: config hash, data checksum, commit, packages, backend. */
export function runTags(configFile: string, configHash: string, prepared: PreparedExperiment, engine: BackendInfo, prov: ReturnType<typeof provenance>): KeyValue[] {
  return [
    { key: "mle.configHash", value: configHash },
    { key: "mle.configFile", value: configFile },
    { key: "mlflow.source.git.commit", value: prov.gitCommit },
    { key: "mlflow.source.name", value: `pnpm exp ${configFile}` },
    { key: "mlflow.source.type", value: "LOCAL" },
    { key: "mlflow.user", value: prov.user },
    { key: "mle.gitDirty", value: String(prov.gitDirty) },
    { key: "mle.node", value: prov.node },
    { key: "mle.packages", value: JSON.stringify(prov.packages) },
    { key: "mle.dataset", value: prepared.loaded.dataset.name },
    { key: "mle.dataChecksum", value: prepared.loaded.dataset.checksum },
    { key: "mle.dataWarnings", value: integrityWarnings(prepared.loaded.dataset).join("; ") || "none" },
    { key: "mle.backend", value: engine.name },
    { key: "mle.backendVersion", value: engine.version },
    { key: "mle.device", value: engine.device },
    ...(engine.onednn === undefined ? [] : [{ key: "mle.onednn", value: String(engine.onednn) }]),
  ];
}

export function runParams(config: ExperimentConfig): KeyValue[] {
  return Object.entries(flatten(config)).map(([key, value]) => ({ key, value: value.slice(0, 6000) }));
}

/** A run stopped on request (`pnpm queue cancel`). */
export class RunCancelledError extends UserError {
  override name = "RunCancelledError";
}

/** A description within MLflow's tag limit; a long report is cut at a line, pointing at the full artifact. */
export function note(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const tail = "\n\n… (cut to fit MLflow's description limit: the full report is the artifact report.md)";
  const cut = text.lastIndexOf("\n", limit - tail.length);
  return `${text.slice(0, cut > 0 ? cut : limit - tail.length)}${tail}`;
}
