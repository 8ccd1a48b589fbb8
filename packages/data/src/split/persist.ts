import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readColumnar, writeColumnar } from "@mle/core";
import type { Interactions } from "../interactions.ts";
import type { Split } from "./types.ts";

/** Bits of `split.bin`'s `parts` column: a row may serve several parts (a training row is also a history). */
export const SPLIT_PARTS = { train: 1, validHistory: 2, validTarget: 4, testHistory: 8, testTarget: 16 } as const;

/** Raw ids for a split's rows: the dataset's userIds and movieIds by dense index. */
export interface RawIds {
  userIds: Int32Array;
  itemIds: Int32Array;
}

/**
 * Writes `split-manifest.json`, `split-justification.md` and `split.bin`: every row any part uses, as raw
 * (userId, movieId, rating, timestamp) with a `parts` bitmask (`SPLIT_PARTS`), so the run folder alone
 * says what was trained on and evaluated — no cache or row numbers needed. The bytes depend only on the
 * split, so the same seed gives identical files.
 */
export function writeSplit(dir: string, split: Split, x: Interactions, ids: RawIds): string[] {
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, "split-manifest.json"), join(dir, "split-justification.md"), join(dir, "split.bin")];
  writeFileSync(files[0], `${JSON.stringify(split.manifest, null, 2)}\n`);
  writeFileSync(files[1], `${split.justification}\n`);
  const parts = new Uint8Array(x.n);
  const mark = (rows: Uint32Array, bit: number) => rows.forEach((r) => (parts[r] |= bit));
  mark(split.train, SPLIT_PARTS.train);
  if (split.valid) (mark(split.valid.history, SPLIT_PARTS.validHistory), mark(split.valid.target, SPLIT_PARTS.validTarget));
  mark(split.test.history, SPLIT_PARTS.testHistory);
  mark(split.test.target, SPLIT_PARTS.testTarget);
  const rows: number[] = [];
  for (let r = 0; r < x.n; r++) if (parts[r]) rows.push(r);
  writeColumnar(files[2], { hash: split.manifest.hash, parts: SPLIT_PARTS, dataset: split.manifest.dataset }, {
    userId: Int32Array.from(rows, (r) => ids.userIds[x.userOf[x.user[r]]]),
    movieId: Int32Array.from(rows, (r) => ids.itemIds[x.itemOf[x.item[r]]]),
    rating: Float32Array.from(rows, (r) => x.rating[r]),
    timestamp: Uint32Array.from(rows, (r) => x.timestamp[r]),
    parts: Uint8Array.from(rows, (r) => parts[r]),
  });
  return files;
}

/** A run folder's split rows, by part (for audits: every metric can be recomputed from these and the saved top-K). */
export function readSplitRows(dir: string): { hash: string; rows: { userId: Int32Array; movieId: Int32Array; rating: Float32Array; timestamp: Uint32Array; parts: Uint8Array } } {
  const { meta, columns } = readColumnar(join(dir, "split.bin"));
  return {
    hash: (meta as { hash: string }).hash,
    rows: { userId: columns.userId as Int32Array, movieId: columns.movieId as Int32Array, rating: columns.rating as Float32Array, timestamp: columns.timestamp as Uint32Array, parts: columns.parts as Uint8Array },
  };
}
