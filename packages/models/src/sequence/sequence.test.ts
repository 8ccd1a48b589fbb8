import { beforeAll, describe, expect, it } from "vitest";
import { Rng, setQuiet, type History, type TrainSet } from "@mle/core";
import { initBackend } from "../engine/backend.ts";
import { Params, take, tf } from "../engine/nn/index.ts";
import { fitModel, modelConfigSchema } from "../registry.ts";
import { groups, scores, top } from "../test-fixtures.ts";
import type { SasRecConfig } from "./config.ts";
import { encode } from "./encoder.ts";

setQuiet(true);
beforeAll(async () => {
  await initBackend();
});
const config = (raw: Record<string, unknown>) => modelConfigSchema.parse({ family: "sequence", variant: "sasrec", ...raw }) as SasRecConfig;

/** 40 items in a cycle; each user walks 12 steps from a random start: the next item is always the successor. */
function chains(nUsers: number): TrainSet {
  const rng = new Rng(5);
  const user: number[] = [];
  const item: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const start = rng.int(40);
    for (let k = 0; k < 12; k++) (user.push(u), item.push((start + k) % 40));
  }
  return { nUsers, nItems: 40, user: Int32Array.from(user), item: Int32Array.from(item), rating: new Float32Array(user.length).fill(1), timestamp: Uint32Array.from(user, (_, k) => 1_000 + k) };
}

describe("SASRec", () => {
  it("causal masking: changing a later item changes no earlier position's output", () => {
    const c = config({ factors: 8, blocks: 2, heads: 2, maxLength: 6, dropout: 0 });
    const p = new Params(new Rng(1));
    const I = 20;
    p.add("item", [I + 1, 8], { kind: "glorot" }), p.add("pos", [6, 8], { kind: "glorot" });
    const norm = (n: string) => (p.add(`${n}g`, [8], { kind: "ones" }), p.add(`${n}b`, [8], { kind: "zeros" }));
    for (let b = 0; b < 2; b++) {
      norm(`b${b}/ln1`), norm(`b${b}/ln2`);
      for (const w of ["wq", "wk", "wv", "wo", "f1", "f2"]) (p.add(`b${b}/${w}`, [8, 8], { kind: "glorot" }), p.add(`b${b}/${w}b`, [8], { kind: "normal", std: 0.1 }));
    }
    norm("lnF");
    const a = take(() => encode(p, c, I, Int32Array.of(I, 3, 7, 1, 9, 4), 1, null));
    const b = take(() => encode(p, c, I, Int32Array.of(I, 3, 7, 1, 9, 12), 1, null));
    for (let k = 8; k < 5 * 8; k++) expect(b[k]).toBeCloseTo(a[k], 5);
    expect(Math.max(...Array.from({ length: 8 }, (_, f) => Math.abs(a[40 + f] - b[40 + f])))).toBeGreaterThan(1e-3);
    p.dispose();
  });

  for (const loss of ["ce", "bce", "sampled"] as const) {
    it(`${loss}: learns order — after any item the next in the chain comes first, for a history never trained on`, async () => {
      const c = config({ factors: 16, blocks: 1, maxLength: 8, dropout: 0, loss, negatives: 8 });
      const { model } = await fitModel(chains(200), c, { rng: new Rng(2), training: { epochs: loss === "ce" ? 40 : 80, learningRate: 0.01, batchSize: 64 } });
      let right = 0;
      for (let s = 0; s < 40; s++) {
        const h: History = { items: Int32Array.from({ length: 5 }, (_, k) => (s + k) % 40), ratings: new Float32Array(5).fill(1) };
        if (top(model, h, 1)[0] === (s + 5) % 40) right++;
      }
      expect(right).toBeGreaterThanOrEqual(36);
    });
  }

  it("BERT4Rec: the cloze objective learns the chain too — the mask after a history is filled with the next item", async () => {
    const c = modelConfigSchema.parse({ family: "sequence", variant: "bert4rec", factors: 16, blocks: 1, heads: 2, maxLength: 8, dropout: 0, maskProbability: 0.3 });
    const { model } = await fitModel(chains(200), c, { rng: new Rng(2), training: { epochs: 60, learningRate: 0.01, batchSize: 64 } });
    let right = 0;
    for (let s = 0; s < 40; s++) {
      const h: History = { items: Int32Array.from({ length: 5 }, (_, k) => (s + k) % 40), ratings: new Float32Array(5).fill(1) };
      if (top(model, h, 1)[0] === (s + 5) % 40) right++;
    }
    expect(right).toBeGreaterThanOrEqual(36);
  });

  for (const objective of ["softmax", "cosine"] as const) {
    it(`content history encoder (${objective}): a user never seen folds in and gets their group's movies first, from content alone`, async () => {
      const { train, heldOut } = groups(200, 4);
      const c = modelConfigSchema.parse({ family: "sequence", variant: "content-history", factors: 8, blocks: 1, heads: 2, maxLength: 20, tags: 0, objective });
      const { model } = await fitModel(train, c, { rng: new Rng(2), training: { epochs: 20, learningRate: 0.01, batchSize: 64 } });
      expect(top(model, heldOut, 10).every((i) => i >= 30)).toBe(true);
    });
  }

  it("the dot product of the user vector and the item vectors is the network's own next-item score", async () => {
    const { train, heldOut } = groups(100, 3);
    const c = config({ factors: 8, blocks: 1, maxLength: 10 });
    const { model, state } = await fitModel(train, c, { rng: new Rng(2), training: { epochs: 3, learningRate: 0.01, batchSize: 64 } });
    const p = Params.fromState(state);
    const seq = new Int32Array(10).fill(60);
    seq.set(heldOut.items.slice(-8), 2);
    const logits = take(() => tf.matMul(tf.reshape(tf.slice(encode(p, c, 60, seq, 1, null), [0, 9, 0], [1, 1, 8]), [1, 8]), tf.slice(p.get("item"), [0, 0], [60, 8]), false, true));
    scores(model, heldOut).forEach((s, i) => expect(s).toBeCloseTo(logits[i], 4));
    p.dispose();
  });
});
