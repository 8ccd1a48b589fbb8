import { log, userLists, type EmbeddingModel, type ModelState, type Rng, type TrainSet, type UserLists } from "@mle/core";
import { runEpochs } from "../engine/epochs.ts";
import { AdamW, Params, chunkedSoftmaxCrossEntropy, tf } from "../engine/nn/index.ts";
import type { FitContext, Trained } from "../family.ts";
import { sortedLists } from "../kernels/lists.ts";
import { negative } from "../kernels/sgd-examples.ts";
import type { SasRecConfig } from "./config.ts";
import { encode, encoderModel, initParams, leftPadded, trainingWindows } from "./encoder.ts";

/** One step's windows as the encoder takes them: inputs [m, L], next-item targets, and the real (unpadded) positions. */
interface SasRecBatch {
  m: number;
  input: Int32Array;
  /** For each real position (index into m × L), the item that follows it, and the window's user. */
  real: Int32Array;
  targets: Int32Array;
  users: Int32Array;
}

function sasRecBatch(lists: UserLists, picked: [number, number][], L: number, pad: number): SasRecBatch {
  const m = picked.length;
  const input = new Int32Array(m * L);
  const target = new Int32Array(m * L);
  picked.forEach(([u, end], k) => {
    const seq = lists.items.subarray(lists.offsets[u] + Math.max(0, end - L - 1), lists.offsets[u] + end);
    leftPadded(seq.subarray(0, seq.length - 1), L, pad, input, k * L);
    leftPadded(seq.subarray(1), L, pad, target, k * L);
  });
  const real = Int32Array.from(input.keys()).filter((j) => input[j] !== pad);
  return { m, input, real, targets: real.map((j) => target[j]), users: real.map((j) => picked[Math.floor(j / L)][0]) };
}

/**
 * SASRec's training steps over one training set: its windows (see `trainingWindows`), the weights, Adam, and the
 * seeded streams for batches, dropout and negatives. `step` takes windows and returns their mean loss per real
 * position: only real positions enter the loss, so padding costs no row of catalogue-wide logits.
 */
export class SasRecTrainer {
  readonly windows: [number, number][];
  readonly params: Params;
  private readonly lists: UserLists;
  private readonly sorted: ReturnType<typeof sortedLists>;
  private readonly opt: AdamW;
  private readonly drop: Rng;
  private readonly sample: Rng;
  private readonly zeroBias: tf.Tensor1D;

  constructor(train: TrainSet, readonly c: SasRecConfig, rng: Rng, learningRate: number) {
    this.lists = userLists(train, "time");
    this.sorted = sortedLists(this.lists);
    this.windows = trainingWindows(this.lists.offsets, c.maxLength, c.windows);
    this.params = new Params(rng.fork("init"));
    initParams(this.params, train.nItems + 1, c);
    this.opt = new AdamW({ learningRate });
    this.drop = rng.fork("dropout");
    this.sample = rng.fork("negatives");
    this.zeroBias = tf.zeros([train.nItems]) as tf.Tensor1D;
  }

  get nItems(): number {
    return this.zeroBias.shape[0];
  }

  /** One Adam step on these windows; returns [mean loss, real positions]. */
  step(picked: [number, number][]): [number, number] {
    const { c, nItems: I, params: p } = this;
    const b = sasRecBatch(this.lists, picked, c.maxLength, I);
    const n = b.real.length;
    const per = c.loss === "bce" ? 1 : c.negatives;
    const negatives = c.loss === "ce" ? null : Int32Array.from({ length: n * per }, (_, j) => negative(this.sample, this.sorted, b.users[Math.floor(j / per)], I));
    const loss = this.opt.step(() => tf.tidy(() => {
      const h = tf.gather(tf.reshape(encode(p, c, I, b.input, b.m, this.drop), [b.m * c.maxLength, c.factors]), tf.tensor1d(b.real, "int32")) as tf.Tensor2D;
      const items = tf.slice(p.get("item"), [0, 0], [I, c.factors]) as tf.Tensor2D;
      if (c.loss === "ce") return tf.div(chunkedSoftmaxCrossEntropy(h, items, this.zeroBias, b.targets), n) as tf.Scalar;
      const pos = tf.sum(tf.mul(h, tf.gather(items, tf.tensor1d(b.targets, "int32"))), 1);
      const neg = tf.sum(tf.mul(tf.reshape(h, [n, 1, c.factors]), tf.reshape(tf.gather(items, tf.tensor1d(negatives!, "int32")), [n, per, c.factors])), 2);
      const perPosition = c.loss === "bce"
        ? tf.add(tf.softplus(tf.neg(pos)), tf.softplus(tf.reshape(neg, [n])))
        : tf.neg(tf.reshape(tf.slice(tf.logSoftmax(tf.concat([tf.reshape(pos, [n, 1]), neg], 1), 1), [0, 0], [n, 1]), [n]));
      return tf.mean(perPosition) as tf.Scalar;
    }), p);
    return [loss, n];
  }

  dispose(): void {
    this.opt.dispose();
    this.zeroBias.dispose();
    this.params.dispose();
  }
}

/**
 * SASRec trained on each user's time-ordered training history: per epoch, each window of L + 1 items (`windows`)
 * gives L (prefix, next item) positions; the loss per `loss` (see the config), averaged over the real positions; Adam.
 */
export async function fitSasRec(train: TrainSet, c: SasRecConfig, { rng, training: o }: FitContext): Promise<Trained<ModelState>> {
  const I = train.nItems;
  const t = new SasRecTrainer(train, c, rng, o.learningRate ?? 1e-3);
  const shuffle = rng.fork("batches");
  const B = o.batchSize ?? 128;
  try {
    const { epochsRun, lastLoss } = await runEpochs({
      label: `SASRec-${c.loss} d=${c.factors} L=${c.maxLength}`, epochs: o.epochs, monitor: o.monitor, current: () => sasRecModel(t.params, c, I),
      weights: { snapshot: () => t.params.snapshot(), restore: (s) => t.params.restore(s) },
      unit: "windows",
      runEpoch: (_epoch, progress) => {
        const order = shuffle.permutation(t.windows.length);
        let sum = 0;
        let positions = 0;
        for (let s = 0; s < order.length; s += B) {
          const [loss, n] = t.step(Array.from(order.subarray(s, s + B), (k) => t.windows[k]));
          sum += n * loss;
          positions += n;
          progress(Math.min(s + B, order.length), order.length);
        }
        return sum / Math.max(1, positions);
      },
    });
    log(`SASRec (${c.loss}): ${epochsRun} epochs, d = ${c.factors}, ${c.blocks} blocks × ${c.heads} heads, L = ${c.maxLength}; last epoch's loss ${lastLoss.toFixed(4)}`);
    const state = t.params.toState();
    return { model: sasRecModel(Params.fromState(state), c, I), state };
  } finally {
    t.dispose();
  }
}

/**
 * Items: the tied item embeddings (rows 0..I−1). A user: the encoder's output at the last position of their
 * history's last L items — the model's own next-item scores are this vector's dot products, so any history folds in.
 */
export function sasRecModel(p: Params, c: SasRecConfig, nItems: number): EmbeddingModel {
  return encoderModel(p, c, nItems, `sasrec-${c.loss}(d=${c.factors}, L=${c.maxLength})`, null);
}
