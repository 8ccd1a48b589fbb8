import { z } from "zod";
import { log, type EmbeddingModel, type History } from "@mle/core";
import { initBackend } from "../engine/backend.ts";
import { invertSpdBlocked } from "../linalg/spd-inverse-blocked.ts";
import { byUser, type TrainSet } from "../train-set.ts";

export const easeConfigSchema = z.strictObject({
  family: z.literal("ease"),
  /** L2 regularisation λ of Steck (2019); 500 is his ML-20M value, tune per dataset. */
  lambda: z.number().positive().default(500),
});

/**
 * EASE (Steck 2019): the closed-form item-item linear autoencoder
 * B = I − P·diag(1/diag(P)), P = (XᵀX + λI)⁻¹, on binary X (every training interaction is a 1).
 * Scores are x_u·B. In the embedding contract the dimension is the number of items: an item's vector
 * is its column of B, and a user's vector is their history row x_u (sparse, ones at the items they
 * interacted with) — so any user folds in from a history without refitting.
 */
export async function fitEase(train: TrainSet, config: z.infer<typeof easeConfigSchema>): Promise<EmbeddingModel> {
  const n = train.nItems;
  const gb = (8 * n * n) / 2 ** 30;
  if (gb > 8) throw new Error(`EASE needs a dense ${n} × ${n} matrix (${gb.toFixed(1)} GiB): filter items (data.kCore) first`);
  const g = gram(train, n);
  for (let i = 0; i < n; i++) g[i * n + i] += config.lambda;
  const backend = await initBackend();
  const t = performance.now();
  const p = invertSpdBlocked(g, n);
  log(`EASE: inverted ${n} × ${n} on the ${backend} backend in ${((performance.now() - t) / 1000).toFixed(2)} s`);
  // B[i][j] = −P[i][j] / P[j][j] off the diagonal, 0 on it; item j's vector is column j of B.
  const itemVectors = new Float32Array(n * n);
  for (let j = 0; j < n; j++) {
    const pjj = p[j * n + j];
    for (let i = 0; i < n; i++) itemVectors[j * n + i] = i === j ? 0 : -p[i * n + j] / pjj;
  }
  log(`EASE fitted on ${train.item.length.toLocaleString("en-US")} interactions, ${n.toLocaleString("en-US")} items, λ = ${config.lambda}`);
  return {
    name: `ease(λ=${config.lambda})`, dim: n, nItems: n, similarity: "dot", itemVectors,
    userVector: (h: History) => {
      const indices = Int32Array.from(new Set(h.items)).sort();
      return { indices, values: new Float32Array(indices.length).fill(1) };
    },
  };
}

/** XᵀX of the binary user × item matrix (duplicates within a user count once). */
function gram(train: TrainSet, n: number): Float64Array {
  const g = new Float64Array(n * n);
  const u = byUser(train);
  const mark = new Int32Array(n).fill(-1);
  const items: number[] = [];
  for (let user = 0; user < train.nUsers; user++) {
    items.length = 0;
    for (let j = u.offsets[user]; j < u.offsets[user + 1]; j++) {
      const it = u.items[j];
      if (mark[it] !== user) (mark[it] = user), items.push(it);
    }
    for (const a of items) {
      const row = a * n;
      for (const b of items) g[row + b] += 1;
    }
  }
  return g;
}
