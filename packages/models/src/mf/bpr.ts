import { Rng, log, type EmbeddingModel, type History } from "@mle/core";
import { EmbeddingTable } from "../engine/embedding-table.ts";
import { runEpochs, shuffledBatches } from "../engine/epochs.ts";
import type { TrainingOptions } from "../engine/training.ts";
import { byUser, historyKey, type TrainSet } from "../train-set.ts";
import type { MfConfig } from "./config.ts";

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
  const opt = { kind: o.optimizer ?? "sgd", learningRate: o.learningRate, l2: c.l2 } as const;
  const P = new EmbeddingTable(train.nUsers, d, opt, Float32Array.from({ length: train.nUsers * d }, () => init.normal() * c.initStd));
  const V = new EmbeddingTable(train.nItems, D, opt); // [q_i, b_i]
  for (let i = 0; i < train.nItems; i++) for (let f = 0; f < d; f++) V.weights[i * D + f] = init.normal() * c.initStd;
  const g = new BprGradient(d);
  const sample = rng.fork("sgd");
  const order = new Uint32Array(train.item.length);
  const n = train.item.length;
  const model = () => bprModel(V.weights, d, c, o, rng);
  const { epochsRun } = await runEpochs({
    label: `BPR d=${d}`, epochs: o.epochs, monitor: o.monitor, current: model, weights: [P.weights, V.weights],
    runEpoch: () => {
      let loss = 0;
      shuffledBatches(n, o.batchSize ?? 1, sample, order, (r) => {
        const u = train.user[r];
        if (users.offsets[u + 1] - users.offsets[u] >= train.nItems) return;
        const i = train.item[r];
        const j = negative(sample, users, u, train.nItems);
        loss += g.compute(P.weights, u * d, V.weights, i, j);
        P.accumulate(u, g.p);
        V.accumulate(i, g.qi);
        V.accumulate(j, g.qj);
      }, () => (P.step(), V.step()));
      return loss / n;
    },
  });
  log(`BPR: ${epochsRun} epochs, d = ${d}, ${opt.kind} lr = ${o.learningRate}, λ = ${c.l2}`);
  return model();
}

function bprModel(V: Float32Array, d: number, c: MfConfig, o: TrainingOptions, rng: Rng): EmbeddingModel {
  const D = d + 1;
  const nItems = V.length / D;
  const g = new BprGradient(d);
  return {
    name: `bpr(d=${d})`, dim: D, nItems, similarity: "dot", itemVectors: V,
    userVector: (h: History) => {
      const r = rng.fork(`fold-in/${historyKey(h.items)}`);
      const p = new EmbeddingTable(1, d, { kind: "sgd", learningRate: o.learningRate, l2: c.l2 }, Float32Array.from({ length: d }, () => r.normal() * c.initStd));
      const hist = { offsets: Uint32Array.of(0, h.items.length), items: Int32Array.from(h.items).sort() };
      if (h.items.length > 0 && h.items.length < nItems) {
        for (let e = 0; e < o.epochs; e++) {
          for (let k = 0; k < h.items.length; k++) {
            g.compute(p.weights, 0, V, h.items[r.int(h.items.length)], negative(r, hist, 0, nItems));
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

/** ∂(−ln σ(x_uij))/∂ of p_u, [q_i, b_i], [q_j, b_j] (without L2: the tables add it). */
class BprGradient {
  readonly p: Float32Array;
  readonly qi: Float32Array;
  readonly qj: Float32Array;
  constructor(private readonly d: number) {
    this.p = new Float32Array(d);
    this.qi = new Float32Array(d + 1);
    this.qj = new Float32Array(d + 1);
  }

  /** Fills the gradients and returns the loss −ln σ(x_uij). */
  compute(P: Float32Array, po: number, V: Float32Array, i: number, j: number): number {
    const d = this.d;
    const io = i * (d + 1);
    const jo = j * (d + 1);
    let x = V[io + d] - V[jo + d];
    for (let f = 0; f < d; f++) x += P[po + f] * (V[io + f] - V[jo + f]);
    const z = 1 / (1 + Math.exp(x)); // σ(−x) = −∂(−ln σ(x))/∂x
    for (let f = 0; f < d; f++) {
      const pf = P[po + f];
      this.p[f] = -z * (V[io + f] - V[jo + f]);
      this.qi[f] = -z * pf;
      this.qj[f] = z * pf;
    }
    this.qi[d] = -z;
    this.qj[d] = z;
    return x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
  }
}

/**
 * A uniformly drawn item the user has not interacted with (rejection sampling); membership by binary
 * search in the user's sorted item list (rebuilding a set per sample took 68% of BPR's time).
 */
function negative(rng: Rng, lists: { offsets: Uint32Array; items: Int32Array }, u: number, nItems: number): number {
  const a = lists.offsets[u];
  const e = lists.offsets[u + 1];
  for (;;) {
    const j = rng.int(nItems);
    let lo = a;
    let hi = e;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lists.items[mid] < j) lo = mid + 1;
      else hi = mid;
    }
    if (lo === e || lists.items[lo] !== j) return j;
  }
}

/** Each user's item list sorted ascending (for `negative`). */
function sortedLists(lists: { offsets: Uint32Array; items: Int32Array }, n: number): { offsets: Uint32Array; items: Int32Array } {
  const items = lists.items.slice();
  for (let u = 0; u < n; u++) items.subarray(lists.offsets[u], lists.offsets[u + 1]).sort();
  return { offsets: lists.offsets, items };
}
