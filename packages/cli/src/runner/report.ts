import { writeFileSync } from "node:fs";
import { EVALUATION_RATIONALE } from "@mle/metrics";
import { describeModel, modelNotes } from "@mle/models";
import type { ExperimentConfig } from "../config/schema.ts";
import type { SeedResult } from "./evaluate-seed.ts";
import type { PreparedExperiment } from "./prepare.ts";
import type { Provenance } from "./provenance.ts";
import { RANKING_METRICS, formatMetric, type Results } from "./results.ts";

/** Markdown table of test metrics: one row per metric, one column per K, mean ± 95% half-width over seeds. */
export function metricsMarkdown(ks: number[], r: Results): string {
  const rows = RANKING_METRICS.map((m) => `| ${m} | ${ks.map((k) => (r.metrics[`${m}@${k}`] ? formatMetric(r.metrics[`${m}@${k}`]) : "")).join(" | ")} |`);
  const extra = ["mrr", "rmse", "mae"].filter((m) => r.metrics[m]).map((m) => `| ${m} (full ranking) | ${formatMetric(r.metrics[m])} |`);
  return [`| metric | ${ks.map((k) => `@${k}`).join(" | ")} |`, `|---|${ks.map(() => "---:").join("|")}|`, ...rows, ...(extra.length ? ["", "| metric | value |", "|---|---:|", ...extra] : [])].join("\n");
}

/** The run's report: what was run on what, why, what came out, and what it recommends to a few users. */
export function writeRunReport(
  path: string, c: ExperimentConfig, configFile: string, p: PreparedExperiment, seeds: SeedResult[], r: Results,
  tracking: { uri: string; parentRunId: string; experiment: string; failedOver: string | null } | null, prov: Provenance,
): void {
  const d = p.loaded.dataset;
  const x = p.interactions;
  const notes = modelNotes(c.model);
  const ks = [...new Set(c.evaluation.k)].sort((a, b) => a - b);
  const s0 = p.seeds[0];
  const m = s0.split.manifest.counts;
  const title = (item: number) => d.movies.title[x.itemOf[item]] || `movie ${d.itemIds[x.itemOf[item]]}`;
  const lines = [
    `# ${c.experiment.name}: ${describeModel(c.model)}`,
    "",
    c.experiment.description ?? "",
    "",
    `Config \`${configFile}\` (sha256 ${p.configHash.slice(0, 12)}), seeds ${r.seeds.join(", ")}, git ${prov.gitCommit.slice(0, 10)}${prov.gitDirty ? " (dirty)" : ""}, ` +
      `TensorFlow.js backend ${r.backend}, Node ${prov.node}.` +
      (tracking ? ` MLflow: ${tracking.uri}, experiment \`${tracking.experiment}\`, parent run \`${tracking.parentRunId}\`${tracking.failedOver ? ` (the server at ${tracking.failedOver} failed: stored locally, run \`pnpm tracking sync\`)` : ""}.` : ""),
    "",
    "## Data",
    "",
    `${d.name}: ${d.nRatings.toLocaleString("en-US")} ratings by ${d.nUsers.toLocaleString("en-US")} users of ${d.nItems.toLocaleString("en-US")} movies (sha256 ${d.checksum.slice(0, 16)}). ` +
      `After preprocessing (${c.data.feedback.kind}${c.data.feedback.kind === "implicit" ? `, rating ≥ ${c.data.feedback.minRating}` : ""}, ${c.data.kCore.users}/${c.data.kCore.items}-core): ` +
      `${x.n.toLocaleString("en-US")} interactions, ${x.nUsers.toLocaleString("en-US")} users, ${x.nItems.toLocaleString("en-US")} items.`,
    "",
    "## Split, and why",
    "",
    `\`${c.split.kind}\` — seed ${s0.seed}: train ${m.train.rows.toLocaleString("en-US")} rows; test targets ${m.test.target.rows.toLocaleString("en-US")} rows of ${m.test.target.users} users` +
      `${m.valid ? `; validation targets ${m.valid.target.rows.toLocaleString("en-US")} rows` : ""}. Manifest sha256 per seed: ${p.seeds.map((s) => `\`${s.split.manifest.hash.slice(0, 12)}\``).join(", ")}.`,
    "",
    s0.split.justification,
    "",
    "## Metrics, and why",
    "",
    EVALUATION_RATIONALE,
    "",
    "## Model, and why",
    "",
    notes.architecture,
    "",
    notes.why,
    "",
    "## Training and validation",
    "",
    notes.training,
    "",
    `Fit ${r.fitSeconds.map((t) => t.toFixed(2)).join(" / ")} s, evaluation ${r.evaluateSeconds.map((t) => t.toFixed(2)).join(" / ")} s per seed. ` +
      "This family has no iterative training, so there is no learning curve.",
    "",
    `## Test results (${r.seeds.length} seed${r.seeds.length > 1 ? "s, mean ± 95% CI half-width" : ""}; ${r.usersEvaluated[0]} users evaluated)`,
    "",
    metricsMarkdown(ks, r),
    "",
    ...(r.validMetrics ? [`Validation NDCG@${ks[0]}: ${formatMetric(r.validMetrics[`ndcg@${ks[0]}`])}.`, ""] : []),
    "## Example recommendations (seed " + seeds[0].seed + ")",
    "",
  ];
  const targets = new Map<number, Set<number>>();
  for (const row of s0.split.test.target) {
    const u = x.user[row];
    if (!targets.has(u)) targets.set(u, new Set());
    targets.get(u)!.add(x.item[row]);
  }
  const history = new Map<number, number[]>();
  for (const row of s0.split.test.history) {
    const u = x.user[row];
    if (!history.has(u)) history.set(u, []);
    history.get(u)!.push(row);
  }
  const k = Math.min(10, seeds[0].kMax);
  for (let e = 0; e < Math.min(3, seeds[0].users.length); e++) {
    const u = seeds[0].users[Math.floor((e * seeds[0].users.length) / 3)];
    const ue = seeds[0].users.indexOf(u);
    const hist = (history.get(u) ?? []).sort((a, b) => x.rating[b] - x.rating[a] || x.timestamp[b] - x.timestamp[a]).slice(0, 5);
    const recs = Array.from(seeds[0].topItems.subarray(ue * seeds[0].kMax, ue * seeds[0].kMax + k)).filter((i) => i >= 0);
    lines.push(
      `**User ${d.userIds[x.userOf[u]]}** — history (${(history.get(u) ?? []).length} items; best rated): ${hist.map((row) => `${title(x.item[row])} (${x.rating[row]}★)`).join("; ") || "none"}`,
      "",
      `Top ${k}: ${recs.map((i) => (targets.get(u)?.has(i) ? `**${title(i)}** ✓` : title(i))).join(" · ")}`,
      "",
    );
  }
  lines.push("✓ marks a held-out target the model found.");
  writeFileSync(path, `${lines.join("\n")}\n`);
}
