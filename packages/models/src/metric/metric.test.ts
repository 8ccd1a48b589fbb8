import { beforeAll, describe, expect, it } from "vitest";
import { Rng, setQuiet, type History } from "@mle/core";
import { initBackend } from "../engine/backend.ts";
import { fitModel, modelConfigSchema } from "../registry.ts";
import { groups, scores, top } from "../test-fixtures.ts";
import type { CmlState } from "./cml.ts";
import { cmlFoldIn, type CmlFoldInOptions } from "./cml-fold-in.ts";
import { euclideanItems, euclideanUser, squaredDistance } from "./euclidean.ts";
import { historyPaths } from "./two-tower.ts";

setQuiet(true);
beforeAll(async () => {
  await initBackend();
});
const { train, heldOut } = groups(300, 2);
const fit = async (raw: Record<string, unknown>, training: Record<string, unknown> = {}) => {
  const c = modelConfigSchema.parse({ family: "metric", ...raw });
  return { c, ...(await fitModel(train, c, { rng: new Rng(3, "model"), training: { epochs: 30, learningRate: 0.01, batchSize: 64, ...training } })) };
};
const historyOf = (u: number): History => {
  const rows = Array.from(train.user.keys()).filter((r) => train.user[r] === u);
  return { items: Int32Array.from(rows, (r) => train.item[r]), ratings: Float32Array.from(rows, (r) => train.rating[r]) };
};

describe("Euclidean ranking as a dot product", () => {
  it("items [v, −‖v‖²/2] and users [u, 1] score (‖u‖² − ‖u − v‖²)/2: the same order as nearest-first", () => {
    const rng = new Rng(4);
    const d = 7;
    const V = new Float32Array(50 * d).map(() => rng.normal());
    const u = new Float32Array(d).map(() => rng.normal());
    const items = euclideanItems(V, 50, d);
    const user = euclideanUser(u, d);
    const uu = u.reduce((s, x) => s + x * x, 0);
    for (let i = 0; i < 50; i++) {
      const dot = user.reduce((s, x, f) => s + x * items[i * (d + 1) + f], 0);
      expect(dot).toBeCloseTo((uu - squaredDistance(u, 0, V, i * d, d)) / 2, 4);
    }
  });

  it("a trained CML model ranks by distance: dot-product order equals the order of ‖u − v‖² over the raw vectors", async () => {
    const { model, state } = await fit({ variant: "cml", factors: 8, negatives: 5 }, { optimizer: "adagrad", learningRate: 0.05 });
    const s = state as CmlState;
    const d = 8;
    for (const h of [historyOf(4), heldOut]) {
      const u = (model.userVector(h) as Float32Array).subarray(0, d);
      const byDot = scores(model, h).map((x, i) => ({ x, i })).sort((a, b) => b.x - a.x).map((e) => e.i);
      const dist = byDot.map((i) => squaredDistance(u, 0, s.itemFactors.data, i * d, d));
      for (let k = 1; k < dist.length; k++) expect(dist[k]).toBeGreaterThanOrEqual(dist[k - 1] - 1e-5);
    }
  });
});

describe("metric models keep the embedding contract", () => {
  it("CML: every vector stays in the unit ball; a training user's own history gives their trained vector", async () => {
    const { model, state } = await fit({ variant: "cml", factors: 8, negatives: 5 }, { optimizer: "adagrad", learningRate: 0.05 });
    const s = state as CmlState;
    for (const w of [s.itemFactors.data, s.userFactors.data]) for (let r = 0; r < w.length / 8; r++) expect(squaredDistance(w, r * 8, new Float32Array(8), 0, 8)).toBeLessThanOrEqual(1 + 1e-5);
    expect(Array.from((model.userVector(historyOf(9)) as Float32Array).slice(0, 8))).toEqual(Array.from(s.userFactors.data.subarray(72, 80)));
  });

  it("CML's fold-in (Adagrad at training's learning rate by default) of a training user's own list lands near their trained vector", async () => {
    // SGD's last iterate under the WARP weight's large steps stayed far off; on ml-latest-small it halved test NDCG@10.
    const { state } = await fit({ variant: "cml", factors: 8, negatives: 5 }, { optimizer: "adagrad", learningRate: 0.05 });
    const s = state as CmlState;
    expect([s.foldInOptimizer, s.foldInLearningRate]).toEqual(["adagrad", 0.05]);
    const d = 8;
    const V = s.itemFactors.data;
    const meanDistance = (o: Partial<CmlFoldInOptions>) => {
      const foldIn = cmlFoldIn(V, d, { margin: s.margin, negatives: s.negatives, rankWeight: s.rankWeight, clipNorm: s.clipNorm, epochs: s.foldInEpochs, learningRate: s.foldInLearningRate, optimizer: s.foldInOptimizer ?? "adagrad", ...o }, s.seed, s.stream);
      const n = s.userOffsets.data.length - 1;
      let sum = 0;
      for (let u = 0; u < n; u++) sum += squaredDistance(foldIn(s.userItems.data.slice(s.userOffsets.data[u], s.userOffsets.data[u + 1])), 0, s.userFactors.data, u * d, d);
      return sum / n;
    };
    const adagrad = meanDistance({});
    expect(adagrad).toBeLessThan(meanDistance({ epochs: 0 }) / 2); // no passes: the centroid it starts from
    expect(adagrad).toBeLessThan(meanDistance({ optimizer: "sgd" }) / 2);
  });

  for (const [name, raw, training] of [
    ["CML", { variant: "cml", factors: 8, negatives: 5 }, { optimizer: "adagrad", learningRate: 0.05 }],
    ["content triplet net", { variant: "triplet", hidden: 8, factors: 4 }, { epochs: 10 }],
    ["two-tower (dot, MLP user tower)", { variant: "two-tower", factors: 8, hidden: 16 }, { batchSize: 256, epochs: 20 }],
    ["two-tower (cosine, content)", { variant: "two-tower", factors: 8, similarity: "cosine", temperature: 0.1, content: true }, { batchSize: 256, epochs: 20 }],
  ] as const) {
    it(`${name}: a user never seen in training folds in and gets their own group's items first`, async () => {
      const { model } = await fit(raw, training);
      expect(top(model, heldOut, 10).every((i) => i >= 30)).toBe(true);
    });
  }

  it("two-tower: the segment-sum path for large catalogues (each distinct item's content projected once a batch) trains the same model as the dense path", async () => {
    const raw = { variant: "two-tower", factors: 8, similarity: "cosine", temperature: 0.1, content: true };
    const training = { batchSize: 256, epochs: 3 };
    const viaDense = (await fit(raw, training)).model;
    const was = historyPaths.denseLimit;
    historyPaths.denseLimit = 0;
    try {
      const viaSegments = (await fit(raw, training)).model;
      let worst = 0;
      viaDense.itemVectors.forEach((x, k) => (worst = Math.max(worst, Math.abs(x - viaSegments.itemVectors[k]))));
      expect(worst).toBeGreaterThan(0); // the two paths do differ in float order...
      expect(worst).toBeLessThan(1e-4); // ...and only there
    } finally {
      historyPaths.denseLimit = was;
    }
  });

  it("CML with the feature loss: a movie nobody rated sits at its content's projection, near the movies it resembles", async () => {
    // Item 59 (genre B, like 30–59) loses every training row; the held-out user of group B must rank it above group A.
    const keep = Array.from(train.item.keys()).filter((r) => train.item[r] !== 59);
    const without = { ...train, user: Int32Array.from(keep, (r) => train.user[r]), item: Int32Array.from(keep, (r) => train.item[r]), rating: Float32Array.from(keep, (r) => train.rating[r]), timestamp: Uint32Array.from(keep, (r) => train.timestamp[r]) };
    const c = modelConfigSchema.parse({ family: "metric", variant: "cml", factors: 8, negatives: 5, features: { weight: 1, hidden: 16 } });
    const { model } = await fitModel(without, c, { rng: new Rng(3, "model"), training: { epochs: 30, learningRate: 0.05, optimizer: "adagrad", batchSize: 500 } });
    const s = scores(model, heldOut);
    const groupA = s.slice(0, 30).sort((a, b) => b - a);
    expect(s[59]).toBeGreaterThan(groupA[0]);
  });

  it("content triplet net: after training, liked movies sit nearer each other than disliked ones (write-up 004's check)", async () => {
    const { model } = await fit({ variant: "triplet", hidden: 8, factors: 4 }, { epochs: 10 });
    const d = 4;
    const v = (i: number) => model.itemVectors.subarray(i * (d + 1), i * (d + 1) + d);
    // Users of group 0 like 0–29 and dislike 30–59: anchor 0, positives 1–29, negatives 30–59.
    const mean = (js: number[]) => js.reduce((s, j) => s + Math.sqrt(squaredDistance(v(0), 0, v(j), 0, d)), 0) / js.length;
    const range = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => a + k);
    expect(mean(range(1, 30))).toBeLessThan(mean(range(30, 60)));
  });
});
