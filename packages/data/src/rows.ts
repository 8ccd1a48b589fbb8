/** Ascending row list from a 0/1 mask. */
export function rowsWhere(mask: Uint8Array, value = 1): Uint32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] === value) n++;
  const out = new Uint32Array(n);
  let o = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] === value) out[o++] = i;
  return out;
}
