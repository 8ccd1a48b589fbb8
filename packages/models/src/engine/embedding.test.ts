import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "@mle/core";
import { initBackend, tf } from "./backend.ts";
import { EmbeddingTable, type SparseOptimizerKind } from "./embedding-table.ts";
import { TfEmbedding, sparseTrainStep } from "./tf-embedding.ts";

const ROWS = 6;
const DIM = 4;
const IDS = Int32Array.of(0, 1, 2, 3, 4, 5, 2, 4); // every row, two of them twice
const Y = Float32Array.from(IDS, (_, k) => (k % 3) - 1);

function initial(): Float32Array {
  const rng = new Rng(7);
  return Float32Array.from({ length: ROWS * DIM }, () => rng.normal() * 0.5);
}

const denseOptimizer = (kind: SparseOptimizerKind, lr: number): tf.Optimizer =>
  kind === "adam" ? tf.train.adam(lr) : kind === "adagrad" ? tf.train.adagrad(lr) : tf.train.sgd(lr);

beforeAll(async () => {
  expect(await initBackend("wasm")).toBe("wasm");
});

describe("UnsortedSegmentSum on wasm (the gradient of gather)", () => {
  it("sums duplicate rows in O(rows × width) and drops out-of-range ids", () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);
    const out = tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, 9], "int32"), 3);
    expect(Array.from(out.dataSync())).toEqual([3, 4, 0, 0, 6, 8]);
  });

  it("lets an embedding variable train through tf.gather, matching a hand-computed gradient", () => {
    const e = tf.variable(tf.tensor2d(initial(), [ROWS, DIM]));
    const { grads } = tf.variableGrads(() => tf.sum(tf.gather(e, tf.tensor1d(IDS, "int32"))) as tf.Scalar, [e]);
    const g = grads[e.name].arraySync() as number[][];
    const counts = Array.from({ length: ROWS }, (_, r) => IDS.filter((i) => i === r).length);
    expect(g).toEqual(counts.map((c) => Array(DIM).fill(c)));
  });
});

describe("EmbeddingTable as a TF.js lookup with fused sparse updates", () => {
  for (const kind of ["sgd", "adagrad", "adam"] as const) {
    it(`${kind}: when a step touches every row, the sparse update equals TF.js's dense optimizer`, () => {
      const lr = 0.05;
      // Reference: a dense variable, tf.gather (now differentiable on wasm) and TF.js's own optimizer.
      const E = tf.variable(tf.tensor2d(initial(), [ROWS, DIM]));
      const W1 = tf.variable(tf.tensor2d([[0.3], [-0.2], [0.1], [0.4]]));
      const ref = denseOptimizer(kind, lr);
      const lossWith = (emb: tf.Tensor2D, w: tf.Variable) => tf.sum(tf.square(tf.sub(tf.reshape(tf.matMul(emb, w), [-1]), tf.tensor1d(Y)))) as tf.Scalar;
      // Ours: the same model with the embedding in a table, updated by the table's fused rule.
      const table = new EmbeddingTable(ROWS, DIM, { kind, learningRate: lr }, initial());
      const emb = new TfEmbedding(table);
      const W2 = tf.variable(tf.tensor2d([[0.3], [-0.2], [0.1], [0.4]]));
      const ours = denseOptimizer(kind, lr);
      for (let s = 0; s < 5; s++) {
        ref.minimize(() => lossWith(tf.gather(E, tf.tensor1d(IDS, "int32")) as tf.Tensor2D, W1), false, [E, W1]);
        sparseTrainStep(() => lossWith(emb.lookup(IDS), W2), [emb], ours);
      }
      const want = E.dataSync();
      for (let k = 0; k < want.length; k++) expect(table.weights[k]).toBeCloseTo(want[k], 5);
      const w1 = W1.dataSync();
      W2.dataSync().forEach((v, k) => expect(v).toBeCloseTo(w1[k], 5));
      expect(table.stepCount).toBe(5);
      tf.dispose([E, W1, W2]);
      emb.dispose();
    });
  }

  it("lazy Adam leaves rows a step did not touch exactly as they were", () => {
    const table = new EmbeddingTable(ROWS, DIM, { kind: "adam", learningRate: 0.1, l2: 0.01 }, initial());
    const before = table.weights.slice();
    table.accumulate(1, [1, 1, 1, 1]);
    table.accumulate(1, [1, -1, 0, 2]); // duplicates add up before the one update
    table.step();
    for (let r = 0; r < ROWS; r++) {
      const row = Array.from(table.weights.subarray(r * DIM, (r + 1) * DIM));
      const was = Array.from(before.subarray(r * DIM, (r + 1) * DIM));
      if (r === 1) row.forEach((v, f) => expect(Math.abs(v - was[f])).toBeCloseTo(0.1, 4)); // Adam's first step moves lr per coordinate
      else expect(row).toEqual(was);
    }
  });

  it("SGD's fused applyRow is w ← w − lr (g + λ w)", () => {
    const table = new EmbeddingTable(2, 2, { kind: "sgd", learningRate: 0.5, l2: 0.1 }, Float32Array.of(1, 2, 3, 4));
    table.applyRow(1, Float32Array.of(0, 9, 1, -1), 2);
    expect(Array.from(table.weights)).toEqual([1, 2, Math.fround(3 - 0.5 * (1 + 0.3)), Math.fround(4 - 0.5 * (-1 + 0.4))]);
  });
});
