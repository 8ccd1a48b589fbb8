import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { learningCurveSpec, renderSvg } from "./charts.ts";
import { formatMetric, metricsMarkdown, type MetricCell } from "./format.ts";

/** One seed's training: its learning curve and what early stopping did. */
export interface SeedTraining {
  seed: number;
  epochsRun: number;
  /** The epoch whose weights the model kept (the best on validation, or the last). */
  keptEpoch: number;
  stoppedEarly: boolean;
  curve: { epoch: number; loss: number; valid?: number; alsoValid?: Record<string, number> }[];
}

export interface ExampleUser {
  user: string;
  historySize: number;
  /** The user's best-rated history items, e.g. "Heat (1995) (5★)". */
  history: string[];
  recommendations: { title: string; hit: boolean }[];
}

/** Everything a single run's report says, as plain values (the runner fills it; this package knows no runner types). */
export interface RunSummary {
  experiment: string;
  description?: string;
  modelLine: string;
  configFile: string;
  configHash: string;
  seeds: number[];
  gitCommit: string;
  gitDirty: boolean;
  backend: string;
  node: string;
  tracking: { uri: string; experiment: string; parentRunId: string; failedOver: string | null } | null;
  /** A paragraph: the release, its counts and the preprocessing. */
  data: string;
  split: { paragraph: string; justification: string; note?: string };
  evaluationRationale: string;
  model: { architecture: string; why: string; training: string };
  hyperparameters: [string, string][];
  /** Per seed, when the model trains in epochs; null when it has no iterative training. */
  /** `watchedUsers`: early stopping ranked a fixed sample of this many validation users each epoch. */
  training: { watched?: string; watchedUsers?: number; seeds: SeedTraining[] } | null;
  fitSeconds: number[];
  evaluateSeconds: number[];
  results: { ks: number[]; families: readonly string[]; metrics: Record<string, MetricCell>; usersEvaluated: number; validation?: Record<string, MetricCell> };
  /** Reference models fitted on the same splits (popularity; for ratings the global mean and baseline-only). */
  references: { name: string; metrics: Record<string, MetricCell> }[];
  examples: { seed: number; k: number; users: ExampleUser[] };
}

/** Writes `report.md` (and its charts) into `dir`; returns the files written. */
export async function writeRunReport(s: RunSummary, dir: string): Promise<string[]> {
  const files: string[] = [];
  const lines = [
    `# ${s.experiment}: ${s.modelLine}`,
    "",
    ...(s.description ? [s.description, ""] : []),
    `Config \`${s.configFile}\` (sha256 ${s.configHash.slice(0, 12)}), seeds ${s.seeds.join(", ")}, git ${s.gitCommit.slice(0, 10)}${s.gitDirty ? " (dirty)" : ""}, ` +
      `TensorFlow.js backend ${s.backend}, Node ${s.node}.` +
      (s.tracking ? ` MLflow: ${s.tracking.uri}, experiment \`${s.tracking.experiment}\`, parent run \`${s.tracking.parentRunId}\`${s.tracking.failedOver ? ` (the server at ${s.tracking.failedOver} failed: stored locally, run \`pnpm tracking sync\`)` : ""}.` : ""),
    "",
    "## Data",
    "",
    s.data,
    "",
    "## Split, and why",
    "",
    s.split.paragraph,
    "",
    s.split.justification,
    ...(s.split.note ? ["", s.split.note] : []),
    "",
    "## Metrics, and why",
    "",
    s.evaluationRationale,
    "",
    "## Model, and why",
    "",
    s.model.architecture,
    "",
    s.model.why,
    "",
    ...hyperparameterTable(s.hyperparameters),
    "## Training and validation",
    "",
    s.model.training,
    "",
    `Fit ${s.fitSeconds.map((t) => t.toFixed(2)).join(" / ")} s, evaluation ${s.evaluateSeconds.map((t) => t.toFixed(2)).join(" / ")} s per seed.`,
    "",
  ];
  const drawable = s.training?.seeds.some((t) => t.curve.some((p) => Number.isFinite(p.loss) || p.valid !== undefined));
  if (s.training && drawable) {
    const t = s.training;
    lines.push(...trainingTable(t), "");
    const points = t.seeds.flatMap((x) => x.curve.map((p) => ({ seed: String(x.seed), ...p })));
    writeFileSync(join(dir, "learning-curve.svg"), await renderSvg(learningCurveSpec(points, t.seeds.map((x) => ({ seed: String(x.seed), epoch: x.keptEpoch })), t.watched)));
    files.push("learning-curve.svg");
    lines.push("![learning curves](learning-curve.svg)", "");
  } else if (s.training) {
    lines.push(...trainingTable(s.training), "", "Neither a training loss nor a validation metric was recorded, so there is no curve to draw.", "");
  } else {
    lines.push("This model has no iterative training, so there is no learning curve.", "");
  }
  const r = s.results;
  lines.push(
    `## Test results (${s.seeds.length} seed${s.seeds.length > 1 ? "s, mean ± 95% CI half-width" : ""}; ${r.usersEvaluated} users evaluated)`,
    "",
    metricsMarkdown(r.ks, r.families, r.metrics),
    "",
  );
  const k0 = r.ks[0];
  if (r.validation) {
    const v = ["ndcg", "recall"].map((m) => `${m}@${k0}`).filter((m) => r.validation![m]).map((m) => `${m} ${formatMetric(r.validation![m])}`);
    if (r.validation.rmse) v.push(`rmse ${formatMetric(r.validation.rmse)}`);
    lines.push(`Validation: ${v.join(", ")}.`, "");
  }
  if (s.references.length) lines.push(...referenceTable(s, k0), "");
  lines.push(...examples(s.examples));
  const report = join(dir, "report.md");
  writeFileSync(report, `${lines.join("\n")}\n`);
  return [...files, "report.md"];
}

function hyperparameterTable(h: [string, string][]): string[] {
  if (!h.length) return [];
  return ["| hyperparameter | value |", "|---|---|", ...h.map(([k, v]) => `| \`${k}\` | ${v} |`), ""];
}

function trainingTable(t: { watched?: string; watchedUsers?: number; seeds: SeedTraining[] }): string[] {
  const how = (x: SeedTraining) =>
    x.stoppedEarly ? `stopped early after ${x.epochsRun}; kept epoch ${x.keptEpoch}` : x.keptEpoch !== x.epochsRun ? `ran all ${x.epochsRun}; kept epoch ${x.keptEpoch}` : `ran all ${x.epochsRun}`;
  const last = (x: SeedTraining) => x.curve.find((p) => p.epoch === x.keptEpoch);
  return [
    t.watched ? `Early stopping watched validation \`${t.watched}\`${t.watchedUsers ? ` on a fixed sample of at most ${t.watchedUsers} validation users (the validation figures reported use them all)` : ""} after every epoch and kept the best epoch's weights.` : "No validation metric was watched: every epoch ran and the last one was kept.",
    "",
    `| seed | epochs | training loss at the kept epoch |${t.watched ? ` validation ${t.watched} at the kept epoch |` : ""}`,
    `|---|---|---:|${t.watched ? "---:|" : ""}`,
    ...t.seeds.map((x) => {
      const p = last(x);
      const loss = p && Number.isFinite(p.loss) ? p.loss.toFixed(4) : "—";
      return `| ${x.seed} | ${how(x)} | ${loss} |${t.watched ? ` ${p?.valid !== undefined ? p.valid.toFixed(4) : "—"} |` : ""}`;
    }),
  ];
}

function referenceTable(s: RunSummary, k0: number): string[] {
  const cols = [`ndcg@${k0}`, `recall@${k0}`, "rmse", "mae"].filter((c) => s.results.metrics[c] && s.references.some((r) => r.metrics[c]));
  if (!cols.length) return [];
  return [
    "## Against the reference models (same splits and seeds)",
    "",
    `| model | ${cols.join(" | ")} |`,
    `|---|${cols.map(() => "---:").join("|")}|`,
    `| **${s.modelLine}** | ${cols.map((c) => formatMetric(s.results.metrics[c])).join(" | ")} |`,
    ...s.references.map((r) => `| ${r.name} | ${cols.map((c) => (r.metrics[c] ? formatMetric(r.metrics[c]) : "")).join(" | ")} |`),
  ];
}

function examples(e: RunSummary["examples"]): string[] {
  const out = [`## Example recommendations (seed ${e.seed})`, ""];
  if (!e.users.length) return [...out, "No evaluated user has a history to show.", ""];
  for (const u of e.users) {
    out.push(
      `**User ${u.user}** — history (${u.historySize} items; best rated): ${u.history.join("; ")}`,
      "",
      `Top ${e.k}: ${u.recommendations.map((r) => (r.hit ? `**${r.title}** ✓` : r.title)).join(" · ")}`,
      "",
    );
  }
  out.push("✓ marks a held-out target the model found.");
  return out;
}
