import { log, type EmbeddingModel, type History, type ModelState, type TrainSet } from "@mle/core";
import { tf } from "../engine/backend.ts";
import { runEpochs } from "../engine/epochs.ts";
import { AdamW, Params, dense, layerNorm, take } from "../engine/nn/index.ts";
import type { FitContext, Trained } from "../family.ts";
import type { RecVaeConfig } from "./config.ts";
import { denseBatch, historyRow, rowOf, trainRows, userBatches } from "./rows.ts";

const LOG_2PI = Math.log(2 * Math.PI);
/** The composite prior's weights: standard normal, the previous encoder's posterior, a wide normal (log σ² = 10). */
const MIXTURE = [3 / 20, 3 / 4, 1 / 10];

/**
 * RecVAE (Shenbin et al. 2020, their reference code): a five-layer densely connected encoder (swish, layer
 * norm with ε 0.1) to μ and log σ²; a linear decoder z·W + b; a composite prior mixing N(0, I), the
 * previous epoch's encoder posterior and N(0, e¹⁰); KL weighted by β(x) = γ·|x|; per epoch, `encoderEpochs`
 * passes updating the encoder (input dropout 0.5), the prior's encoder refreshed, then `decoderEpochs` passes
 * updating the decoder (no dropout). The decoder is the item embedding: item [W_i, b_i], user [μ(x), 1].
 */
export async function fitRecVae(train: TrainSet, c: RecVaeConfig, { rng, training: o }: FitContext): Promise<Trained<ModelState>> {
  const I = train.nItems;
  const { hidden: H, latent: L } = c;
  const enc = new Params(rng.fork("init/encoder"));
  const dec = new Params(rng.fork("init/decoder"));
  const linear = (p: Params, name: string, fanIn: number, fanOut: number) => {
    p.add(name, [fanIn, fanOut], { kind: "uniform", scale: 1 / Math.sqrt(fanIn) }); // PyTorch's nn.Linear default
    p.add(`${name}b`, [fanOut], { kind: "uniform", scale: 1 / Math.sqrt(fanIn) });
  };
  for (let k = 1; k <= 5; k++) {
    linear(enc, `fc${k}`, k === 1 ? I : H, H);
    enc.add(`ln${k}g`, [H], { kind: "ones" });
    enc.add(`ln${k}b`, [H], { kind: "zeros" });
  }
  linear(enc, "mu", H, L);
  linear(enc, "lv", H, L);
  linear(dec, "w", L, I);
  const names = enc.list().map((v) => v.name.split("#")[0]);
  // The composite prior's encoder: a frozen copy of the encoder, refreshed after each epoch's encoder passes.
  let old: tf.Tensor[] = [];
  let oldByName = new Map<string, tf.Tensor>();
  const freezeEncoder = () => {
    tf.dispose(old);
    old = enc.snapshot().map((a, k) => tf.tensor(a, enc.list()[k].shape));
    oldByName = new Map(names.map((n, k) => [n, old[k]]));
  };
  freezeEncoder();
  const rows = trainRows(train, c.input);
  const encOpt = new AdamW({ learningRate: o.learningRate });
  const decOpt = new AdamW({ learningRate: o.learningRate });
  const shuffle = rng.fork("batches");
  const noise = rng.fork("noise");
  const batchSize = o.batchSize ?? 500;
  /** One pass over the users; `onBatch(k, batches)` after each batch. */
  const pass = (which: "encoder" | "decoder", onBatch: (k: number, batches: number) => void): number => {
    let sum = 0;
    let n = 0;
    const batches = userBatches(rows, batchSize, shuffle);
    for (const users of batches) {
      const batchRows = Array.from(users, (u) => rowOf(rows, u));
      const dropout = which === "encoder" ? c.dropout : 0;
      const { raw, input } = denseBatch(batchRows, I, dropout, noise);
      // The prior's posterior term reads the clean input (no dropout) through last epoch's encoder.
      const clean = dropout > 0 ? denseBatch(batchRows, I, 0, null).input : input;
      const b = users.length;
      const loss = () => tf.tidy(() => {
        const x = tf.tensor2d(raw, [b, I]);
        const { mu, logvar } = encoder((k) => enc.get(k), tf.tensor2d(input, [b, I]));
        const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), tf.tensor2d(noise.fillNormal(new Float32Array(b * L)), [b, L])));
        const logits = dense(z, dec.get("w") as tf.Tensor2D, dec.get("wb") as tf.Tensor1D);
        const mll = tf.div(tf.sum(tf.mul(tf.logSoftmax(logits, 1), x)), b);
        const post = encoder((k) => oldByName.get(k)!, tf.tensor2d(clean, [b, I]));
        const prior = tf.logSumExp(tf.stack([
          tf.add(logNormal(z, tf.zerosLike(z), tf.zerosLike(z)), Math.log(MIXTURE[0])),
          tf.add(logNormal(z, post.mu, post.logvar), Math.log(MIXTURE[1])),
          tf.add(logNormal(z, tf.zerosLike(z), tf.fill(z.shape, 10)), Math.log(MIXTURE[2])),
        ], -1), -1);
        const klWeight = tf.mul(tf.sum(x, 1), c.gamma); // β(x) = γ·|x|
        const kld = tf.div(tf.sum(tf.mul(tf.sum(tf.sub(logNormal(z, mu, logvar), prior), 1), klWeight)), b);
        return tf.neg(tf.sub(mll, kld)) as tf.Scalar;
      });
      sum += which === "encoder" ? encOpt.step(loss, enc) : decOpt.step(loss, dec);
      onBatch(++n, batches.length);
    }
    return sum / Math.max(1, n);
  };
  const current = () => recVaeModel(enc, dec, c, I);
  try {
    const { epochsRun } = await runEpochs({
      label: `RecVAE ${H}-${L}`, epochs: o.epochs, monitor: o.monitor, current,
      weights: { snapshot: () => [...enc.snapshot(), ...dec.snapshot()], restore: (s) => (enc.restore(s.slice(0, names.length)), dec.restore(s.slice(names.length))) },
      runEpoch: (_epoch, progress) => {
        // Progress counts batches over all of the epoch's encoder and decoder passes.
        const passes = c.encoderEpochs + c.decoderEpochs;
        let before = 0;
        const onBatch = (k: number, batches: number) => progress(before * batches + k, passes * batches);
        for (; before < c.encoderEpochs; before++) pass("encoder", onBatch);
        freezeEncoder();
        let loss = 0;
        for (; before < passes; before++) loss = pass("decoder", onBatch);
        return loss;
      },
    });
    log(`RecVAE: ${epochsRun} epochs (${c.encoderEpochs} encoder + ${c.decoderEpochs} decoder passes each), γ ${c.gamma}, lr ${o.learningRate}`);
  } finally {
    encOpt.dispose();
    decOpt.dispose();
    tf.dispose(old);
  }
  const state: ModelState = { ...prefixed(enc.toState(), "encoder/"), ...prefixed(dec.toState(), "decoder/") };
  enc.dispose();
  dec.dispose();
  return { model: restoreRecVae(state, c), state };
}

function prefixed(s: ModelState, prefix: string): ModelState {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k.replace(/^param\//, `param/${prefix}`), v]));
}

function unprefixed(s: ModelState, prefix: string): ModelState {
  return Object.fromEntries(Object.entries(s).filter(([k]) => k.startsWith(`param/${prefix}`)).map(([k, v]) => [k.replace(`param/${prefix}`, "param/"), v]));
}

export function restoreRecVae(state: ModelState, c: RecVaeConfig): EmbeddingModel {
  const enc = Params.fromState(unprefixed(state, "encoder/"));
  const dec = Params.fromState(unprefixed(state, "decoder/"));
  return recVaeModel(enc, dec, c, dec.get("wb").shape[0]);
}

/** log N(z; μ, e^logvar), elementwise. */
function logNormal(z: tf.Tensor, mu: tf.Tensor, logvar: tf.Tensor): tf.Tensor {
  return tf.mul(-0.5, tf.add(tf.add(logvar, LOG_2PI), tf.div(tf.square(tf.sub(z, mu)), tf.exp(logvar))));
}

const swish = (x: tf.Tensor) => tf.mul(x, tf.sigmoid(x));

/** The densely connected encoder over normalised (and, in training, dropped-out) rows. */
function encoder(get: (name: string) => tf.Tensor, x: tf.Tensor2D): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
  const hs: tf.Tensor[] = [];
  let h: tf.Tensor = x;
  for (let k = 1; k <= 5; k++) {
    let pre = dense(h, get(`fc${k}`) as tf.Tensor2D, get(`fc${k}b`) as tf.Tensor1D);
    for (const prev of hs) pre = tf.add(pre, prev);
    h = layerNorm(swish(pre), get(`ln${k}g`) as tf.Tensor1D, get(`ln${k}b`) as tf.Tensor1D, 0.1);
    hs.push(h);
  }
  return { mu: dense(h, get("mu") as tf.Tensor2D, get("mub") as tf.Tensor1D) as tf.Tensor2D, logvar: dense(h, get("lv") as tf.Tensor2D, get("lvb") as tf.Tensor1D) as tf.Tensor2D };
}

/** Items [W_i, b_i] of the linear decoder, users [μ(x), 1]: exactly the decoder's logits. */
function recVaeModel(enc: Params, dec: Params, c: RecVaeConfig, nItems: number): EmbeddingModel {
  const L = c.latent;
  const itemVectors = take(() => tf.concat([tf.transpose(dec.get("w")), tf.reshape(dec.get("wb"), [nItems, 1])], 1));
  const userVectors = (hs: History[]): Float32Array[] => {
    const { input } = denseBatch(hs.map((h) => historyRow(h, c.input)), nItems, 0, null);
    const mu = take(() => encoder((k) => enc.get(k), tf.tensor2d(input, [hs.length, nItems])).mu);
    return hs.map((_, k) => {
      const v = new Float32Array(L + 1);
      v.set(mu.subarray(k * L, (k + 1) * L));
      v[L] = 1;
      return v;
    });
  };
  return { name: `recvae(${c.hidden}-${L})`, dim: L + 1, nItems, similarity: "dot", itemVectors, userVector: (h) => userVectors([h])[0], userVectors };
}
