// Child task: one model's training step on the engine, timed over several steps after warm-up: a
// Mult-VAE-sized step (I-600-200-600-I, multinomial likelihood, Adam) or a SASRec-sized one (2 blocks,
// d 64, length L, full softmax over the catalogue at every position). Random data of the real shapes.
import { Rng, setQuiet } from "@mle/core";
import { AdamW, Params, causalMask, chunkedSoftmaxCrossEntropy, dense, dropout, embed, layerNorm, multinomialNll, selfAttention, tf } from "@mle/models/nn";
import { backendInfo, initBackend } from "@mle/models";
import { report } from "../lib/child.ts";

setQuiet(true);
const [which, a, b, c, d] = process.argv.slice(2);
const P = Number(process.env.BENCH_DROPOUT ?? 0.2); // dropout rate
await initBackend();
const rng = new Rng(1);
const p = new Params(rng);
const opt = new AdamW({ learningRate: 1e-3 });
let step: () => number;

if (which === "multvae") {
  const [I, batch] = [Number(a), Number(b)];
  p.add("e1", [I, 600], { kind: "glorot" });
  p.add("e1b", [600], { kind: "zeros" });
  p.add("e2", [600, 400], { kind: "glorot" });
  p.add("e2b", [400], { kind: "zeros" });
  p.add("d1", [200, 600], { kind: "glorot" });
  p.add("d1b", [600], { kind: "zeros" });
  p.add("d2", [600, I], { kind: "glorot" });
  p.add("d2b", [I], { kind: "zeros" });
  const x = new Float32Array(batch * I);
  for (let k = 0; k < x.length; k++) x[k] = rng.nextFloat() < 0.01 ? 1 : 0;
  const X = tf.tensor2d(x, [batch, I]);
  const g = (n: string) => p.get(n) as tf.Tensor2D;
  step = () => opt.step(() => {
    const xn = tf.div(X, tf.maximum(tf.norm(X, 2, 1, true), 1e-8));
    const h = tf.tanh(dense(dropout(xn, 0.5, rng), g("e1"), p.get("e1b") as tf.Tensor1D));
    const stats = dense(h, g("e2"), p.get("e2b") as tf.Tensor1D);
    const mu = tf.slice(stats, [0, 0], [-1, 200]);
    const logvar = tf.slice(stats, [0, 200], [-1, 200]);
    const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), tf.tensor2d(rng.fillNormal(new Float32Array(batch * 200)), [batch, 200])));
    const logits = dense(tf.tanh(dense(z, g("d1"), p.get("d1b") as tf.Tensor1D)), g("d2"), p.get("d2b") as tf.Tensor1D) as tf.Tensor2D;
    const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logvar), tf.add(tf.square(mu), tf.exp(logvar)))));
    return tf.div(tf.add(multinomialNll(logits, X), tf.mul(0.2, kl)), batch) as tf.Scalar;
  }, p);
} else {
  const [I, L, batch, dim] = [Number(a), Number(b), Number(c), Number(d)];
  const heads = 1;
  p.add("items", [I + 1, dim], { kind: "normal", std: 0.02 });
  p.add("pos", [L, dim], { kind: "normal", std: 0.02 });
  p.add("bias", [I + 1], { kind: "zeros" });
  for (let blk = 0; blk < 2; blk++) {
    for (const w of ["q", "k", "v", "o", "f1", "f2"]) p.add(`${blk}/${w}`, [dim, dim], { kind: "glorot" });
    for (const n of ["ln1g", "ln2g"]) p.add(`${blk}/${n}`, [dim], { kind: "ones" });
    for (const n of ["ln1b", "ln2b", "f1b", "f2b"]) p.add(`${blk}/${n}`, [dim], { kind: "zeros" });
  }
  p.add("lng", [dim], { kind: "ones" });
  p.add("lnb", [dim], { kind: "zeros" });
  const seq = Int32Array.from({ length: batch * L }, () => 1 + rng.int(I));
  const targets = Int32Array.from({ length: batch * L }, () => 1 + rng.int(I));
  const mask = causalMask(L);
  const v1 = (n: string) => p.get(n) as tf.Tensor1D;
  const v2 = (n: string) => p.get(n) as tf.Tensor2D;
  step = () => opt.step(() => {
    let x = tf.add(embed(v2("items"), seq, [batch, L]), v2("pos")) as tf.Tensor3D;
    x = dropout(x, P, rng) as tf.Tensor3D;
    for (let blk = 0; blk < 2; blk++) {
      const q = layerNorm(x, v1(`${blk}/ln1g`), v1(`${blk}/ln1b`)) as tf.Tensor3D;
      x = tf.add(x, dropout(selfAttention(q, { wq: v2(`${blk}/q`), wk: v2(`${blk}/k`), wv: v2(`${blk}/v`), wo: v2(`${blk}/o`) }, heads, mask, rng, 0.2), P, rng)) as tf.Tensor3D;
      const f = layerNorm(x, v1(`${blk}/ln2g`), v1(`${blk}/ln2b`));
      const ff = dense(dropout(tf.relu(dense(f, v2(`${blk}/f1`), v1(`${blk}/f1b`))), P, rng), v2(`${blk}/f2`), v1(`${blk}/f2b`));
      x = tf.add(x, dropout(ff, P, rng)) as tf.Tensor3D;
    }
    const h = tf.reshape(layerNorm(x, v1("lng"), v1("lnb")), [batch * L, dim]) as tf.Tensor2D;
    return tf.div(chunkedSoftmaxCrossEntropy(h, v2("items"), v1("bias"), targets), batch * L) as tf.Scalar;
  }, p);
}

step();
step(); // warm-up: Adam's slots, kernels
const times: number[] = [];
let loss = 0;
for (let s = 0; s < 5; s++) {
  const t = performance.now();
  loss = step();
  times.push((performance.now() - t) / 1000);
}
times.sort((x, y) => x - y);
report(times[2], { stepSeconds: times[2], loss, backend: backendInfo().name, tensors: tf.memory().numTensors });
