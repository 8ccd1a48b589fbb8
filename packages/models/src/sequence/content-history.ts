import { UserError, itemFeatureMatrix, log, shaped, userLists, type EmbeddingModel, type History, type ModelState, type ShapedArray, type TrainSet } from "@mle/core";
import { runEpochs } from "../engine/epochs.ts";
import { AdamW, Params, chunkedSoftmaxCrossEntropy, dense, take, tf } from "../engine/nn/index.ts";
import type { FitContext, Trained } from "../family.ts";
import { contentMatrix, itemRatings, standardised } from "../features.ts";
import type { ContentHistoryConfig } from "./config.ts";
import { encodeTokens, initBlocks, timeOrder } from "./encoder.ts";

/** A rating as the token's extra input: (r − 3)/2, so 1..5 stars span −1..1. */
const ratingInput = (r: number) => (r - 3) / 2;

/**
 * Tokens [B, L, d] of left-padded histories: each movie's projected content plus its rating times a learned vector;
 * `keep` [B, L, 1]. `V` [I, d] is the items' projected content, `ids` −1 where padded.
 */
function tokens(p: Params, V: tf.Tensor2D, ids: Int32Array, ratings: Float32Array, B: number, L: number): { x: tf.Tensor3D; keep: tf.Tensor3D } {
  const keepValues = Float32Array.from(ids, (i) => (i >= 0 ? 1 : 0));
  const keep = tf.tensor3d(keepValues, [B, L, 1]);
  const rows = tf.gather(V, tf.tensor1d(Int32Array.from(ids, (i) => Math.max(0, i)), "int32"));
  const r = tf.mul(tf.tensor2d(ratings, [B * L, 1]), p.get("rating"));
  return { x: tf.reshape(tf.add(rows, r), [B, L, V.shape[1]]) as tf.Tensor3D, keep };
}

/** The encoder's mean output over a history's real tokens: the user vector [B, d]. */
function pooled(p: Params, c: ContentHistoryConfig, t: { x: tf.Tensor3D; keep: tf.Tensor3D }, rng: Parameters<typeof encodeTokens>[4]): tf.Tensor2D {
  const h = encodeTokens(p, c, t.x, t.keep, rng, false);
  return tf.div(tf.sum(tf.mul(h, t.keep), 1), tf.maximum(tf.sum(t.keep, 1), 1)) as tf.Tensor2D;
}

/** The last L items of a history (as ordered), as ids and rating inputs, −1 / 0 where padded. */
function packHistory(items: ArrayLike<number>, ratings: ArrayLike<number>, L: number, ids: Int32Array, rs: Float32Array, at: number): void {
  const n = Math.min(L, items.length);
  ids.fill(-1, at, at + L), rs.fill(0, at, at + L);
  for (let k = 0; k < n; k++) (ids[at + L - n + k] = items[items.length - n + k]), (rs[at + L - n + k] = ratingInput(ratings[items.length - n + k]));
}

/**
 * The content history encoder (write-ups 001 and 003), trained per epoch on one example per user: a movie held out
 * of the user's history (`softmax`: drawn at random, scored against every movie's projected content; `cosine`:
 * the user's highest-rated, most recent on ties — write-up 001's target — and 1 − cos with its vector), the rest
 * (the last L) as input. No embedding is per movie id, so new movies and new users are served alike.
 */
export async function fitContentHistory(train: TrainSet, c: ContentHistoryConfig, { rng, training: o }: FitContext): Promise<Trained<ModelState>> {
  if (!train.itemFeatures) throw new UserError("the content history encoder needs the release's item content (genres, year, tags), and this train set has none");
  const views = { genres: true, year: true, tags: c.tags > 0 ? { top: c.tags } : undefined, genome: c.genome };
  const { mean, count } = itemRatings(train);
  // With `popularity`, each movie's mean training rating and log training count join its content (as in the content
  // autoencoder): a softmax over the catalogue cannot prefer watched movies from genres alone.
  const X = standardised(c.popularity ? contentMatrix(train.itemFeatures, mean, views, count) : itemFeatureMatrix(train.itemFeatures, views));
  const I = train.nItems;
  const L = c.maxLength;
  const d = c.factors;
  const lists = userLists(train, "time");
  const users = Array.from({ length: train.nUsers }, (_, u) => u).filter((u) => lists.offsets[u + 1] - lists.offsets[u] >= 2);
  const p = new Params(rng.fork("init"));
  p.add("proj", [X.width, d], { kind: "glorot" }), p.add("projb", [d], { kind: "zeros" }), p.add("rating", [1, d], { kind: "normal", std: 0.1 });
  initBlocks(p, c);
  const xt = tf.tensor2d(X.values, [I, X.width]);
  const project = () => dense(xt, p.get("proj") as tf.Tensor2D, p.get("projb") as tf.Tensor1D) as tf.Tensor2D;
  const opt = new AdamW({ learningRate: o.learningRate });
  const shuffle = rng.fork("batches");
  const draw = rng.fork("targets");
  const drop = rng.fork("dropout");
  const B = o.batchSize ?? 128;
  const zeroBias = tf.zeros([I]) as tf.Tensor1D;
  const stateOf = (): ModelState => ({ ...p.toState(), itemVectors: shaped(take(project), I, d) });
  try {
    const { epochsRun, lastLoss } = await runEpochs({
      label: `content history encoder (${c.objective}) d=${d}`, epochs: o.epochs, monitor: o.monitor, current: () => contentHistoryEncoder(p, take(project), I, c),
      weights: { snapshot: () => p.snapshot(), restore: (s) => p.restore(s) },
      unit: "users",
      runEpoch: (_epoch, progress) => {
        const order = shuffle.permutation(users.length);
        let sum = 0;
        for (let s = 0; s < order.length; s += B) {
          const batch = Array.from(order.subarray(s, s + B), (k) => users[k]);
          const m = batch.length;
          const ids = new Int32Array(m * L);
          const rs = new Float32Array(m * L);
          const target = new Int32Array(m);
          batch.forEach((u, k) => {
            const a = lists.offsets[u];
            const n = lists.offsets[u + 1] - a;
            let t = draw.int(n);
            if (c.objective === "cosine") for (let j = 0; j < n; j++) if (lists.ratings[a + j] >= lists.ratings[a + t]) t = j;
            target[k] = lists.items[a + t];
            const items = [...lists.items.subarray(a, a + n)].filter((_, j) => j !== t);
            const ratings = [...lists.ratings.subarray(a, a + n)].filter((_, j) => j !== t);
            packHistory(items, ratings, L, ids, rs, k * L);
          });
          sum += m * opt.step(() => tf.tidy(() => {
            const V = project();
            const u = pooled(p, c, tokens(p, V, ids, rs, m, L), drop);
            if (c.objective === "softmax") return tf.div(chunkedSoftmaxCrossEntropy(u, V, zeroBias, target), m) as tf.Scalar;
            const v = tf.gather(V, tf.tensor1d(target, "int32"));
            const cos = tf.div(tf.sum(tf.mul(u, v), 1), tf.add(tf.mul(tf.norm(u, 2, 1), tf.norm(v, 2, 1)), 1e-8));
            return tf.mean(tf.sub(1, cos)) as tf.Scalar;
          }), p);
          progress(s + m, order.length);
        }
        return sum / Math.max(1, users.length);
      },
    });
    log(`content history encoder: ${epochsRun} epochs, ${c.objective} objective, ${X.width} content features, d = ${d}; last epoch's loss ${lastLoss.toFixed(4)}`);
    const state = stateOf();
    return { model: contentHistoryModel(state, c), state };
  } finally {
    opt.dispose();
    zeroBias.dispose();
    xt.dispose();
    p.dispose();
  }
}

/**
 * Items: their projected content (`itemVectors`); a user: the encoder pooled over the last L movies they rated (in
 * time order when the history has timestamps), with their ratings — any history, no retraining. Dot product for the
 * softmax objective, cosine for write-up 001's.
 */
export function contentHistoryModel(s: ModelState, c: ContentHistoryConfig): EmbeddingModel {
  const items = s.itemVectors as ShapedArray<Float32Array>;
  return contentHistoryEncoder(Params.fromState(s), items.data, items.shape[0], c);
}

/** The model over live weights `p` and item vectors (training's per-epoch view shares `p`; nothing is copied). */
function contentHistoryEncoder(p: Params, items: Float32Array, nItems: number, c: ContentHistoryConfig): EmbeddingModel {
  const d = c.factors;
  const L = c.maxLength;
  const userVectors = (hs: History[]): Float32Array[] => {
    const out: Float32Array[] = [];
    for (let a = 0; a < hs.length; a += 256) {
      const block = hs.slice(a, a + 256);
      const ids = new Int32Array(block.length * L);
      const rs = new Float32Array(block.length * L);
      block.forEach((h, k) => {
        const order = timeOrder(h);
        if (!order) return packHistory(h.items, h.ratings, L, ids, rs, k * L);
        packHistory(order.map((j) => h.items[j]), order.map((j) => h.ratings[j]), L, ids, rs, k * L);
      });
      // The item table is uploaded inside the scope, so a model holds no tensor between calls.
      const u = take(() => pooled(p, c, tokens(p, tf.tensor2d(items, [nItems, d]), ids, rs, block.length, L), null));
      block.forEach((_, k) => out.push(u.slice(k * d, (k + 1) * d)));
    }
    return out;
  };
  return {
    name: `content-history(${c.objective}, d=${d})`, dim: d, nItems, similarity: c.objective === "cosine" ? "cosine" : "dot", itemVectors: items,
    userVector: (h) => userVectors([h])[0], userVectors,
  };
}
