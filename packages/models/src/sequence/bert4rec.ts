import { log, userLists, type EmbeddingModel, type ModelState, type TrainSet } from "@mle/core";
import { runEpochs } from "../engine/epochs.ts";
import { AdamW, Params, chunkedSoftmaxCrossEntropy, tf } from "../engine/nn/index.ts";
import type { FitContext, Trained } from "../family.ts";
import type { Bert4RecConfig } from "./config.ts";
import { encode, encoderModel, initParams, leftPadded, trainingWindows } from "./encoder.ts";

/**
 * BERT4Rec (Sun et al. 2019) on the shared encoder, bidirectional: item table rows 0..I−1, then padding (I) and the
 * mask token (I + 1). Each epoch every window of L items has each real position replaced by the mask with
 * probability ρ (at least one per window), and the masked items are predicted by the full softmax over the
 * catalogue (the tied item embeddings), averaged over masked positions; Adam.
 */
export async function fitBert4Rec(train: TrainSet, c: Bert4RecConfig, { rng, training: o }: FitContext): Promise<Trained<ModelState>> {
  const I = train.nItems;
  const L = c.maxLength;
  const MASK = I + 1;
  const lists = userLists(train, "time");
  // Windows of L items: trainingWindows counts a window as span + 1 items, so span L − 1.
  const windows = trainingWindows(lists.offsets, L - 1, c.windows);
  const p = new Params(rng.fork("init"));
  initParams(p, I + 2, c);
  const opt = new AdamW({ learningRate: o.learningRate });
  const shuffle = rng.fork("batches");
  const drop = rng.fork("dropout");
  const masking = rng.fork("masks");
  const B = o.batchSize ?? 128;
  const zeroBias = tf.zeros([I]) as tf.Tensor1D;
  try {
    const { epochsRun, lastLoss } = await runEpochs({
      label: `BERT4Rec d=${c.factors} L=${L}`, epochs: o.epochs, monitor: o.monitor, current: () => encoderModel(p, c, I, "bert4rec", MASK),
      weights: { snapshot: () => p.snapshot(), restore: (s) => p.restore(s) },
      unit: "windows",
      runEpoch: (_epoch, progress) => {
        const order = shuffle.permutation(windows.length);
        let sum = 0;
        let masked = 0;
        for (let s = 0; s < order.length; s += B) {
          const picked = Array.from(order.subarray(s, s + B), (k) => windows[k]);
          const m = picked.length;
          const input = new Int32Array(m * L);
          const rows: number[] = [];
          const targets: number[] = [];
          picked.forEach(([u, end], k) => {
            const seq = lists.items.subarray(lists.offsets[u] + Math.max(0, end - L), lists.offsets[u] + end);
            leftPadded(seq, L, I, input, k * L);
            const first = k * L + L - seq.length;
            let any = false;
            for (let j = first; j < (k + 1) * L; j++) if (masking.nextFloat() < c.maskProbability) (targets.push(input[j]), rows.push(j), (input[j] = MASK), (any = true));
            if (!any) (targets.push(input[(k + 1) * L - 1]), rows.push((k + 1) * L - 1), (input[(k + 1) * L - 1] = MASK));
          });
          const n = rows.length;
          sum += n * opt.step(() => tf.tidy(() => {
            const h = tf.gather(tf.reshape(encode(p, c, I, input, m, drop, false), [m * L, c.factors]), tf.tensor1d(Int32Array.from(rows), "int32")) as tf.Tensor2D;
            const items = tf.slice(p.get("item"), [0, 0], [I, c.factors]) as tf.Tensor2D;
            return tf.div(chunkedSoftmaxCrossEntropy(h, items, zeroBias, Int32Array.from(targets)), n) as tf.Scalar;
          }), p);
          masked += n;
          progress(s + m, order.length);
        }
        return sum / Math.max(1, masked);
      },
    });
    log(`BERT4Rec: ${epochsRun} epochs, d = ${c.factors}, ${c.blocks} blocks × ${c.heads} heads, L = ${L}, mask ρ = ${c.maskProbability}; last epoch's loss ${lastLoss.toFixed(4)}`);
    const state = p.toState();
    return { model: bert4RecModel(Params.fromState(state), c, I), state };
  } finally {
    opt.dispose();
    zeroBias.dispose();
    p.dispose();
  }
}

/** Items: the tied embeddings; a user: the output at a mask token appended after their last L − 1 items. */
export function bert4RecModel(p: Params, c: Bert4RecConfig, nItems: number): EmbeddingModel {
  return encoderModel(p, c, nItems, `bert4rec(d=${c.factors}, L=${c.maxLength})`, nItems + 1);
}
