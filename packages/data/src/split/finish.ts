import { UserError, sha256, stableStringify } from "@mle/core";
import type { Interactions } from "../interactions.ts";
import type { HoldoutPart, PartCounts, Rows, Split, SplitKind } from "./types.ts";

/** Checks that no part is empty, counts each part and hashes the whole split. */
export function finishSplit(
  x: Interactions, kind: SplitKind, seed: number, params: Record<string, unknown>,
  parts: { train: Rows; valid: HoldoutPart | null; test: HoldoutPart }, notes: Record<string, number>, justification: string,
): Split {
  const check = (name: string, rows: Rows) => {
    if (rows.length === 0) {
      throw new UserError(`the ${kind} split leaves the ${name} part empty (${x.n} interactions, params ${JSON.stringify(params)})`, "adjust the split's fractions or the preprocessing");
    }
  };
  check("train", parts.train);
  check("test target", parts.test.target);
  if (parts.valid) check("validation target", parts.valid.target);
  const count = (rows: Rows): PartCounts => ({ rows: rows.length, users: distinct(x.user, rows, x.nUsers), items: distinct(x.item, rows, x.nItems) });
  const pair = (p: HoldoutPart) => ({ history: count(p.history), target: count(p.target) });
  const header = stableStringify({ kind, params, seed, dataset: x.datasetChecksum, n: x.n });
  const arrays = [parts.train, ...(parts.valid ? [parts.valid.history, parts.valid.target] : []), parts.test.history, parts.test.target];
  const lengths = arrays.map((a) => a.length).join(",");
  return {
    kind, seed, params, ...parts, justification,
    manifest: {
      kind, seed, params, dataset: x.dataset, datasetChecksum: x.datasetChecksum,
      counts: { train: count(parts.train), valid: parts.valid ? pair(parts.valid) : null, test: pair(parts.test) },
      notes,
      hash: sha256(header, lengths, ...arrays),
    },
  };
}

function distinct(col: Int32Array, rows: Rows, n: number): number {
  const seen = new Uint8Array(n);
  let c = 0;
  for (let i = 0; i < rows.length; i++) {
    const v = col[rows[i]];
    if (!seen[v]) (seen[v] = 1), c++;
  }
  return c;
}

/** Ascending union of two ascending row lists. */
export function unionRows(a: Rows, b: Rows): Rows {
  const out = new Uint32Array(a.length + b.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/** Rows of `rows` whose user is in the `users` mask. */
export function rowsOfUsers(x: Interactions, rows: Rows, users: Uint8Array): Rows {
  return rows.filter((r) => users[x.user[r]] === 1);
}

export function userMask(x: Interactions, rows: Rows): Uint8Array {
  const m = new Uint8Array(x.nUsers);
  for (let i = 0; i < rows.length; i++) m[x.user[rows[i]]] = 1;
  return m;
}
