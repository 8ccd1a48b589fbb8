import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeColumnar } from "../columnar-file.ts";
import type { Split } from "./types.ts";

/**
 * Writes `split-manifest.json`, `split-justification.md` and the row lists (`split.bin`).
 * The bytes depend only on the split, so the same seed gives identical files.
 */
export function writeSplit(dir: string, split: Split): string[] {
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, "split-manifest.json"), join(dir, "split-justification.md"), join(dir, "split.bin")];
  writeFileSync(files[0], `${JSON.stringify(split.manifest, null, 2)}\n`);
  writeFileSync(files[1], `${split.justification}\n`);
  const cols: Record<string, Uint32Array> = { train: split.train, testHistory: split.test.history, testTarget: split.test.target };
  if (split.valid) Object.assign(cols, { validHistory: split.valid.history, validTarget: split.valid.target });
  writeColumnar(files[2], { hash: split.manifest.hash }, cols);
  return files;
}
