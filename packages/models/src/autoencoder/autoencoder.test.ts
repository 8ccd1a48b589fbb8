import { beforeAll, describe, expect, it } from "vitest";
import { Rng, setQuiet, type History, type TrainSet } from "@mle/core";
import { initBackend, tf } from "../engine/backend.ts";
import { Params } from "../engine/nn/index.ts";
import { fitModel, modelConfigSchema } from "../registry.ts";
import { groups, scores, top } from "../test-fixtures.ts";
import type { MultVaeConfig } from "./config.ts";
import { dualRidge, primalRidge } from "./autorec.ts";
import { multLogits } from "./mult.ts";

setQuiet(true);
beforeAll(async () => {
  await initBackend();
});
const { train, heldOut } = groups(300, 2);
const fit = async (raw: Record<string, unknown>, training: Record<string, unknown> = {}, data: TrainSet = train) => {
  const c = modelConfigSchema.parse({ family: "autoencoder", ...raw });
  return { c, ...(await fitModel(data, c, { rng: new Rng(3, "model"), training: { epochs: 30, learningRate: 0.01, batchSize: 64, ...training } })) };
};

describe("autoencoders keep the embedding contract", () => {
  for (const variant of ["multvae", "multdae"] as const) {
    it(`${variant}: the dot product of user and item vectors is the network's own forward pass (logits)`, async () => {
      const { c, model, state } = await fit({ variant, hidden: 24, latent: 8 });
      const p = Params.fromState(state);
      const logits = multLogits(p, c as MultVaeConfig, train.nItems, heldOut);
      scores(model, heldOut).forEach((s, i) => expect(Math.abs(s - logits[i])).toBeLessThan(1e-4));
      p.dispose();
    });
  }

  for (const [name, raw, training] of [
    ["Mult-VAE", { variant: "multvae", hidden: 32, latent: 8, annealSteps: 200 }, {}],
    ["Mult-DAE", { variant: "multdae", hidden: 32, latent: 8 }, {}],
    ["RecVAE", { variant: "recvae", hidden: 32, latent: 8 }, { epochs: 10 }],
    ["content AE (genres only)", { variant: "content", hidden: 16, latent: 4, tags: 0, userWeighting: "uniform" }, {}],
  ] as const) {
    it(`${name}: a user never seen in training folds in through the encoder and gets their own group's items first`, async () => {
      const { model } = await fit(raw, training);
      expect(top(model, heldOut, 10).every((i) => i >= 30)).toBe(true);
    });
  }

  it("content AE on a tag genome alone: a movie no one rated gets the vector of the movies its genome resembles", async () => {
    // Genres say nothing; the genome does: items 0–29 score high on tag "a", 30–59 on tag "b". Items 60 (b-like)
    // and 61 (a-like) have no ratings at all. The held-out user likes group B, so 60 must outrank 61.
    const rng = new Rng(9);
    const n = 62;
    const relevance = Float32Array.from({ length: n * 2 }, (_, k) => {
      const [i, tag] = [Math.floor(k / 2), k % 2];
      const group = i === 60 ? 1 : i === 61 ? 0 : i < 30 ? 0 : 1;
      return (tag === group ? 0.8 : 0.1) + 0.1 * rng.nextFloat();
    });
    const genomeOnly: TrainSet = { ...train, nItems: n, itemFeatures: { nItems: n, genreNames: [], genres: new Uint8Array(0), year: new Int16Array(n), genome: { tagNames: ["a", "b"], relevance, has: new Uint8Array(n).fill(1) } } };
    const { model } = await fit({ variant: "content", hidden: 16, latent: 4, tags: 0 }, {}, genomeOnly);
    const s = scores(model, heldOut);
    expect(s[60]).toBeGreaterThan(s[61]);
    expect(top(model, heldOut, 10).every((i) => i >= 30)).toBe(true);
  });

  it("a training run leaves no tensors behind but the fitted model's own weights", async () => {
    await fit({ variant: "multvae", hidden: 8, latent: 4 }, { epochs: 2 }); // kernels and first allocations
    const before = tf.memory().numTensors;
    const { state } = await fit({ variant: "multvae", hidden: 8, latent: 4 }, { epochs: 3 });
    const weights = Object.keys(state).filter((k) => k.startsWith("param/")).length;
    expect(tf.memory().numTensors - before).toBe(weights);
  });
});

describe("AutoRec on explicit ratings", () => {
  // Everyone rates items of both groups: their own group high, the other low.
  const rng = new Rng(5);
  const rows: [number, number, number][] = [];
  for (let u = 0; u < 200; u++) for (let i = 0; i < 60; i++) if (rng.nextFloat() < 0.4) rows.push([u, i, (i < 30) === (u % 2 === 0) ? 4 + rng.int(2) : 1 + rng.int(2)]);
  const ratings: TrainSet = { nUsers: 200, nItems: 60, user: Int32Array.from(rows, (r) => r[0]), item: Int32Array.from(rows, (r) => r[1]), rating: Float32Array.from(rows, (r) => r[2]), timestamp: new Uint32Array(rows.length) };
  const newUser: History = { items: Int32Array.of(30, 32, 34, 36, 1, 3, 5), ratings: Float32Array.of(5, 5, 5, 5, 1, 1, 1) };
  for (const [orientation, centre] of [["item", false], ["user", false], ["item", true]] as const) {
    it(`${orientation}-based${centre ? ", input centred" : ""}: ratings in range, a new user's taste folded in (their group high, the other low)`, async () => {
      const { model } = await fit({ variant: "autorec", orientation, hidden: 16, l2: 0.1, foldInL2: 0.01, centre }, { epochs: 100, learningRate: 0.01, batchSize: 32 }, ratings);
      const p = model.predictRatings!(newUser, Int32Array.of(31, 9));
      expect(p[0]).toBeGreaterThan(p[1] + 1);
      for (const x of p) expect(x >= 1 && x <= 5).toBe(true);
      // A training user's own history: the trained model's prediction for their items is close to their ratings.
      const u = 7;
      const own = rows.filter((r) => r[0] === u);
      const pred = model.predictRatings!({ items: Int32Array.from(own, (r) => r[1]), ratings: Float32Array.from(own, (r) => r[2]) }, Int32Array.from(own, (r) => r[1]));
      const rmse = Math.sqrt(own.reduce((s, r, k) => s + (pred[k] - r[2]) ** 2, 0) / own.length);
      expect(rmse).toBeLessThan(1);
    });
  }
  it("the fold-in of a short history through its n × n system equals the D × D normal equations", () => {
    const rng = new Rng(11);
    const D = 41;
    const items = new Float32Array(100 * D).map((_, k) => (k % D === D - 1 ? 1 : rng.nextFloat()));
    for (const n of [0, 1, 7, 25]) {
      const h: History = { items: Int32Array.from({ length: n }, (_, k) => (k * 7) % 100), ratings: Float32Array.from({ length: n }, () => 1 + rng.int(5)) };
      const dual = dualRidge(items, D, h, 0.3 * Math.max(1, n), 1e-6);
      const primal = primalRidge(items, D, h, 0.3 * Math.max(1, n), 1e-6);
      for (let f = 0; f < D; f++) expect(dual[f]).toBeCloseTo(primal[f], 4);
    }
  });
});
