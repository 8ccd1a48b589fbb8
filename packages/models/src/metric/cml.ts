import { log, shaped, userLists, type EmbeddingModel, type History, type ShapedArray, type TrainSet } from "@mle/core";
import { tf } from "../engine/backend.ts";
import { EmbeddingTable } from "../engine/embedding-table.ts";
import { runEpochs, shuffledBatches } from "../engine/epochs.ts";
import type { FitContext, Trained } from "../family.ts";
import { listFinder, sortedLists } from "../kernels/lists.ts";
import { cmlFoldIn } from "./cml-fold-in.ts";
import { cmlGradient, grads, sampler } from "./cml-hinge.ts";
import { FeatureProjection } from "./cml-features.ts";
import type { CmlConfig } from "./config.ts";
import { clipRow, euclideanItems, euclideanUser } from "./euclidean.ts";

/**
 * Trained user and item vectors (raw, in the metric space), the training users' sorted lists (a training
 * user's own history returns their vector) and what the fold-in of any other history needs.
 */
export type CmlState = {
  itemFactors: ShapedArray<Float32Array>;
  userFactors: ShapedArray<Float32Array>;
  userOffsets: ShapedArray<Uint32Array>;
  userItems: ShapedArray<Int32Array>;
  seed: number;
  stream: string;
  margin: number;
  negatives: number;
  clipNorm: number;
  rankWeight: boolean;
  foldInEpochs: number;
  foldInLearningRate: number;
  /** Absent in models saved before the option existed: those fold in by plain SGD, as they did. */
  foldInOptimizer?: "sgd" | "adagrad";
};

/**
 * CML (Hsieh et al. 2017), batched like the reference implementation: per batch of training pairs the hinge
 * gradients and λ_c·∂Σ_{a≠b}C_ab² (C: covariance of the batch's user and item vectors) are summed per row, one
 * optimizer step updates the touched rows, and each is clipped back into the unit ball.
 */
export async function fitCml(train: TrainSet, c: CmlConfig, { rng, training: o }: FitContext): Promise<Trained<CmlState>> {
  const d = c.factors;
  const lists = sortedLists(userLists(train));
  const init = rng.fork("init");
  const std = c.initStd ?? 1 / Math.sqrt(d);
  const P = Float32Array.from({ length: train.nUsers * d }, () => init.normal() * std);
  const V = Float32Array.from({ length: train.nItems * d }, () => init.normal() * std);
  for (let u = 0; u < train.nUsers; u++) clipRow(P, u, d, c.clipNorm);
  for (let i = 0; i < train.nItems; i++) clipRow(V, i, d, c.clipNorm);
  const optimizer = { kind: o.optimizer ?? "adagrad", learningRate: o.learningRate } as const;
  const users = new EmbeddingTable(train.nUsers, d, optimizer, P);
  const items = new EmbeddingTable(train.nItems, d, optimizer, V);
  const state = (): CmlState => ({
    itemFactors: shaped(V, train.nItems, d), userFactors: shaped(P, train.nUsers, d),
    userOffsets: shaped(lists.offsets, lists.offsets.length), userItems: shaped(lists.items, lists.items.length),
    seed: rng.seed, stream: rng.stream, margin: c.margin, negatives: c.negatives, clipNorm: c.clipNorm, rankWeight: c.rankWeight,
    foldInEpochs: c.foldInEpochs, foldInLearningRate: c.foldInLearningRate ?? o.learningRate, foldInOptimizer: c.foldInOptimizer,
  });
  const shuffle = rng.fork("batches");
  const sampling = rng.fork("negatives");
  const g = grads(d);
  const order = new Uint32Array(train.user.length);
  const touched = { users: [] as number[], items: [] as number[], markU: new Uint8Array(train.nUsers), markI: new Uint8Array(train.nItems) };
  const clipU = (r: number) => clipRow(P, r, d, c.clipNorm);
  const clipI = (r: number) => clipRow(V, r, d, c.clipNorm);
  const touch = (list: number[], mark: Uint8Array, r: number) => mark[r] || (list.push(r), (mark[r] = 1));
  const features = c.features ? new FeatureProjection(train, c.features, d, rng.fork("features"), 1e-3) : null;
  try {
    const { epochsRun } = await runEpochs({
      label: `CML d=${d}`, epochs: o.epochs, monitor: o.monitor, current: () => cmlModel(state()), weights: [P, V],
      unit: "pairs",
      runEpoch: (_epoch, progress) => {
        let loss = 0;
        shuffledBatches(o.batchSize ?? 1000, shuffle, order, (r) => {
          const u = train.user[r];
          const i = train.item[r];
          const l = cmlGradient(P, u * d, V, i, d, c, sampler(sampling, lists, u, train.nItems), g);
          if (l === 0) return;
          loss += l;
          users.accumulate(u, g.u), items.accumulate(i, g.i), items.accumulate(g.impostor, g.j);
          touch(touched.users, touched.markU, u), touch(touched.items, touched.markI, i), touch(touched.items, touched.markI, g.impostor);
        }, () => {
          if (c.covariance > 0) loss += covarianceStep(P, V, touched.users, touched.items, d, c.covariance, users, items);
          if (features) loss += features.step(touched.items, V, d, items);
          for (const r of touched.users) touched.markU[r] = 0;
          for (const r of touched.items) touched.markI[r] = 0;
          touched.users.length = 0;
          touched.items.length = 0;
          users.step(clipU), items.step(clipI);
        }, progress);
        return loss / order.length;
      },
    });
    log(`CML: ${epochsRun} epochs, d = ${d}, margin ${c.margin}, U = ${c.negatives}, λ_c = ${c.covariance}${c.features ? `, feature loss λ_f = ${c.features.weight}` : ""}, ${optimizer.kind} lr = ${o.learningRate}`);
    if (features) {
      // Items no training pair touched have only their random start: their content's projection is a better place.
      const seen = new Uint8Array(train.nItems);
      for (const i of train.item) seen[i] = 1;
      const cold = Array.from({ length: train.nItems }, (_, i) => i).filter((i) => !seen[i]);
      const f = features.project(cold, d);
      cold.forEach((i, k) => (V.set(f.subarray(k * d, (k + 1) * d), i * d), clipRow(V, i, d, c.clipNorm)));
      if (cold.length) log(`CML: ${cold.length} items with no training interaction placed at their content's projection`);
    }
    return { model: cmlModel(state()), state: state() };
  } finally {
    features?.dispose();
  }
}

/**
 * λ·Σ_{a≠b} C_ab² for C the covariance of the rows given (users, then items): its gradient, (4λ/N)·Y_c·C_off,
 * goes into the tables (two matrix products on the engine); returns the loss.
 */
function covarianceStep(P: Float32Array, V: Float32Array, us: number[], is: number[], d: number, lambda: number, users: EmbeddingTable, items: EmbeddingTable): number {
  const n = us.length + is.length;
  if (n < 2) return 0;
  const y = new Float32Array(n * d);
  us.forEach((u, k) => y.set(P.subarray(u * d, (u + 1) * d), k * d));
  is.forEach((i, k) => y.set(V.subarray(i * d, (i + 1) * d), (us.length + k) * d));
  const [grad, loss] = tf.tidy(() => {
    const yt = tf.tensor2d(y, [n, d]);
    const yc = tf.sub(yt, tf.mean(yt, 0));
    const cov = tf.div(tf.matMul(yc, yc, true, false), n);
    const off = tf.mul(cov, tf.sub(1, tf.eye(d)));
    return [tf.mul(tf.matMul(yc, off), (4 * lambda) / n), tf.mul(tf.sum(tf.square(off)), lambda)];
  });
  const gv = grad.dataSync() as Float32Array;
  const lv = loss.dataSync()[0];
  tf.dispose([grad, loss]);
  us.forEach((u, k) => users.accumulate(u, gv, k * d));
  is.forEach((i, k) => items.accumulate(i, gv, (us.length + k) * d));
  return lv;
}

/**
 * The model: items [v, −‖v‖²/2], users [u, 1] (Euclidean ranking as a dot product). A history identical to a
 * training user's gets that user's vector; any other folds in by the same hinge on u alone (cml-fold-in.ts).
 */
export function cmlModel(s: CmlState): EmbeddingModel {
  const V = s.itemFactors.data;
  const [nItems, d] = s.itemFactors.shape;
  const P = s.userFactors.data;
  const known = listFinder({ offsets: s.userOffsets.data, items: s.userItems.data });
  const foldIn = cmlFoldIn(V, d, {
    margin: s.margin, negatives: s.negatives, rankWeight: s.rankWeight, clipNorm: s.clipNorm, epochs: s.foldInEpochs,
    learningRate: s.foldInLearningRate, optimizer: s.foldInOptimizer ?? "sgd",
  }, s.seed, s.stream);
  return {
    name: `cml(d=${d})`, dim: d + 1, nItems, similarity: "dot", itemVectors: euclideanItems(V, nItems, d),
    userVector: (h: History) => {
      const sorted = Int32Array.from(h.items).sort();
      const u = known(sorted);
      return euclideanUser(u >= 0 ? P.subarray(u * d, (u + 1) * d) : foldIn(sorted), d);
    },
  };
}
