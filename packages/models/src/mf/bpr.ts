import { Rng, log, type EmbeddingModel, type History } from "@mle/core";
import { EmbeddingTable } from "../engine/embedding-table.ts";
import type { TrainingOptions } from "../engine/training.ts";
import { byUser, historyKey, type TrainSet } from "../train-set.ts";
import type { MfConfig } from "./config.ts";
import type { CsrLists } from "./ials-solve.ts";
import { bprGradient, negative, scratch } from "./sgd-examples.ts";
import { initMfTables, trainSgd } from "./sgd-train.ts";

/**
 * BPR (Rendle et al. 2009): for a user's positive i and a uniformly sampled negative j (seeded),
 * ascend ln σ(x_uij) with x_uij = p_u·(q_i − q_j) + b_i − b_j, L2 on every touched row — the
 * update Cornac's BPR makes (batch 1, SGD); other optimizers and batch sizes through the embedding
 * tables. Item vectors fold the bias in as a last dimension ([q_i, b_i] · [p_u, 1]).
 * Fold-in runs the same SGD on p alone with the items fixed, seeded by the history.
 */
export async function fitBpr(train: TrainSet, c: MfConfig, o: TrainingOptions, rng: Rng): Promise<EmbeddingModel> {
  const d = c.factors;
  const users = sortedLists(byUser(train), train.nUsers);
  const { tables, optimizer } = initMfTables(train, c, o, rng, false);
  const data = { user: train.user, item: train.item, rating: train.rating, lists: users, nItems: train.nItems, mu: 0 };
  const model = () => bprModel(tables.V.weights, d, c, o, rng, { P: tables.P.weights, lists: users });
  const epochsRun = await trainSgd({ kind: "bpr", label: `BPR d=${d}`, tables, optimizer, data, o, rng, current: model });
  log(`BPR: ${epochsRun} epochs, d = ${d}, ${optimizer.kind} lr = ${o.learningRate}, λ = ${c.l2}`);
  return model();
}

/**
 * The model over item vectors V. A history identical to a training user's gets that user's trained
 * vector (training is that history's fold-in, run to the end; it is also what Cornac and implicit
 * score with); any other history folds in by SGD on p alone (`o.epochs` passes over it).
 */
function bprModel(V: Float32Array, d: number, c: MfConfig, o: TrainingOptions, rng: Rng, trained: { P: Float32Array; lists: CsrLists }): EmbeddingModel {
  const D = d + 1;
  const nItems = V.length / D;
  const g = scratch(d);
  const known = trainedUsers(trained.lists);
  return {
    name: `bpr(d=${d})`, dim: D, nItems, similarity: "dot", itemVectors: V,
    userVector: (h: History) => {
      const sorted = Int32Array.from(h.items).sort();
      const u = known(sorted);
      if (u >= 0) {
        const out = new Float32Array(D);
        out.set(trained.P.subarray(u * d, (u + 1) * d));
        out[d] = 1;
        return out;
      }
      const r = rng.fork(`fold-in/${historyKey(h.items)}`);
      const p = new EmbeddingTable(1, d, { kind: "sgd", learningRate: o.learningRate, l2: c.l2 }, Float32Array.from({ length: d }, () => r.normal() * c.initStd));
      const hist = { offsets: Uint32Array.of(0, h.items.length), items: sorted };
      if (h.items.length > 0 && h.items.length < nItems) {
        for (let e = 0; e < o.epochs; e++) {
          for (let k = 0; k < h.items.length; k++) {
            bprGradient(p.weights, 0, V, h.items[r.int(h.items.length)], negative(r, hist, 0, nItems), d, g);
            p.applyRow(0, g.p);
          }
        }
      }
      const out = new Float32Array(D);
      out.set(p.weights);
      out[d] = 1;
      return out;
    },
  };
}

/** Each user's item list sorted ascending (for `negative`). */
function sortedLists(lists: { offsets: Uint32Array; items: Int32Array }, n: number): { offsets: Uint32Array; items: Int32Array } {
  const items = lists.items.slice();
  for (let u = 0; u < n; u++) items.subarray(lists.offsets[u], lists.offsets[u + 1]).sort();
  return { offsets: lists.offsets, items };
}

/** Finds the training user whose sorted item list equals a sorted history (−1 if none). */
function trainedUsers(lists: CsrLists): (sorted: Int32Array) => number {
  const byKey = new Map<number, number[]>();
  for (let u = 0; u + 1 < lists.offsets.length; u++) {
    const key = historyKey(lists.items.subarray(lists.offsets[u], lists.offsets[u + 1]));
    byKey.set(key, [...(byKey.get(key) ?? []), u]);
  }
  return (sorted) => {
    for (const u of byKey.get(historyKey(sorted)) ?? []) {
      const a = lists.offsets[u];
      if (lists.offsets[u + 1] - a === sorted.length && sorted.every((i, k) => lists.items[a + k] === i)) return u;
    }
    return -1;
  };
}
