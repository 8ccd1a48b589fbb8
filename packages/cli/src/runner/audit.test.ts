import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSparse, readColumnar, setQuiet } from "@mle/core";
import { noMirrorReason, repoRoot, tempDir, testMirror } from "@mle/core/testing";
import { SPLIT_PARTS, readSplitRows } from "@mle/data";
import { loadModel } from "@mle/models";
import { loadConfig } from "../config/load.ts";
import { runExperiment } from "./run.ts";

const mirror = testMirror();
const tmp = tempDir();
beforeAll(() => setQuiet(true));
afterAll(tmp.cleanup);

/**
 * An auditor with nothing but a run folder: the split as raw (userId, movieId) rows, each evaluated user's
 * saved top-K as movieIds, and the saved model. NDCG@10 and Recall@10 are recomputed here by a plain
 * implementation that shares no code with the evaluator, and the saved model's fold-in reproduces the
 * user vectors that were evaluated.
 */
async function run(config: string, overrides: string[]) {
  const out = join(tmp.dir, config.replace(/\W+/g, "-"));
  const { config: c } = loadConfig(join(repoRoot, config), [`data.cacheDir=${join(tmp.dir, "cache")}`, "tracking.enabled=false", "experiment.seeds=[1]", ...overrides]);
  const r = await runExperiment(c, config, out);
  return { dir: join(out, "seed-1"), results: r.results };
}

function recompute(dir: string): { ndcg: number; recall: number } {
  const { rows } = readSplitRows(dir);
  const { meta, columns } = readColumnar(join(dir, "per-user.bin"));
  const kMax = (meta as { kMax: number }).kMax;
  const targets = new Map<number, Set<number>>();
  for (let k = 0; k < rows.userId.length; k++) {
    if (!(rows.parts[k] & SPLIT_PARTS.testTarget)) continue;
    if (!targets.has(rows.userId[k])) targets.set(rows.userId[k], new Set());
    targets.get(rows.userId[k])!.add(rows.movieId[k]);
  }
  const users = columns.userIds as Int32Array;
  const top = columns.topMovieIds as Int32Array;
  let ndcg = 0;
  let recall = 0;
  users.forEach((u, e) => {
    const rel = targets.get(u)!;
    let dcg = 0;
    let hits = 0;
    for (let r = 0; r < 10; r++) if (rel.has(top[e * kMax + r])) (dcg += 1 / Math.log2(r + 2)), hits++;
    let idcg = 0;
    for (let r = 0; r < Math.min(10, rel.size); r++) idcg += 1 / Math.log2(r + 2);
    ndcg += dcg / idcg;
    recall += hits / rel.size;
  });
  return { ndcg: ndcg / users.length, recall: recall / users.length };
}

describe.skipIf(!mirror)(`a run folder can be audited alone (skips when ${noMirrorReason})`, () => {
  for (const [name, config, overrides] of [
    ["EASE on ML-100k", "configs/ml100k/ease.yaml", []],
    ["iALS on ml-latest-small", "configs/ials.yaml", ["model.factors=16", "training.epochs=3"]],
    ["CML → BPR two-stage on ML-100k", "configs/ml100k/two-stage-cml.yaml", ["model.retrieval.training.epochs=2", "model.rerank.training.epochs=3", "model.rerank.model.factors=16", "model.candidates=50"]],
  ] as const) {
    it(`${name}: metrics recomputed from split.bin + per-user.bin, and the saved model's fold-in gives the evaluated user vectors`, async () => {
      const { dir, results } = await run(config, [...overrides]);
      const got = recompute(dir);
      expect(got.ndcg).toBeCloseTo(results.metrics["ndcg@10"].perSeed[0], 12);
      expect(got.recall).toBeCloseTo(results.metrics["recall@10"].perSeed[0], 12);

      const saved = loadModel(join(dir, "model"));
      const header = JSON.parse(readFileSync(join(dir, "vectors.json"), "utf8")) as { users: number[]; movieIds: number[] };
      expect(Array.from(saved.movieIds)).toEqual(header.movieIds);
      // The first evaluated user's history, in raw ids → the model's item indices, in time order.
      const { rows } = readSplitRows(dir);
      const index = new Map(header.movieIds.map((m, i) => [m, i]));
      const first = header.users[0];
      const hist = Array.from(rows.userId.keys()).filter((k) => rows.userId[k] === first && rows.parts[k] & SPLIT_PARTS.testHistory)
        .sort((a, b) => rows.timestamp[a] - rows.timestamp[b] || a - b);
      const history = { items: Int32Array.from(hist, (k) => index.get(rows.movieId[k])!), ratings: Float32Array.from(hist, (k) => rows.rating[k]) };
      const v = saved.model.userVector(history);
      if (saved.model.candidates) {
        // A two-stage run: the saved top-10 of the first user is drawn from what the saved model's first stage proposes.
        const { meta, columns } = readColumnar(join(dir, "per-user.bin"));
        const proposed = new Set(Array.from(saved.model.candidates(history), (i) => header.movieIds[i]));
        const top = Array.from((columns.topMovieIds as Int32Array).subarray(0, 10));
        expect(top.every((m) => proposed.has(m))).toBe(true);
        expect((meta as { kMax: number }).kMax).toBe(10);
        expect(results.metrics.candidate_recall.perSeed[0]).toBeGreaterThan(0);
      }
      if (isSparse(v)) {
        const { columns } = readColumnar(join(dir, "user-vectors.csr"));
        const offsets = columns.offsets as Uint32Array;
        expect(Array.from(v.indices)).toEqual(Array.from((columns.indices as Int32Array).subarray(offsets[0], offsets[1])));
      } else {
        const b = readFileSync(join(dir, "user-vectors.f32"));
        const evaluated = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + 4 * saved.model.dim));
        expect(Array.from(v)).toEqual(Array.from(evaluated));
      }
    });
  }
});
