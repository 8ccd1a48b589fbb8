import { Rng, type EmbeddingModel, type History, type TrainSet } from "@mle/core";

/**
 * Users in two taste groups (items 0–29 and 30–59), each liking a random half of their group, and a
 * new user of group 1 never seen in training: their folded-in vector must rank their group's unseen
 * items far above the other group's.
 */
export function groups(nUsers: number, seed: number): { train: TrainSet; heldOut: History & { group: number } } {
  const rng = new Rng(seed);
  const user: number[] = [];
  const item: number[] = [];
  const rating: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const g = u % 2;
    for (let i = 0; i < 30; i++) if (rng.nextFloat() < 0.5) (user.push(u), item.push(g * 30 + i), rating.push(4 + rng.int(2)));
    if (rng.nextFloat() < 0.1) (user.push(u), item.push((1 - g) * 30 + rng.int(30)), rating.push(1 + rng.int(2)));
  }
  const hist = Int32Array.from([0, 2, 4, 6, 8, 10, 12, 14].map((i) => 30 + i));
  return {
    train: {
      nUsers, nItems: 60, user: Int32Array.from(user), item: Int32Array.from(item), rating: Float32Array.from(rating),
      timestamp: Uint32Array.from(user, (_, k) => 1_000_000 + k),
      // Content that knows the groups: genre A for items 0–29, B for 30–59.
      itemFeatures: { nItems: 60, genreNames: ["A", "B"], genres: Uint8Array.from({ length: 120 }, (_, k) => (k % 2 === (Math.floor(k / 2) < 30 ? 0 : 1) ? 1 : 0)), year: Int16Array.from({ length: 60 }, (_, i) => 1990 + (i % 20)) },
    },
    heldOut: { items: hist, ratings: new Float32Array(hist.length).fill(5), group: 1 },
  };
}

/** Every item's dot product with the history's user vector (dense models). */
export function scores(m: EmbeddingModel, h: History): number[] {
  const v = m.userVector(h) as Float32Array;
  return Array.from({ length: m.nItems }, (_, i) => v.reduce((s, x, f) => s + x * m.itemVectors[i * m.dim + f], 0));
}

/** The top `k` unseen items of a history, by the model's dot products (ties to the lower index). */
export function top(m: EmbeddingModel, h: History, k: number): number[] {
  return scores(m, h).map((s, i) => ({ s, i })).filter(({ i }) => !h.items.includes(i)).sort((a, b) => b.s - a.s || a.i - b.i).slice(0, k).map((x) => x.i);
}
