import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is packages/cli/src/runner/paths.ts). */
export function repoRootOf(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
}
