import { userLists, type History, type Rng, type TrainSet } from "@mle/core";

/** Each user's items and values (1 or the rating), as CSR over users: the rows a row autoencoder reads. */
export interface Rows {
  offsets: Uint32Array;
  items: Int32Array;
  values: Float32Array;
}

export function trainRows(train: TrainSet, input: "binary" | "rating"): Rows {
  const l = userLists(train);
  return { offsets: l.offsets, items: l.items, values: input === "binary" ? new Float32Array(l.items.length).fill(1) : l.ratings };
}

/** A history as a row (duplicate items count once, the last value kept). */
export function historyRow(h: History, input: "binary" | "rating"): { items: Int32Array; values: Float32Array } {
  const seen = new Map<number, number>();
  for (let k = 0; k < h.items.length; k++) seen.set(h.items[k], input === "binary" ? 1 : h.ratings[k]);
  return { items: Int32Array.from(seen.keys()), values: Float32Array.from(seen.values()) };
}

/**
 * A batch of rows as dense [rows × nItems] arrays: `raw` (the values, what the likelihood scores) and
 * `input` (L2-normalised, then inverted dropout with keep probability 1 − rate drawn from `rng` on the
 * non-zeros only — the zeros stay zero, so the mask costs O(interactions), not O(rows × items)).
 */
export function denseBatch(rows: { items: Int32Array; values: Float32Array }[], nItems: number, dropout: number, rng: Rng | null): { raw: Float32Array; input: Float32Array } {
  const raw = new Float32Array(rows.length * nItems);
  const input = new Float32Array(rows.length * nItems);
  const keep = 1 - dropout;
  const threshold = Math.ceil(dropout * 16777216);
  rows.forEach((r, b) => {
    let norm = 0;
    for (let k = 0; k < r.values.length; k++) norm += r.values[k] * r.values[k];
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let k = 0; k < r.items.length; k++) {
      const at = b * nItems + r.items[k];
      raw[at] = r.values[k];
      const kept = !rng || dropout <= 0 || rng.nextUint32() >>> 8 >= threshold;
      input[at] = kept ? (r.values[k] * scale) / (rng && dropout > 0 ? keep : 1) : 0;
    }
  });
  return { raw, input };
}

/** Row u of a CSR. */
export function rowOf(rows: Rows, u: number): { items: Int32Array; values: Float32Array } {
  return { items: rows.items.subarray(rows.offsets[u], rows.offsets[u + 1]), values: rows.values.subarray(rows.offsets[u], rows.offsets[u + 1]) };
}

/** The users with at least one interaction, shuffled by `rng`, in batches of `size`. */
export function userBatches(rows: Rows, size: number, rng: Rng): Uint32Array[] {
  const users: number[] = [];
  for (let u = 0; u + 1 < rows.offsets.length; u++) if (rows.offsets[u + 1] > rows.offsets[u]) users.push(u);
  const order = rng.shuffle(Uint32Array.from(users));
  const out: Uint32Array[] = [];
  for (let a = 0; a < order.length; a += size) out.push(order.subarray(a, a + size));
  return out;
}
