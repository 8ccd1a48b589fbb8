import { UserError, log, shaped, type EmbeddingModel, type History, type ItemFeatures, type ModelState, type ShapedArray, type TrainSet } from "@mle/core";
import { tf } from "../engine/backend.ts";
import { runEpochs } from "../engine/epochs.ts";
import { AdamW, Params, dense, take } from "../engine/nn/index.ts";
import type { FitContext, Trained } from "../family.ts";
import { contentMatrix, itemRatings, standardised } from "../features.ts";
import { choleskySolve, gramian } from "../kernels/linalg/small-solve.ts";
import type { ContentAeConfig } from "./config.ts";

/**
 * The content autoencoder of write-up 002, made to work for any user: each movie's content — genres, year,
 * its mean training rating, the most-applied tags as TF-IDF, the tag genome where the release has one —
 * standardised, through an MLP f → hidden (ReLU) → latent → hidden (ReLU) → f with squared error; the
 * latent code (L2-normalised) is the movie's vector, so items with few or no ratings still get one from
 * their content. A user's vector is closed-form, so any history folds in (`userWeighting`): by default the
 * ridge regression of the user's row on the codes (`regressionUsers`), or a weighted sum of the rated
 * movies' codes; compared by cosine.
 */
export async function fitContentAe(train: TrainSet, c: ContentAeConfig, { rng, training: o }: FitContext): Promise<Trained<ModelState>> {
  if (!train.itemFeatures) throw new UserError("the content autoencoder needs the release's item content (genres, year, tags), and this train set has none");
  const { mean, count } = itemRatings(train);
  const { values: X, width: F, names } = standardised(contentMatrix(train.itemFeatures, mean, { genres: true, year: true, tags: c.tags > 0 ? { top: c.tags } : undefined, genome: c.genome }, c.popularity ? count : undefined));
  const I = train.nItems;
  const p = new Params(rng.fork("init"));
  const layer = (name: string, a: number, b: number) => (p.add(name, [a, b], { kind: "glorot" }), p.add(`${name}b`, [b], { kind: "zeros" }));
  layer("e1", F, c.hidden), layer("e2", c.hidden, c.latent), layer("d1", c.latent, c.hidden), layer("d2", c.hidden, F);
  const opt = new AdamW({ learningRate: o.learningRate });
  const shuffle = rng.fork("batches");
  const batchSize = o.batchSize ?? 256;
  const g = (k: string) => p.get(k) as tf.Tensor2D;
  const b1 = (k: string) => p.get(k) as tf.Tensor1D;
  const stateOf = (): ModelState => ({ itemCodes: shaped(encodeAll(X, I, F, g, b1, c.latent), I, c.latent), userWeighting: c.userWeighting, unobservedWeight: c.unobservedWeight, userL2: c.userL2, features: names.length });
  try {
    const { epochsRun, lastLoss } = await runEpochs({
      label: `content AE ${F}-${c.hidden}-${c.latent}`, epochs: o.epochs, monitor: o.monitor, current: () => contentModel(stateOf()),
      weights: { snapshot: () => p.snapshot(), restore: (s) => p.restore(s) },
      unit: "items",
      runEpoch: (_epoch, progress) => {
        const order = shuffle.permutation(I);
        let sum = 0;
        let n = 0;
        for (let a = 0; a < I; a += batchSize) {
          const rows = order.subarray(a, a + batchSize);
          const x = new Float32Array(rows.length * F);
          rows.forEach((r, k) => x.set(X.subarray(r * F, (r + 1) * F), k * F));
          sum += opt.step(() => tf.tidy(() => {
            const xt = tf.tensor2d(x, [rows.length, F]);
            const z = dense(tf.relu(dense(xt, g("e1"), b1("e1b"))), g("e2"), b1("e2b"));
            const y = dense(tf.relu(dense(z, g("d1"), b1("d1b"))), g("d2"), b1("d2b"));
            return tf.mean(tf.square(tf.sub(y, xt))) as tf.Scalar;
          }), p);
          n++;
          progress(a + rows.length, I);
        }
        return sum / Math.max(1, n);
      },
    });
    log(`content AE: ${epochsRun} epochs on ${I} items × ${F} features (${names.slice(0, 3).join(", ")}${names.length > 3 ? ", …" : ""}), reconstruction MSE ${lastLoss.toFixed(4)} (standardised units)`);
  } finally {
    opt.dispose();
  }
  const state = stateOf();
  p.dispose();
  return { model: contentModel(state), state };
}

function encodeAll(X: Float32Array, I: number, F: number, g: (k: string) => tf.Tensor2D, b1: (k: string) => tf.Tensor1D, L: number): Float32Array {
  const out = new Float32Array(I * L);
  for (let a = 0; a < I; a += 4096) {
    const n = Math.min(4096, I - a);
    out.set(take(() => dense(tf.relu(dense(tf.tensor2d(X.subarray(a * F, (a + n) * F), [n, F]), g("e1"), b1("e1b"))), g("e2"), b1("e2b"))), a * L);
  }
  return out;
}

/** Items: their L2-normalised codes (compared by cosine); users: by `userWeighting` (see `regressionUsers`). */
export function contentModel(s: ModelState): EmbeddingModel {
  const codes = s.itemCodes as ShapedArray<Float32Array>;
  const [nItems, L] = codes.shape;
  const unit = new Float32Array(codes.data.length);
  for (let i = 0; i < nItems; i++) {
    let n = 0;
    for (let f = 0; f < L; f++) n += codes.data[i * L + f] ** 2;
    const k = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let f = 0; f < L; f++) unit[i * L + f] = codes.data[i * L + f] * k;
  }
  const weighting = s.userWeighting as ContentAeConfig["userWeighting"];
  if (weighting === "regression") return regressionUsers(unit, nItems, L, s.unobservedWeight as number, s.userL2 as number);
  const userVector = (h: History): Float32Array => {
    let mean = 0;
    for (let k = 0; k < h.ratings.length; k++) mean += h.ratings[k];
    mean /= Math.max(1, h.ratings.length);
    const centred = weighting === "centered" && h.ratings.some((r) => r !== mean);
    const v = new Float32Array(L);
    for (let k = 0; k < h.items.length; k++) {
      const w = weighting === "uniform" || (weighting === "centered" && !centred) ? 1 : centred ? h.ratings[k] - mean : h.ratings[k];
      for (let f = 0; f < L; f++) v[f] += w * unit[h.items[k] * L + f];
    }
    return v;
  };
  return { name: `content-ae(${L})`, dim: L, nItems, similarity: "cosine", itemVectors: unit, userVector };
}

/**
 * Users by regression on the item codes (closed form, any history): the vector u that best predicts the
 * user's row — 1 on the history's items, 0 with weight α0 on every item — by ridge least squares,
 * u = (α0·ZᵀZ + Σ_H z zᵀ + λI)⁻¹ Σ_H z: iALS's user solve with the items fixed to their content codes. Unlike
 * an average of codes it learns which content directions set this user apart from what everyone watches.
 */
function regressionUsers(unit: Float32Array, nItems: number, L: number, alpha0: number, l2: number): EmbeddingModel {
  // α0·ZᵀZ + λI is the same for every user: built once, copied per fold-in.
  const base = gramian(unit, nItems, L).map((x) => alpha0 * x);
  for (let f = 0; f < L; f++) base[f * L + f] += l2;
  const userVector = (h: History): Float32Array => {
    const a = base.slice();
    const b = new Float64Array(L);
    for (const i of h.items) {
      const o = i * L;
      for (let f = 0; f < L; f++) {
        b[f] += unit[o + f];
        for (let e = 0; e < L; e++) a[f * L + e] += unit[o + f] * unit[o + e];
      }
    }
    choleskySolve(a, b, L);
    return Float32Array.from(b);
  };
  return { name: `content-ae(${L}, regression users)`, dim: L, nItems, similarity: "cosine", itemVectors: unit, userVector };
}

export type { ItemFeatures };
