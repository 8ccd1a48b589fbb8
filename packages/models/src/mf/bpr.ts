import { Rng, historyKey, log, shaped, userLists, type EmbeddingModel, type History, type ShapedArray, type TrainSet } from "@mle/core";
import { EmbeddingTable } from "../engine/embedding-table.ts";
import type { FitContext, Trained } from "../family.ts";
import { listFinder, sortedLists } from "../kernels/lists.ts";
import { bprGradient, negative, scratch } from "../kernels/sgd-examples.ts";
import type { BprConfig } from "./config.ts";
import { initMfTables, trainSgd } from "./sgd-train.ts";

/**
 * Item vectors [q_i, b_i], the trained users' vectors and sorted item lists (a training user's own history
 * returns their vector), and what the SGD fold-in of any other history needs: its seed and settings.
 */
export type BprState = {
  itemVectors: ShapedArray<Float32Array>;
  userFactors: ShapedArray<Float32Array>;
  userOffsets: ShapedArray<Uint32Array>;
  userItems: ShapedArray<Int32Array>;
  seed: number;
  stream: string;
  foldInEpochs: number;
  learningRate: number;
  l2: number;
  initStd: number;
};

/**
 * BPR (Rendle et al. 2009): for a user's positive i and a uniformly sampled negative j (seeded),
 * ascend ln σ(x_uij) with x_uij = p_u·(q_i − q_j) + b_i − b_j, L2 on every touched row — the
 * update Cornac's BPR makes (batch 1, SGD); other optimizers and batch sizes through the embedding
 * tables. Item vectors fold the bias in as a last dimension ([q_i, b_i] · [p_u, 1]).
 * Fold-in runs the same SGD on p alone with the items fixed, seeded by the history.
 */
export async function fitBpr(train: TrainSet, c: BprConfig, { rng, training: o }: FitContext): Promise<Trained<BprState>> {
  const d = c.factors;
  const users = sortedLists(userLists(train));
  const { tables, optimizer } = initMfTables(train, c, o, rng, false);
  const data = { user: train.user, item: train.item, rating: train.rating, lists: users, nItems: train.nItems, mu: 0 };
  const state = (): BprState => ({
    itemVectors: shaped(tables.V.weights, train.nItems, d + 1), userFactors: shaped(tables.P.weights, train.nUsers, d),
    userOffsets: shaped(users.offsets, users.offsets.length), userItems: shaped(users.items, users.items.length),
    seed: rng.seed, stream: rng.stream, foldInEpochs: o.epochs, learningRate: o.learningRate, l2: c.l2, initStd: c.initStd,
  });
  const epochsRun = await trainSgd({ kind: "bpr", label: `BPR d=${d}`, tables, optimizer, data, o, rng, current: () => bprModel(state()) });
  log(`BPR: ${epochsRun} epochs, d = ${d}, ${optimizer.kind} lr = ${o.learningRate}, λ = ${c.l2}`);
  return { model: bprModel(state()), state: state() };
}

/**
 * The model over item vectors V. A history identical to a training user's gets that user's trained
 * vector (training is that history's fold-in, run to the end; it is also what Cornac and implicit
 * score with); any other history folds in by SGD on p alone (`foldInEpochs` passes over it).
 */
export function bprModel(s: BprState): EmbeddingModel {
  const V = s.itemVectors.data;
  const [nItems, D] = s.itemVectors.shape;
  const d = D - 1;
  const P = s.userFactors.data;
  const g = scratch(d);
  const known = listFinder({ offsets: s.userOffsets.data, items: s.userItems.data });
  const rng = new Rng(s.seed, s.stream);
  return {
    name: `bpr(d=${d})`, dim: D, nItems, similarity: "dot", itemVectors: V,
    userVector: (h: History) => {
      const sorted = Int32Array.from(h.items).sort();
      const u = known(sorted);
      const out = new Float32Array(D);
      out[d] = 1;
      if (u >= 0) {
        out.set(P.subarray(u * d, (u + 1) * d));
        return out;
      }
      // A history is a set of items: the fold-in samples and seeds from its sorted items, so its order does not matter.
      const r = rng.fork(`fold-in/${historyKey(sorted)}`);
      const p = new EmbeddingTable(1, d, { kind: "sgd", learningRate: s.learningRate, l2: s.l2 }, Float32Array.from({ length: d }, () => r.normal() * s.initStd));
      const hist = { offsets: Uint32Array.of(0, h.items.length), items: sorted };
      if (h.items.length > 0 && h.items.length < nItems) {
        for (let e = 0; e < s.foldInEpochs; e++) {
          for (let k = 0; k < h.items.length; k++) {
            bprGradient(p.weights, 0, V, sorted[r.int(sorted.length)], negative(r, hist, 0, nItems), d, g);
            p.applyRow(0, g.p);
          }
        }
      }
      out.set(p.weights);
      return out;
    },
  };
}
