import { Rng, log, type EmbeddingModel, type History } from "@mle/core";
import { EmbeddingTable } from "../engine/embedding-table.ts";
import type { TrainingOptions } from "../engine/training.ts";
import { byUser, historyKey, type TrainSet } from "../train-set.ts";
import type { MfConfig } from "./config.ts";
import { bprGradient, negative, scratch } from "./sgd-examples.ts";
import { trainSgd, weightArray } from "./sgd-train.ts";

/**
 * BPR (Rendle et al. 2009): for a user's positive i and a uniformly sampled negative j (seeded),
 * ascend ln σ(x_uij) with x_uij = p_u·(q_i − q_j) + b_i − b_j, L2 on every touched row — the
 * update Cornac's BPR makes (batch 1, SGD); other optimizers and batch sizes through the embedding
 * tables. Item vectors fold the bias in as a last dimension ([q_i, b_i] · [p_u, 1]).
 * Fold-in runs the same SGD on p alone with the items fixed, seeded by the history.
 */
export async function fitBpr(train: TrainSet, c: MfConfig, o: TrainingOptions, rng: Rng): Promise<EmbeddingModel> {
  const d = c.factors;
  const D = d + 1;
  const users = sortedLists(byUser(train), train.nUsers);
  const init = rng.fork("init");
  const optimizer = { kind: o.optimizer ?? "sgd", learningRate: o.learningRate, l2: c.l2 } as const;
  const p = weightArray(o, train.nUsers * d);
  const v = weightArray(o, train.nItems * D); // [q_i, b_i]
  for (let k = 0; k < p.length; k++) p[k] = init.normal() * c.initStd;
  for (let i = 0; i < train.nItems; i++) for (let f = 0; f < d; f++) v[i * D + f] = init.normal() * c.initStd;
  const tables = { P: new EmbeddingTable(train.nUsers, d, optimizer, p), V: new EmbeddingTable(train.nItems, D, optimizer, v), B: null };
  const data = { user: train.user, item: train.item, rating: train.rating, lists: users, nItems: train.nItems, mu: 0 };
  const model = () => bprModel(v, d, c, o, rng);
  const epochsRun = await trainSgd({ kind: "bpr", label: `BPR d=${d}`, tables, optimizer, data, o, rng, current: model });
  log(`BPR: ${epochsRun} epochs, d = ${d}, ${optimizer.kind} lr = ${o.learningRate}, λ = ${c.l2}`);
  return model();
}

function bprModel(V: Float32Array, d: number, c: MfConfig, o: TrainingOptions, rng: Rng): EmbeddingModel {
  const D = d + 1;
  const nItems = V.length / D;
  const g = scratch(d);
  return {
    name: `bpr(d=${d})`, dim: D, nItems, similarity: "dot", itemVectors: V,
    userVector: (h: History) => {
      const r = rng.fork(`fold-in/${historyKey(h.items)}`);
      const p = new EmbeddingTable(1, d, { kind: "sgd", learningRate: o.learningRate, l2: c.l2 }, Float32Array.from({ length: d }, () => r.normal() * c.initStd));
      const hist = { offsets: Uint32Array.of(0, h.items.length), items: Int32Array.from(h.items).sort() };
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
