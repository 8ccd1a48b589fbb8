import { describe, expect, it } from "vitest";
import { Rng, setQuiet, type EmbeddingModel, type TrainSet } from "@mle/core";
import type { TrainingOptions } from "../engine/training.ts";
import { fitModel } from "../registry.ts";
import { groups } from "../test-fixtures.ts";
import { mfConfigSchema, type MfConfig } from "./config.ts";

setQuiet(true);
const cfg = (variant: MfConfig["variant"], o: Record<string, unknown> = {}): MfConfig => mfConfigSchema.parse({ family: "mf", variant, factors: 8, l2: 0.01, initStd: 0.1, ...o });
const fit = async (data: TrainSet, c: MfConfig, training: TrainingOptions, rng: Rng): Promise<EmbeddingModel> => (await fitModel(data, c, { rng, training })).model;

/** Mean score of the user's unseen same-group items minus the other group's. */
function margin(m: EmbeddingModel, h: { items: Int32Array; ratings: Float32Array }): number {
  const v = m.userVector(h) as Float32Array;
  const score = (i: number) => v.reduce((s, x, f) => s + x * m.itemVectors[i * m.dim + f], 0);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const own = Array.from({ length: 30 }, (_, k) => 30 + k).filter((i) => !h.items.includes(i));
  return mean(own.map(score)) - mean(Array.from({ length: 30 }, (_, k) => k).map(score));
}

describe("matrix factorisation", () => {
  const { train, heldOut } = groups(200, 1);
  const fits: [string, (seed: number) => Promise<EmbeddingModel>][] = [
    ["iALS", (s) => fit(train, cfg("ials"), { epochs: 8, learningRate: 0 }, new Rng(s))],
    ["iALS (CG, 2 threads)", (s) => fit(train, cfg("ials", { solver: "cg" }), { epochs: 8, learningRate: 0, threads: 2 }, new Rng(s))],
    ["BPR", (s) => fit(train, cfg("bpr", { initStd: 0.01, l2: 0.001 }), { epochs: 20, learningRate: 0.05 }, new Rng(s))],
    ["biased MF", (s) => fit(train, cfg("biased", { l2: 0.02 }), { epochs: 30, learningRate: 0.01 }, new Rng(s))],
  ];
  for (const [name, fit] of fits) {
    it(`${name}: a user never seen in training folds in and gets their own group's items ranked first`, async () => {
      const m = await fit(1);
      expect(margin(m, heldOut)).toBeGreaterThan(0.1);
      // ranking: every one of the top 10 unseen items comes from the user's group
      const v = m.userVector(heldOut) as Float32Array;
      const scores = Array.from({ length: 60 }, (_, i) => ({ i, s: v.reduce((acc, x, f) => acc + x * m.itemVectors[i * m.dim + f], 0) }))
        .filter(({ i }) => !heldOut.items.includes(i)).sort((a, b) => b.s - a.s).slice(0, 10);
      expect(scores.every(({ i }) => i >= 30)).toBe(true);
    });

    it(`${name}: the same seed gives identical vectors, another seed different ones`, async () => {
      const a = await fit(7);
      const b = await fit(7);
      expect(Buffer.from(a.itemVectors.buffer)).toEqual(Buffer.from(b.itemVectors.buffer));
      expect(a.userVector(heldOut)).toEqual(b.userVector(heldOut));
      expect(Buffer.from((await fit(8)).itemVectors.buffer)).not.toEqual(Buffer.from(a.itemVectors.buffer));
    });
  }

  for (const solver of ["cholesky", "cg"] as const) {
    it(`iALS (${solver}): two threads give exactly the vectors one thread gives`, async () => {
      const one = await fit(train, cfg("ials", { solver }), { epochs: 3, learningRate: 0, threads: 1 }, new Rng(3));
      const two = await fit(train, cfg("ials", { solver }), { epochs: 3, learningRate: 0, threads: 2 }, new Rng(3));
      expect(Buffer.from(two.itemVectors.buffer)).toEqual(Buffer.from(one.itemVectors.buffer));
    });
  }

  for (const [name, fitOn] of [
    ["BPR", (threads: number) => fit(train, cfg("bpr", { initStd: 0.01, l2: 0.001 }), { epochs: 20, learningRate: 0.05, threads }, new Rng(1))],
    ["biased MF", (threads: number) => fit(train, cfg("biased", { l2: 0.02 }), { epochs: 30, learningRate: 0.01, threads }, new Rng(1))],
  ] as const) {
    it(`${name}, Hogwild on 2 threads: learns the same structure as one thread (runs may differ in the last bits)`, async () => {
      const m = await fitOn(2);
      expect(margin(m, heldOut)).toBeGreaterThan(0.1);
      const one = await fitOn(1);
      // the shared tables were trained as much as one thread trains them: the vectors' overall scale agrees to 10%
      const norm = (v: Float32Array) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
      expect(Math.abs(norm(m.itemVectors) - norm(one.itemVectors)) / norm(one.itemVectors)).toBeLessThan(0.1);
    });
  }

  it("iALS with exact solves: the objective it reports never increases (each half-step minimises it)", async () => {
    const losses: number[] = [];
    await fit(train, cfg("ials", { l2: 0.05 }), { epochs: 6, learningRate: 0, monitor: (_e, loss) => (losses.push(loss), "continue") }, new Rng(2));
    expect(losses).toHaveLength(6);
    for (let e = 1; e < losses.length; e++) expect(losses[e]).toBeLessThanOrEqual(losses[e - 1] * (1 + 1e-9));
    expect(losses[5]).toBeLessThan(losses[0]);
  });

  it("early stopping: a monitor that says stop gets the weights of the last improved epoch back", async () => {
    const seen: Float32Array[] = [];
    const verdicts = ["continue", "improved", "continue", "stop"] as const;
    const m = await fit(train, cfg("bpr", { initStd: 0.01, l2: 0.001 }), {
      epochs: 10, learningRate: 0.05,
      monitor: (epoch, loss, current) => {
        expect(Number.isFinite(loss)).toBe(true);
        seen.push(current().itemVectors.slice());
        return verdicts[epoch - 1];
      },
    }, new Rng(1));
    expect(seen).toHaveLength(4);
    expect(Array.from(m.itemVectors)).toEqual(Array.from(seen[1]));
    expect(Array.from(m.itemVectors)).not.toEqual(Array.from(seen[3]));
  });

  for (const [how, training] of [["per-rating SGD", { epochs: 30, learningRate: 0.01 }], ["lazy Adam, batches of 64", { epochs: 30, learningRate: 0.01, optimizer: "adam", batchSize: 64 }]] as const) {
  it(`biased MF (${how}) predicts ratings in range, high for the user's group and low for the other`, async () => {
    // explicit data where taste matters: everyone rates items of both groups, their own high, the other low
    const rng = new Rng(2);
    const rows: [number, number, number][] = [];
    for (let u = 0; u < 300; u++) for (let i = 0; i < 60; i++) if (rng.nextFloat() < 0.4) rows.push([u, i, (i < 30) === (u % 2 === 0) ? 4 + rng.int(2) : 1 + rng.int(2)]);
    const explicit: TrainSet = { nUsers: 300, nItems: 60, user: Int32Array.from(rows, (r) => r[0]), item: Int32Array.from(rows, (r) => r[1]), rating: Float32Array.from(rows, (r) => r[2]), timestamp: new Uint32Array(rows.length) };
    const m = await fit(explicit, cfg("biased", { l2: 0.02 }), training, new Rng(1));
    // an explicit history says what the user dislikes too: their group's items at 5, the other group's at 1
    const h = { items: Int32Array.from([30, 32, 34, 36, 38, 1, 3, 5, 7]), ratings: Float32Array.from([5, 5, 5, 5, 5, 1, 1, 1, 1]) };
    const p = m.predictRatings!(h, Int32Array.from([31, 9]));
    expect(p[0]).toBeGreaterThan(p[1] + 0.5);
    for (const x of p) expect(x >= 0.5 && x <= 5).toBe(true);
  });  }

});
