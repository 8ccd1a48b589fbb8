/** Raw ids ⇄ contiguous indices. Raw MovieLens ids are small integers, so a lookup table is O(n). */
export interface DenseIndex {
  ids: Int32Array;
  indexOf(raw: number): number;
}

const MAX_TABLE = 1 << 27;

export function denseIndex(...columns: Int32Array[]): DenseIndex {
  let max = -1;
  for (const c of columns) for (let i = 0; i < c.length; i++) if (c[i] > max) max = c[i];
  if (max < MAX_TABLE) {
    const table = new Int32Array(max + 1).fill(-1);
    for (const c of columns) for (let i = 0; i < c.length; i++) table[c[i]] = 0;
    let n = 0;
    for (let r = 0; r <= max; r++) if (table[r] === 0) table[r] = n++;
    const ids = new Int32Array(n);
    for (let r = 0; r <= max; r++) if (table[r] >= 0) ids[table[r]] = r;
    return { ids, indexOf: (raw) => (raw >= 0 && raw <= max ? table[raw] : -1) };
  }
  const all = new Set<number>();
  for (const c of columns) for (const v of c) all.add(v);
  const ids = Int32Array.from([...all].sort((a, b) => a - b));
  const map = new Map<number, number>();
  ids.forEach((v, i) => map.set(v, i));
  return { ids, indexOf: (raw) => map.get(raw) ?? -1 };
}

export function toDense(raw: Int32Array, index: DenseIndex): Int32Array {
  const out = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = index.indexOf(raw[i]);
  return out;
}
