import { itemLists, log, shaped, userLists, type EmbeddingModel, type History, type ModelState, type ShapedArray, type TrainSet } from "@mle/core";
import { tf } from "../engine/backend.ts";
import { runEpochs } from "../engine/epochs.ts";
import { AdamW, Params, dense, take } from "../engine/nn/index.ts";
import type { FitContext, Trained } from "../family.ts";
import { choleskySolve } from "../kernels/linalg/small-solve.ts";
import { listFinder, sortedLists } from "../kernels/lists.ts";
import type { AutoRecConfig } from "./config.ts";

/**
 * AutoRec (Sedhain et al. 2015). I-AutoRec encodes each item's ratings over the training users,
 * h_i = σ(r_i V + μ), and decodes them, r̂_i = h_i W + b; U-AutoRec does the same with each user's ratings
 * over the items. Masked squared error on the observed ratings plus λ/2(‖V‖² + ‖W‖²), Adam in batches.
 *
 * In the embedding contract a predicted rating is a dot product. I-AutoRec: an item is [h_i, 1], a training
 * user [W_u, b_u] (their decoder column); a history never trained on folds in by ridge regression of its
 * ratings on the items' codes (λ `foldInL2` per rating). U-AutoRec: a user is [h(r_u), 1] — the encoder on
 * any history — and an item [W_i, b_i]. Rankings are by predicted rating; ratings are clipped to the
 * training range.
 */
export async function fitAutoRec(train: TrainSet, c: AutoRecConfig, { rng, training: o }: FitContext): Promise<Trained<ModelState>> {
  const byItem = c.orientation === "item";
  const rowsOf = byItem ? itemLists(train) : userLists(train);
  const [nRows, nCols] = byItem ? [train.nItems, train.nUsers] : [train.nUsers, train.nItems];
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of train.rating) (lo = Math.min(lo, r)), (hi = Math.max(hi, r));
  const p = new Params(rng.fork("init"));
  let sum = 0;
  for (const r of train.rating) sum += r;
  const mean = sum / Math.max(1, train.rating.length);
  const shift = c.centre ? mean : 0;
  // Weights uniform in ±1/√fan-in, as PyTorch's nn.Linear: on ML-100k's folds (λ 100, lr 1e-3, 28 epochs) RMSE 0.9132
  // where Glorot on the decoder and V scaled to unit pre-activations gave 0.9214 (`pnpm bench autorec`).
  p.add("V", [nCols, c.hidden], { kind: "uniform", scale: 1 / Math.sqrt(nCols) });
  p.add("mu", [c.hidden], { kind: "zeros" });
  p.add("W", [c.hidden, nCols], { kind: "uniform", scale: 1 / Math.sqrt(c.hidden) });
  p.add("b", [nCols], { kind: "zeros" });
  const opt = new AdamW({ learningRate: o.learningRate });
  const shuffle = rng.fork("batches");
  const batchSize = o.batchSize ?? 256;
  // The encoder reads the ratings as they are, 0 where unobserved (the paper's input; with `centre` minus the
  // training mean, so an unobserved entry reads as "average"); the decoder reconstructs them in their scale.
  const batch = (rows: Uint32Array) => {
    const x = new Float32Array(rows.length * nCols);
    const r = new Float32Array(rows.length * nCols);
    const m = new Float32Array(rows.length * nCols);
    rows.forEach((row, k) => {
      for (let j = rowsOf.offsets[row]; j < rowsOf.offsets[row + 1]; j++) {
        const at = k * nCols + rowsOf.items[j];
        (x[at] = rowsOf.ratings[j] - shift), (r[at] = rowsOf.ratings[j]), (m[at] = 1);
      }
    });
    return { x, r, m };
  };
  const nObserved = train.rating.length;
  const step = (rows: Uint32Array) => {
    const { x, r, m } = batch(rows);
    const b = rows.length;
    // The paper's objective over all rows, in proportion for this batch: the error per observed rating here
    // scaled to the whole data set, and λ/2 of the weights' squared norms in the batch's share of rows.
    return opt.step(() => tf.tidy(() => {
      const R = tf.tensor2d(r, [b, nCols]);
      const out = dense(tf.sigmoid(dense(tf.tensor2d(x, [b, nCols]), p.get("V") as tf.Tensor2D, p.get("mu") as tf.Tensor1D)), p.get("W") as tf.Tensor2D, p.get("b") as tf.Tensor1D);
      const err = tf.sum(tf.mul(tf.square(tf.sub(out, R)), tf.tensor2d(m, [b, nCols])));
      const reg = tf.mul((c.l2 / 2) * (b / nRows), tf.add(tf.sum(tf.square(p.get("V"))), tf.sum(tf.square(p.get("W")))));
      return tf.div(tf.add(err, reg), nObserved / nRows * b) as tf.Scalar;
    }), p);
  };
  const trainedRows = Uint32Array.from({ length: nRows }, (_, k) => k).filter((k) => rowsOf.offsets[k + 1] > rowsOf.offsets[k]);
  const lists = byItem ? sortedLists(userLists(train)) : null; // I-AutoRec recognises training users by their item lists
  const stateOf = (): ModelState => ({
    ...p.toState(), orientation: c.orientation, ratingMin: lo, ratingMax: hi, inputShift: shift, foldInL2: c.foldInL2,
    ...(byItem ? { itemCodes: shaped(codes(p, batch, nRows, nCols, c.hidden), nRows, c.hidden), userOffsets: shaped(lists!.offsets, lists!.offsets.length), userItems: shaped(lists!.items, lists!.items.length) } : {}),
  });
  try {
    const { epochsRun } = await runEpochs({
      label: `${byItem ? "I" : "U"}-AutoRec ${c.hidden}`, epochs: o.epochs, monitor: o.monitor, current: () => autoRecModel(stateOf()),
      weights: { snapshot: () => p.snapshot(), restore: (s) => p.restore(s) },
      unit: "rows",
      runEpoch: (_epoch, progress) => {
        const order = shuffle.shuffle(trainedRows.slice());
        let sum = 0;
        let n = 0;
        for (let a = 0; a < order.length; a += batchSize) (sum += step(order.subarray(a, a + batchSize))), n++, progress(Math.min(a + batchSize, order.length), order.length);
        return sum / Math.max(1, n);
      },
    });
    log(`${byItem ? "I" : "U"}-AutoRec: ${epochsRun} epochs, ${c.hidden} hidden units, λ ${c.l2}, lr ${o.learningRate}`);
  } finally {
    opt.dispose();
  }
  const state = stateOf();
  p.dispose();
  return { model: autoRecModel(state), state };
}

/** Every row's code h = σ(r V + μ) (I-AutoRec: the items'). */
function codes(p: Params, batch: (rows: Uint32Array) => { x: Float32Array }, nRows: number, nCols: number, H: number): Float32Array {
  const out = new Float32Array(nRows * H);
  for (let a = 0; a < nRows; a += 512) {
    const rows = Uint32Array.from({ length: Math.min(512, nRows - a) }, (_, k) => a + k);
    const { x } = batch(rows);
    out.set(take(() => tf.sigmoid(dense(tf.tensor2d(x, [rows.length, nCols]), p.get("V") as tf.Tensor2D, p.get("mu") as tf.Tensor1D))), a * H);
  }
  return out;
}

export function autoRecModel(s: ModelState): EmbeddingModel {
  const arr = (k: string) => s[`param/${k}`] as ShapedArray<Float32Array>;
  const [min, max, lambda, shift] = [s.ratingMin as number, s.ratingMax as number, s.foldInL2 as number, s.inputShift as number];
  const W = arr("W").data; // [H, nCols]
  const bias = arr("b").data;
  const [H, nCols] = arr("W").shape;
  const D = H + 1;
  const clip = (v: number) => Math.min(max, Math.max(min, v));
  let nItems: number;
  let itemVectors: Float32Array;
  let userVector: (h: History) => Float32Array;
  if (s.orientation === "item") {
    // Items are codes [h_i, 1]; a training user is their decoder column [W_u, b_u]; another history, a ridge fold-in.
    const codes = (s.itemCodes as ShapedArray<Float32Array>).data;
    nItems = codes.length / H;
    itemVectors = new Float32Array(nItems * D);
    for (let i = 0; i < nItems; i++) (itemVectors.set(codes.subarray(i * H, (i + 1) * H), i * D)), (itemVectors[i * D + H] = 1);
    const known = listFinder({ offsets: (s.userOffsets as ShapedArray<Uint32Array>).data, items: (s.userItems as ShapedArray<Int32Array>).data });
    userVector = (h) => {
      const u = known(Int32Array.from(h.items).sort());
      const v = new Float32Array(D);
      if (u >= 0) {
        for (let f = 0; f < H; f++) v[f] = W[f * nCols + u];
        v[H] = bias[u];
        return v;
      }
      return ridgeFoldIn(itemVectors, D, h, lambda);
    };
  } else {
    nItems = nCols;
    itemVectors = new Float32Array(nItems * D);
    for (let i = 0; i < nItems; i++) {
      for (let f = 0; f < H; f++) itemVectors[i * D + f] = W[f * nCols + i];
      itemVectors[i * D + H] = bias[i];
    }
    const V = arr("V").data; // [nItems, H]
    const mu = arr("mu").data;
    // The encoder on the history's sparse row, in JS: Σ_k r_k V_{i_k} + μ through the sigmoid (float64 sums).
    userVector = (h) => {
      const acc = Float64Array.from(mu);
      for (let k = 0; k < h.items.length; k++) for (let f = 0; f < H; f++) acc[f] += (h.ratings[k] - shift) * V[h.items[k] * H + f];
      const v = new Float32Array(D);
      for (let f = 0; f < H; f++) v[f] = 1 / (1 + Math.exp(-acc[f]));
      v[H] = 1;
      return v;
    };
  }
  return {
    name: `${s.orientation === "item" ? "i" : "u"}-autorec(${H})`, dim: D, nItems, similarity: "dot", itemVectors, userVector,
    predictRatings: (h, items) => {
      const v = userVector(h);
      return Float32Array.from(items, (i) => {
        let x = 0;
        for (let f = 0; f < D; f++) x += v[f] * itemVectors[i * D + f];
        return clip(x);
      });
    },
  };
}

/** argmin over [w, b] of Σ_{i∈H} (r_i − w·h_i − b)² + λ|H|·‖w‖², items' codes fixed. */
export function ridgeFoldIn(itemVectors: Float32Array, D: number, h: History, lambda: number): Float32Array {
  const n = h.items.length;
  const reg = lambda * Math.max(1, n);
  const biasReg = 1e-6; // the bias is not shrunk; a whisker keeps an empty history solvable
  return n < D ? dualRidge(itemVectors, D, h, reg, biasReg) : primalRidge(itemVectors, D, h, reg, biasReg);
}

/** (XᵀX + Λ)⁻¹Xᵀr through the D × D normal equations. */
export function primalRidge(itemVectors: Float32Array, D: number, h: History, reg: number, biasReg: number): Float32Array {
  const n = h.items.length;
  const A = new Float64Array(D * D);
  const y = new Float64Array(D);
  for (let k = 0; k < n; k++) {
    const o = h.items[k] * D;
    for (let a = 0; a < D; a++) {
      y[a] += itemVectors[o + a] * h.ratings[k];
      for (let b = 0; b < D; b++) A[a * D + b] += itemVectors[o + a] * itemVectors[o + b];
    }
  }
  for (let a = 0; a < D - 1; a++) A[a * D + a] += reg;
  A[D * D - 1] += biasReg;
  choleskySolve(A, y, D);
  return Float32Array.from(y);
}

/**
 * The same solve through the n × n system of a short history (n < D): with X the history's item rows and
 * Λ = diag(reg, …, reg, biasReg), (XᵀX + Λ)⁻¹Xᵀr = Λ⁻¹Xᵀ(XΛ⁻¹Xᵀ + I)⁻¹r — n²D work instead of D²n + D³/3
 * (for I-AutoRec's D = 501 and a typical ML-100k history, about 15× less).
 */
export function dualRidge(itemVectors: Float32Array, D: number, h: History, reg: number, biasReg: number): Float32Array {
  const n = h.items.length;
  const scale = (f: number) => (f === D - 1 ? 1 / biasReg : 1 / reg);
  const K = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    const oa = h.items[a] * D;
    for (let b = a; b < n; b++) {
      const ob = h.items[b] * D;
      let s = 0;
      for (let f = 0; f < D - 1; f++) s += itemVectors[oa + f] * itemVectors[ob + f];
      s = s / reg + (itemVectors[oa + D - 1] * itemVectors[ob + D - 1]) / biasReg + (a === b ? 1 : 0);
      K[a * n + b] = s;
      K[b * n + a] = s;
    }
  }
  const alpha = Float64Array.from(h.ratings);
  choleskySolve(K, alpha, n);
  const z = new Float64Array(D);
  for (let k = 0; k < n; k++) {
    const o = h.items[k] * D;
    for (let f = 0; f < D; f++) z[f] += itemVectors[o + f] * alpha[k];
  }
  return Float32Array.from(z, (v, f) => v * scale(f));
}
