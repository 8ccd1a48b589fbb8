import { log, type EmbeddingModel, type History, type ModelState, type TrainSet } from "@mle/core";
import { tf } from "../engine/backend.ts";
import { runEpochs } from "../engine/epochs.ts";
import { AdamW, Params, dense, multinomialNll, take } from "../engine/nn/index.ts";
import type { FitContext, Trained } from "../family.ts";
import type { MultDaeConfig, MultVaeConfig } from "./config.ts";
import { denseBatch, historyRow, rowOf, trainRows, userBatches } from "./rows.ts";

type MultConfig = MultVaeConfig | MultDaeConfig;

/**
 * Mult-VAE and Mult-DAE (Liang et al. 2018, their reference code): a user's row, L2-normalised with
 * dropout, through q: I → hidden (tanh) → latent (Mult-VAE: μ and log σ², sampled while training; Mult-DAE:
 * tanh), then p: latent → hidden (tanh) → I logits, scored by the multinomial log-likelihood of the row
 * (+ β·KL for the VAE, β annealed linearly to its cap; + λΣw²). The last layer is the item embedding:
 * logits_i = h(u)·W_i + b_i with h(u) the decoder's hidden layer for the user's μ, so a user's vector is
 * [h(u), 1] and an item's [W_i, b_i] — nearest-neighbour search over items is the network's own ranking,
 * and any history folds in through the encoder, with no retraining.
 */
export async function fitMult(train: TrainSet, c: MultConfig, { rng, training: o }: FitContext): Promise<Trained<ModelState>> {
  const vae = c.variant === "multvae";
  const I = train.nItems;
  const p = new Params(rng.fork("init"));
  const w = (name: string, shape: number[]) => p.add(name, shape, { kind: "glorot" });
  const b = (name: string, n: number) => p.add(name, [n], { kind: "normal", std: 0.001 });
  w("q0", [I, c.hidden]), b("q0b", c.hidden);
  w("q1", [c.hidden, vae ? 2 * c.latent : c.latent]), b("q1b", vae ? 2 * c.latent : c.latent);
  w("p0", [c.latent, c.hidden]), b("p0b", c.hidden);
  w("p1", [c.hidden, I]), b("p1b", I);
  const rows = trainRows(train, c.input);
  const opt = new AdamW({ learningRate: o.learningRate });
  const shuffle = rng.fork("batches");
  const noise = rng.fork("noise");
  const batchSize = o.batchSize ?? 500;
  let updates = 0;
  const betaNow = () => (vae ? (c.annealSteps > 0 ? Math.min(c.beta, updates / c.annealSteps) : c.beta) : 0);
  const step = (users: Uint32Array): number => {
    const beta = betaNow();
    const { raw, input } = denseBatch(Array.from(users, (u) => rowOf(rows, u)), I, c.dropout, noise);
    const n = users.length;
    const loss = opt.step(() => tf.tidy(() => {
      const x = tf.tensor2d(input, [n, I]);
      const { mu, logvar } = encode(p, c, x);
      const z = vae ? tf.add(mu, tf.mul(tf.exp(tf.mul(logvar!, 0.5)), tf.tensor2d(noise.fillNormal(new Float32Array(n * c.latent)), [n, c.latent]))) : mu;
      const logits = dense(decodeHidden(p, z), p.get("p1") as tf.Tensor2D, p.get("p1b") as tf.Tensor1D) as tf.Tensor2D;
      let total: tf.Tensor = tf.div(multinomialNll(logits, tf.tensor2d(raw, [n, I])), n);
      if (vae) total = tf.add(total, tf.mul(beta, tf.div(tf.sum(tf.mul(0.5, tf.sub(tf.add(tf.exp(logvar!), tf.square(mu)), tf.add(logvar!, 1)))), n)));
      if (c.l2 > 0) total = tf.add(total, tf.mul(c.l2, tf.addN(["q0", "q1", "p0", "p1"].map((k) => tf.sum(tf.square(p.get(k)))))));
      return total as tf.Scalar;
    }), p);
    updates++;
    return loss;
  };
  const current = () => multModel(p, c, I);
  try {
    const { epochsRun } = await runEpochs({
      label: `${vae ? "Mult-VAE" : "Mult-DAE"} ${c.hidden}-${c.latent}`, epochs: o.epochs, monitor: o.monitor, current,
      weights: { snapshot: () => p.snapshot(), restore: (s) => p.restore(s) },
      runEpoch: (_epoch, progress) => {
        let sum = 0;
        const batches = userBatches(rows, batchSize, shuffle);
        batches.forEach((users, k) => ((sum += step(users)), progress(k + 1, batches.length)));
        return sum / Math.max(1, batches.length);
      },
    });
    log(`${vae ? "Mult-VAE" : "Mult-DAE"}: ${epochsRun} epochs, ${updates} updates, batch ${batchSize}, lr ${o.learningRate}${vae ? `, β now ${betaNow().toFixed(3)}` : ""}`);
  } finally {
    opt.dispose();
  }
  const state = p.toState();
  const model = multModel(Params.fromState(state), c, I);
  p.dispose();
  return { model, state };
}

/** q: the latent mean (and log-variance for the VAE) of normalised input rows. */
function encode(p: Params, c: MultConfig, x: tf.Tensor2D): { mu: tf.Tensor2D; logvar?: tf.Tensor2D } {
  const h = tf.tanh(dense(x, p.get("q0") as tf.Tensor2D, p.get("q0b") as tf.Tensor1D));
  const s = dense(h, p.get("q1") as tf.Tensor2D, p.get("q1b") as tf.Tensor1D) as tf.Tensor2D;
  if (c.variant === "multdae") return { mu: tf.tanh(s) as tf.Tensor2D };
  return { mu: tf.slice(s, [0, 0], [-1, c.latent]), logvar: tf.slice(s, [0, c.latent], [-1, c.latent]) };
}

/** The decoder's hidden layer: the user's side of the last layer's dot product. */
function decodeHidden(p: Params, z: tf.Tensor): tf.Tensor2D {
  return tf.tanh(dense(z, p.get("p0") as tf.Tensor2D, p.get("p0b") as tf.Tensor1D)) as tf.Tensor2D;
}

/** The network as an embedding space: items [W_i, b_i] of the last layer, users [h(μ(x)), 1]. */
export function multModel(p: Params, c: MultConfig, nItems: number): EmbeddingModel {
  const H = c.hidden;
  const itemVectors = take(() => tf.concat([tf.transpose(p.get("p1")), tf.reshape(p.get("p1b"), [nItems, 1])], 1));
  const userVectors = (hs: History[]): Float32Array[] => {
    const { input } = denseBatch(hs.map((h) => historyRow(h, c.input)), nItems, 0, null);
    const hidden = take(() => decodeHidden(p, encode(p, c, tf.tensor2d(input, [hs.length, nItems])).mu));
    return hs.map((_, k) => {
      const v = new Float32Array(H + 1);
      v.set(hidden.subarray(k * H, (k + 1) * H));
      v[H] = 1;
      return v;
    });
  };
  return {
    name: `${c.variant === "multvae" ? "mult-vae" : "mult-dae"}(${c.hidden}-${c.latent})`, dim: H + 1, nItems, similarity: "dot", itemVectors,
    userVector: (h) => userVectors([h])[0],
    userVectors,
  };
}

/** The full forward pass for a history (the network's own logits), to check the embedding contract against. */
export function multLogits(p: Params, c: MultConfig, nItems: number, h: History): Float32Array {
  const { input } = denseBatch([historyRow(h, c.input)], nItems, 0, null);
  return take(() => dense(decodeHidden(p, encode(p, c, tf.tensor2d(input, [1, nItems])).mu), p.get("p1") as tf.Tensor2D, p.get("p1b") as tf.Tensor1D));
}
