import { EVALUATION_RATIONALE, AT_K_FAMILIES } from "@mle/metrics";
import { describeModel, modelNotes } from "@mle/models";
import type { ExampleUser, RunSummary } from "@mle/report";
import type { ExperimentConfig } from "../config/schema.ts";
import type { SeedResult } from "./evaluate-seed.ts";
import type { PreparedExperiment } from "./prepare.ts";
import { flatten, type Provenance } from "./provenance.ts";
import type { Results } from "./results.ts";

const n = (v: number) => v.toLocaleString("en-US");

/** The run's report as plain values: what was run on what, why, what came out, and what it recommends to a few users. */
export function runSummary(
  c: ExperimentConfig, configFile: string, p: PreparedExperiment, seeds: SeedResult[], r: Results,
  tracking: RunSummary["tracking"], prov: Provenance,
): RunSummary {
  const d = p.loaded.dataset;
  const x = p.interactions;
  const s0 = p.seeds[0];
  const m = s0.split.manifest.counts;
  const iterative = seeds.some((s) => s.training.curve.length > 0);
  const references = Object.entries(r.references ?? {}).map(([name, metrics]) => ({ name, metrics }));
  return {
    experiment: c.experiment.name, description: c.experiment.description, modelLine: describeModel(c.model),
    configFile, configHash: p.configHash, seeds: r.seeds, gitCommit: prov.gitCommit, gitDirty: prov.gitDirty, backend: r.engine ? `${r.backend} (${r.engine.name === "tensorflow" ? "TensorFlow" : "TF.js"} ${r.engine.version}, ${r.engine.device}${r.engine.onednn ? ", oneDNN" : ""})` : r.backend, node: prov.node, tracking,
    data: `${d.name}: ${n(d.nRatings)} ratings by ${n(d.nUsers)} users of ${n(d.nItems)} movies (sha256 ${d.checksum.slice(0, 16)}). ` +
      `After preprocessing (${c.data.feedback.kind}${c.data.feedback.kind === "implicit" ? `, rating ≥ ${c.data.feedback.minRating}` : ""}, ${c.data.kCore.users}/${c.data.kCore.items}-core): ` +
      `${n(x.n)} interactions, ${n(x.nUsers)} users, ${n(x.nItems)} items.` +
      (r.dataset.warnings?.length ? ` Data integrity: ${r.dataset.warnings.map((w) => w.slice(d.name.length + 2)).join("; ")}.` : ""),
    split: {
      paragraph: `\`${c.split.kind}\` — seed ${s0.seed}: train ${n(m.train.rows)} rows; test targets ${n(m.test.target.rows)} rows of ${m.test.target.users} users` +
        `${m.valid ? `; validation targets ${n(m.valid.target.rows)} rows` : ""}. Manifest sha256 per seed: ${p.seeds.map((s) => `\`${s.split.manifest.hash.slice(0, 12)}\``).join(", ")}.`,
      justification: s0.split.justification,
      note: seedNote(p),
    },
    evaluationRationale: EVALUATION_RATIONALE,
    model: modelNotes(c.model, c.training),
    hyperparameters: Object.entries({ ...prefixed("model", flatten(c.model)), ...prefixed("training", flatten(c.training)) }),
    training: iterative ? { watched: seeds[0].training.watched, watchedUsers: c.training.earlyStopping?.users, seeds: seeds.map((s) => ({ seed: s.seed, ...s.training })) } : null,
    fitSeconds: r.fitSeconds, evaluateSeconds: r.evaluateSeconds,
    results: { ks: [...new Set(c.evaluation.k)].sort((a, b) => a - b), families: AT_K_FAMILIES, metrics: r.metrics, usersEvaluated: r.usersEvaluated[0], validation: r.validMetrics },
    references,
    examples: { seed: seeds[0].seed, k: Math.min(10, seeds[0].kMax), users: exampleUsers(p, seeds[0]) },
  };
}

function prefixed(prefix: string, o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [`${prefix}.${k}`, v]));
}

/** When every seed got the same split, the spread over seeds is the model's initialisation alone: say so. */
function seedNote(p: PreparedExperiment): string | undefined {
  if (p.seeds.length < 2) return undefined;
  const same = (a: Uint32Array, b: Uint32Array) => a.length === b.length && a.every((v, i) => v === b[i]);
  const first = p.seeds[0].split;
  const identical = p.seeds.every((s) => same(s.split.train, first.train) && same(s.split.test.target, first.test.target));
  return identical
    ? "Every seed got this same split (it does not depend on the seed): only the model's initialisation and training order change between seeds, so the intervals over seeds measure that variance alone, not the variance of the split."
    : undefined;
}

/** Three evaluated users with a non-empty history, spread over the evaluated list, with their best-rated history and top K. */
function exampleUsers(p: PreparedExperiment, s: SeedResult): ExampleUser[] {
  const d = p.loaded.dataset;
  const x = p.interactions;
  const split = p.seeds.find((q) => q.seed === s.seed)!.split;
  const title = (item: number) => d.movies.title[x.itemOf[item]] || `movie ${d.itemIds[x.itemOf[item]]}`;
  const rowsBy = (rows: Uint32Array) => {
    const out = new Map<number, number[]>();
    for (const row of rows) {
      const u = x.user[row];
      if (!out.has(u)) out.set(u, []);
      out.get(u)!.push(row);
    }
    return out;
  };
  const history = rowsBy(split.test.history);
  const targets = rowsBy(split.test.target);
  const candidates = Array.from(s.users.keys()).filter((e) => (history.get(s.users[e])?.length ?? 0) > 0);
  const k = Math.min(10, s.kMax);
  return [0, 1, 2].filter((j) => j < candidates.length).map((j) => {
    const e = candidates[Math.floor((j * candidates.length) / 3)];
    const u = s.users[e];
    const hist = history.get(u)!;
    const hits = new Set((targets.get(u) ?? []).map((row) => x.item[row]));
    const best = [...hist].sort((a, b) => x.rating[b] - x.rating[a] || x.timestamp[b] - x.timestamp[a]).slice(0, 5);
    const recs = Array.from(s.topItems.subarray(e * s.kMax, e * s.kMax + k)).filter((i) => i >= 0);
    return {
      user: String(d.userIds[x.userOf[u]]), historySize: hist.length,
      history: best.map((row) => `${title(x.item[row])} (${x.rating[row]}★)`),
      recommendations: recs.map((i) => ({ title: title(i), hit: hits.has(i) })),
    };
  });
}
