import { UserError, itemFeatureMatrix, log, shaped, userLists, type EmbeddingModel, type History, type ModelState, type ShapedArray, type TrainSet } from "@mle/core";
import { tf } from "../engine/backend.ts";
import { runEpochs } from "../engine/epochs.ts";
import { AdamW, Params, dense, take } from "../engine/nn/index.ts";
import type { FitContext, Trained } from "../family.ts";
import { standardised } from "../features.ts";
import type { TwoTowerConfig } from "./config.ts";

/** Largest batch × items matrix the history means build densely (the segment sum beyond it); tests lower it to reach that path. */
export const historyPaths = { denseLimit: 1 << 24 };

/**
 * A two-tower retriever trained with in-batch sampled softmax (TensorFlow Recommenders' retrieval task). Item
 * tower: an id embedding, plus the item's standardised content projected (`content`). User tower: the mean of
 * per-item input embeddings over the history (id embedding + projected content), through an optional ReLU MLP.
 * Each training pair (user, item) scores the batch's items: logits s(u, v)/τ − log q(item) (the logQ correction
 * of Yi et al. 2019, q the item's share of the training rows), the same item elsewhere in the batch masked (an
 * accidental hit), cross-entropy on the pair's own item. The user tower reads the history without the pair's
 * item, so it learns to predict what is not in its input, as at evaluation.
 */
export async function fitTwoTower(train: TrainSet, c: TwoTowerConfig, { rng, training: o }: FitContext): Promise<Trained<ModelState>> {
  const I = train.nItems;
  const d = c.factors;
  if (c.content && !train.itemFeatures) throw new UserError("model.content needs the release's item content (genres, year), and this train set has none");
  const X = c.content && train.itemFeatures ? standardised(itemFeatureMatrix(train.itemFeatures, { genres: true, year: true, tags: c.tags > 0 ? { top: c.tags } : undefined, genome: c.genome })) : null;
  const p = new Params(rng.fork("init"));
  p.add("item", [I, d], { kind: "normal", std: 0.05 });
  p.add("input", [I, d], { kind: "normal", std: 0.05 });
  if (X) (p.add("itemContent", [X.width, d], { kind: "glorot" }), p.add("inputContent", [X.width, d], { kind: "glorot" }));
  if (c.hidden > 0) (p.add("u1", [d, c.hidden], { kind: "glorot" }), p.add("u1b", [c.hidden], { kind: "zeros" }), p.add("u2", [c.hidden, d], { kind: "glorot" }), p.add("u2b", [d], { kind: "zeros" }));
  const w = (k: string) => p.get(k) as tf.Tensor2D;
  const xt = X ? tf.tensor2d(X.values, [I, X.width]) : null;
  /** Rows of an embedding plus, with content, the rows' content through its projection. */
  const rows = (table: string, content: string, ids: tf.Tensor1D) => {
    const e = tf.gather(w(table), ids);
    return xt ? tf.add(e, tf.matMul(tf.gather(xt, ids), w(content))) : e;
  };
  const tower = (m: tf.Tensor2D) => (c.hidden > 0 ? dense(tf.relu(dense(m, w("u1"), p.get("u1b") as tf.Tensor1D)), w("u2"), p.get("u2b") as tf.Tensor1D) : m);
  const norm = (t: tf.Tensor) => (c.similarity === "cosine" ? tf.div(t, tf.add(tf.norm(t, 2, 1, true), 1e-12)) : t);

  const lists = userLists(train);
  const n = train.user.length;
  const count = new Float64Array(I);
  for (let r = 0; r < n; r++) count[train.item[r]]++;
  const logQ = Float32Array.from(count, (k) => Math.log(Math.max(k, 1) / n));
  /**
   * Each pair's history without its item, as weights 1/|H| for a mean: a dense batch × items matrix times the
   * input table when it is small (one matrix product each way: the segment sum and gather it replaces took
   * 80% of an ML-100k epoch), else (items, rows, weights) for a segment sum. There `items` are the batch's distinct
   * history items and `slots` index them per occurrence, so each item's content is projected once a batch, not once
   * per occurrence (at ml-latest size: 1,430 → 3,040 training pairs a second).
   */
  const slotOf = new Int32Array(I).fill(-1); // item → its slot in the current batch; reset after each batch
  const historyMeans = (batch: Uint32Array, pos: Int32Array) => {
    const m = batch.length;
    const dense = m * I <= historyPaths.denseLimit ? new Float32Array(m * I) : null;
    const items: number[] = [];
    const slots: number[] = [];
    const rowsOf: number[] = [];
    const weights: number[] = [];
    batch.forEach((r, k) => {
      const u = train.user[r];
      const wk = 1 / Math.max(1, lists.offsets[u + 1] - lists.offsets[u] - 1);
      for (let j = lists.offsets[u]; j < lists.offsets[u + 1]; j++) {
        const i = lists.items[j];
        if (i === pos[k]) continue;
        if (dense) dense[k * I + i] += wk;
        else {
          if (slotOf[i] < 0) slotOf[i] = items.push(i) - 1;
          slots.push(slotOf[i]), rowsOf.push(k), weights.push(wk);
        }
      }
    });
    for (const i of items) slotOf[i] = -1;
    return { dense, items: Int32Array.from(items), slots: Int32Array.from(slots), rows: Int32Array.from(rowsOf), weights: Float32Array.from(weights) };
  };
  const opt = new AdamW({ learningRate: o.learningRate });
  const shuffle = rng.fork("batches");
  const B = o.batchSize ?? 512;
  const stateOf = (): ModelState => {
    const all = tf.tensor1d(Int32Array.from({ length: I }, (_, i) => i), "int32");
    const items = take(() => norm(rows("item", "itemContent", all)));
    const inputs = take(() => rows("input", "inputContent", all));
    all.dispose();
    const mlp = c.hidden > 0 ? Object.fromEntries(["u1", "u1b", "u2", "u2b"].map((k) => [`param/${k}`, shaped(p.get(k).dataSync().slice() as Float32Array, ...p.get(k).shape)])) : {};
    return { itemVectors: shaped(items, I, d), inputs: shaped(inputs, I, d), similarity: c.similarity, ...mlp };
  };
  try {
    const { epochsRun, lastLoss } = await runEpochs({
      label: `two-tower d=${d}`, epochs: o.epochs, monitor: o.monitor, current: () => twoTowerModel(stateOf()),
      weights: { snapshot: () => p.snapshot(), restore: (s) => p.restore(s) },
      unit: "pairs",
      runEpoch: (_epoch, progress) => {
        const order = shuffle.permutation(n);
        let sum = 0;
        for (let s = 0; s < n; s += B) {
          const batch = order.subarray(s, s + B);
          const m = batch.length;
          const pos = Int32Array.from(batch, (r) => train.item[r]);
          const h = historyMeans(batch, pos);
          // Accidental hits: the pair's item elsewhere in the batch, found through each item's positions (not m² compares).
          const hits = new Float32Array(m * m);
          const at = new Map<number, number[]>();
          pos.forEach((i, a) => at.set(i, [...(at.get(i) ?? []), a]));
          for (const same of at.values()) for (const a of same) for (const b of same) if (a !== b) hits[a * m + b] = -1e9;
          sum += m * opt.step(() => tf.tidy(() => {
            const mean = h.dense
              ? tf.matMul(tf.tensor2d(h.dense, [m, I]), xt ? tf.add(w("input"), tf.matMul(xt, w("inputContent"))) : w("input"))
              : tf.unsortedSegmentSum(tf.mul(tf.gather(rows("input", "inputContent", tf.tensor1d(h.items, "int32")), tf.tensor1d(h.slots, "int32")), tf.tensor2d(h.weights, [h.weights.length, 1])), tf.tensor1d(h.rows, "int32"), m);
            const posIds = tf.tensor1d(pos, "int32");
            const u = norm(tower(mean as tf.Tensor2D));
            const v = norm(rows("item", "itemContent", posIds));
            let logits = tf.div(tf.matMul(u, v, false, true), c.temperature);
            if (c.logQ) logits = tf.sub(logits, tf.gather(tf.tensor1d(logQ), posIds));
            logits = tf.add(logits, tf.tensor2d(hits, [m, m]));
            const ce = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.eye(m)), 1)));
            return (c.l2 > 0 ? tf.add(ce, tf.mul(c.l2 / m, tf.add(tf.sum(tf.square(mean)), tf.sum(tf.square(v))))) : ce) as tf.Scalar;
          }), p);
          progress(s + m, n);
        }
        return sum / n;
      },
    });
    log(`two-tower: ${epochsRun} epochs, d = ${d}, ${c.similarity}, τ = ${c.temperature}${c.logQ ? ", logQ-corrected" : ""}${X ? `, content ${X.width} features` : ""}; last epoch's loss ${lastLoss.toFixed(4)}`);
    const state = stateOf();
    return { model: twoTowerModel(state), state };
  } finally {
    opt.dispose();
    xt?.dispose();
    p.dispose();
  }
}

/**
 * Items: their tower's vectors (unit length under cosine). Users: the mean of the history's input embeddings
 * through the user tower — the model itself, so any history folds in with no training.
 */
export function twoTowerModel(s: ModelState): EmbeddingModel {
  const items = s.itemVectors as ShapedArray<Float32Array>;
  const inputs = (s.inputs as ShapedArray<Float32Array>).data;
  const [nItems, d] = items.shape;
  const similarity = s.similarity as "dot" | "cosine";
  const layer = (k: string) => s[`param/${k}`] as ShapedArray<Float32Array> | undefined;
  const [u1, u1b, u2, u2b] = ["u1", "u1b", "u2", "u2b"].map(layer);
  return {
    name: `two-tower(d=${d})`, dim: d, nItems, similarity, itemVectors: items.data,
    userVector: (h: History) => {
      let m: Float32Array = new Float32Array(d);
      for (const i of h.items) for (let f = 0; f < d; f++) m[f] += inputs[i * d + f] / Math.max(1, h.items.length);
      if (u1 && u1b && u2 && u2b) m = affine(affine(m, u1, u1b, true), u2, u2b, false);
      return m;
    },
  };
}

/** x·W + b (ReLU when asked), W stored [in, out] row-major as the network has it. */
function affine(x: Float32Array, w: ShapedArray<Float32Array>, b: ShapedArray<Float32Array>, relu: boolean): Float32Array {
  const [nIn, nOut] = w.shape;
  const y = Float32Array.from(b.data);
  for (let a = 0; a < nIn; a++) {
    const xa = x[a];
    if (xa !== 0) for (let o = 0; o < nOut; o++) y[o] += xa * w.data[a * nOut + o];
  }
  return relu ? y.map((v) => Math.max(0, v)) : y;
}
