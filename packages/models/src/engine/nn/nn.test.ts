import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "@mle/core";
import { initBackend, tf } from "../backend.ts";
import { causalMask, dense, dropout, layerNorm, selfAttention } from "./layers.ts";
import { chunkedSoftmaxCrossEntropy, multinomialNll } from "./losses.ts";
import { AdamW, clipByGlobalNorm } from "./optim.ts";
import { Params } from "./params.ts";

beforeAll(async () => {
  await initBackend();
});
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(tol);
};

describe("chunked full-catalogue softmax cross-entropy", () => {
  it("equals the unchunked loss and gradients, whatever the chunk size (with padded rows weighted 0)", () => {
    const rng = new Rng(1);
    const [N, d, I] = [7, 4, 13];
    const h = tf.variable(tf.tensor2d(rng.fillNormal(new Float32Array(N * d)), [N, d]));
    const W = tf.variable(tf.tensor2d(rng.fillNormal(new Float32Array(I * d)), [I, d]));
    const b = tf.variable(tf.tensor1d(rng.fillNormal(new Float32Array(I))));
    const targets = Int32Array.from({ length: N }, () => rng.int(I));
    const weights = Float32Array.from({ length: N }, (_, n) => (n === 3 ? 0 : 1));
    const naive = () => tf.tidy(() => {
      const logits = tf.add(tf.matMul(h, W, false, true), b);
      const per = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(targets, "int32"), I), logits, undefined, 0, tf.Reduction.NONE);
      return tf.sum(tf.mul(per, tf.tensor1d(weights))) as tf.Scalar;
    });
    const want = tf.variableGrads(naive, [h, W, b]);
    for (const chunk of [1, 3, 7]) {
      const got = tf.variableGrads(() => chunkedSoftmaxCrossEntropy(h, W, b, targets, weights, chunk), [h, W, b]);
      expect(got.value.dataSync()[0]).toBeCloseTo(want.value.dataSync()[0], 4);
      for (const v of [h, W, b]) close(got.grads[v.name].dataSync(), want.grads[v.name].dataSync(), 1e-5);
    }
  });

  it("multinomial log-likelihood is −Σ x·log softmax", () => {
    const logits = tf.tensor2d([[1, 2, 3]]);
    const x = tf.tensor2d([[0, 1, 2]]);
    const ls = [1, 2, 3].map((v) => v - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)));
    expect(multinomialNll(logits, x).dataSync()[0]).toBeCloseTo(-(ls[1] + 2 * ls[2]), 5);
  });
});

describe("layers", () => {
  it("layer norm gives zero mean and unit variance per row before gain and bias", () => {
    const x = tf.tensor2d([[1, 2, 3, 4], [10, 0, -10, 5]]);
    const y = layerNorm(x, tf.ones([4]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D).arraySync() as number[][];
    for (const row of y) {
      const m = row.reduce((a, c) => a + c, 0) / 4;
      expect(m).toBeCloseTo(0, 5);
      expect(row.reduce((a, c) => a + (c - m) ** 2, 0) / 4).toBeCloseTo(1, 3);
    }
  });

  it("layer norm's written-out gradient equals autodiff through the moments (x, gain and bias)", () => {
    const rng = new Rng(3);
    const x = tf.variable(tf.tensor3d(rng.fillNormal(new Float32Array(2 * 3 * 8), 2), [2, 3, 8]));
    const g = tf.variable(tf.tensor1d(rng.fillNormal(new Float32Array(8))));
    const b = tf.variable(tf.tensor1d(rng.fillNormal(new Float32Array(8))));
    const dy = tf.tensor3d(rng.fillNormal(new Float32Array(2 * 3 * 8)), [2, 3, 8]);
    const reference = () => tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      return tf.sum(tf.mul(tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b), dy)) as tf.Scalar;
    });
    const want = tf.variableGrads(reference, [x, g, b]);
    const got = tf.variableGrads(() => tf.sum(tf.mul(layerNorm(x, g, b), dy)) as tf.Scalar, [x, g, b]);
    expect(got.value.dataSync()[0]).toBeCloseTo(want.value.dataSync()[0], 4);
    for (const v of [x, g, b]) close(got.grads[v.name].dataSync(), want.grads[v.name].dataSync(), 1e-4);
  });

  it("dropout masks come from the run's generator: the same seed, the same mask; rate 0 is the identity", () => {
    const x = tf.ones([1000]);
    const a = dropout(x, 0.3, new Rng(4, "d")).dataSync();
    const b = dropout(x, 0.3, new Rng(4, "d")).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    const kept = a.filter((v) => v > 0).length;
    expect(Math.abs(kept - 700)).toBeLessThan(60);
    expect(a.find((v) => v > 0)).toBeCloseTo(1 / 0.7, 5);
    expect(dropout(x, 0, new Rng(1))).toBe(x);
  });

  it("causal self-attention: no future position changes an earlier output", () => {
    const p = new Params(new Rng(2));
    const d = 8;
    const w = { wq: p.add("q", [d, d], { kind: "glorot" }), wk: p.add("k", [d, d], { kind: "glorot" }), wv: p.add("v", [d, d], { kind: "glorot" }), wo: p.add("o", [d, d], { kind: "glorot" }) } as const;
    const rng = new Rng(3);
    const base = rng.fillNormal(new Float32Array(2 * 5 * d));
    const changed = base.slice();
    for (let f = 0; f < d; f++) changed[(0 * 5 + 4) * d + f] += 5; // batch 0, last position
    const run = (v: Float32Array) => selfAttention(tf.tensor3d(v, [2, 5, d]), w as never, 2, causalMask(5)).dataSync();
    const [y0, y1] = [run(base), run(changed)];
    close(y1.subarray(0, 4 * d), y0.subarray(0, 4 * d), 1e-6);
    expect(Math.abs(y1[4 * d] - y0[4 * d])).toBeGreaterThan(1e-4);
    p.dispose();
  });

  it("one head (computed without a heads axis) gives the heads-axis computation's values to the bit, under each kind of mask", () => {
    const p = new Params(new Rng(6));
    const [B, L, d] = [3, 5, 8];
    const w = { wq: p.add("q", [d, d], { kind: "glorot" }), wk: p.add("k", [d, d], { kind: "glorot" }), wv: p.add("v", [d, d], { kind: "glorot" }), wo: p.add("o", [d, d], { kind: "glorot" }), bq: p.add("bq", [d], { kind: "uniform", scale: 0.1 }) } as never as Parameters<typeof selfAttention>[1];
    const x = tf.tensor3d(new Rng(7).fillNormal(new Float32Array(B * L * d)), [B, L, d]);
    const padKeys = tf.mul(tf.tensor4d(Float32Array.from({ length: B * L }, (_, j) => (j % L < j / L ? 1 : 0)), [B, 1, 1, L]), -1e9);
    // The general path's operations with heads = 1: into [B, 1, L, d] and back.
    const withHeadsAxis = (mask: tf.Tensor | null) => {
      const split = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, L, 1, d]), [0, 2, 1, 3]) as tf.Tensor4D;
      const [q, k, v] = [split(dense(x, w.wq, w.bq)), split(dense(x, w.wk)), split(dense(x, w.wv))];
      let scores: tf.Tensor = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d));
      if (mask) scores = tf.add(scores, mask);
      return dense(tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores, -1) as tf.Tensor4D, v), [0, 2, 1, 3]), [B, L, d]), w.wo).dataSync();
    };
    for (const mask of [null, causalMask(L), padKeys, tf.add(causalMask(L), padKeys)]) {
      expect(selfAttention(x, w, 1, mask).dataSync()).toEqual(withHeadsAxis(mask));
    }
    p.dispose();
  });
});

describe("optimisation", () => {
  it("AdamW: with no decay it is TF.js's Adam; decay shrinks weights by lr·λ before the step", () => {
    const make = () => {
      const p = new Params(new Rng(5));
      p.add("w", [3, 2], { kind: "glorot" });
      return p;
    };
    const x = tf.tensor2d([[1, 2, 3], [0, -1, 1]]);
    const loss = (p: Params) => () => tf.sum(tf.square(dense(x, p.get("w") as tf.Tensor2D))) as tf.Scalar;
    const [a, ref] = [make(), make()];
    const ours = new AdamW({ learningRate: 0.1 });
    const theirs = tf.train.adam(0.1, 0.9, 0.999, 1e-8);
    for (let s = 0; s < 3; s++) {
      ours.step(loss(a), a);
      theirs.minimize(loss(ref), false, ref.list());
    }
    close(a.get("w").dataSync(), ref.get("w").dataSync(), 1e-6);
    const c = make();
    const before = c.get("w").dataSync().slice();
    new AdamW({ learningRate: 0.1, weightDecay: 0.5 }).step(() => tf.mul(tf.sum(c.get("w")), 0) as tf.Scalar, c);
    close(c.get("w").dataSync(), Array.from(before, (v) => v * (1 - 0.05)), 1e-6); // zero gradient: Adam moves nothing
  });

  it("global-norm clipping rescales all gradients together", () => {
    const g = clipByGlobalNorm({ a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) }, 1);
    close(g.a.dataSync(), [0.6, 0], 1e-5);
    close(g.b.dataSync(), [0, 0.8], 1e-5);
  });

  it("parameters save to a state and come back equal", () => {
    const p = new Params(new Rng(6));
    p.add("emb", [5, 3], { kind: "normal", std: 0.1 });
    p.add("bias", [3], { kind: "zeros" });
    const q = Params.fromState(p.toState());
    expect(Array.from(q.get("emb").dataSync())).toEqual(Array.from(p.get("emb").dataSync()));
    expect(q.get("bias").shape).toEqual([3]);
    p.dispose();
    q.dispose();
  });

  it("a training epoch leaks no tensors (tf.memory() before and after)", () => {
    const p = new Params(new Rng(7));
    const [I, d] = [50, 8];
    p.add("emb", [I, d], { kind: "normal", std: 0.1 });
    p.add("w", [d, d], { kind: "glorot" });
    p.add("b", [I], { kind: "zeros" });
    const opt = new AdamW({ learningRate: 0.01, weightDecay: 0.01, clipNorm: 1 });
    const rng = new Rng(8);
    const epoch = () => {
      for (let s = 0; s < 10; s++) {
        const ids = Int32Array.from({ length: 16 }, () => rng.int(I));
        const targets = Int32Array.from({ length: 16 }, () => rng.int(I));
        opt.step(() => {
          const h = tf.tanh(dense(dropout(tf.gather(p.get("emb"), tf.tensor1d(ids, "int32")), 0.2, rng), p.get("w") as tf.Tensor2D)) as tf.Tensor2D;
          return chunkedSoftmaxCrossEntropy(h, p.get("emb") as tf.Tensor2D, p.get("b") as tf.Tensor1D, targets, undefined, 5);
        }, p);
      }
    };
    epoch(); // the optimizer's moment slots are created in the first epoch
    const before = tf.memory().numTensors;
    epoch();
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    p.dispose();
  });
});

describe("AdamW's one-vector Adam", () => {
  it("gives tf.train.adam's values to the last bit, step after step, over parameters of several shapes", () => {
    const build = () => {
      const p = new Params(new Rng(3));
      p.add("w", [7, 5], { kind: "glorot" });
      p.add("b", [5], { kind: "uniform", scale: 0.1 });
      p.add("t", [3, 2, 4], { kind: "glorot" });
      return p;
    };
    const [ours, theirs] = [build(), build()];
    const rng = new Rng(4);
    const x = tf.tensor2d(rng.fillNormal(new Float32Array(11 * 7)), [11, 7]);
    const loss = (p: Params) => () => tf.tidy(() => tf.add(
      tf.sum(tf.square(tf.sub(tf.add(tf.matMul(x, p.get("w") as tf.Tensor2D), p.get("b")), 1))),
      tf.sum(tf.sin(p.get("t"))),
    ) as tf.Scalar);
    const opt = new AdamW({ learningRate: 0.01 });
    const reference = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    for (let step = 0; step < 6; step++) {
      opt.step(loss(ours), ours);
      const { value, grads } = tf.variableGrads(loss(theirs), theirs.list());
      reference.applyGradients(grads as Parameters<typeof reference.applyGradients>[0]);
      tf.dispose([value, ...Object.values(grads)]);
      ours.list().forEach((v, k) => expect(v.dataSync()).toEqual(theirs.list()[k].dataSync()));
    }
    expect(ours.list()[0].dataSync()).not.toEqual(build().list()[0].dataSync()); // it moved
    opt.dispose();
    reference.dispose();
  });

  it("refuses another list of parameters than the one it started with", () => {
    const p = new Params(new Rng(1));
    p.add("a", [2], { kind: "zeros" });
    const q = new Params(new Rng(1));
    q.add("z", [3], { kind: "zeros" });
    const opt = new AdamW({ learningRate: 0.1 });
    opt.step(() => tf.sum(tf.square(tf.sub(p.get("a"), 1))) as tf.Scalar, p);
    expect(() => opt.step(() => tf.sum(tf.square(tf.sub(q.get("z"), 1))) as tf.Scalar, q)).toThrow(/one fixed list of parameters/);
    opt.dispose();
  });
});
