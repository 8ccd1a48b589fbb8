import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (this file is packages/core/src/testing.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * The real MovieLens mirror for tests: $MOVIELENS_MIRROR, else ../shared/movielens beside the repo.
 * Returns null on a machine without it (tests then skip and say why); under CI it must exist.
 */
export function testMirror(): string | null {
  const dir = process.env.MOVIELENS_MIRROR ? resolve(process.env.MOVIELENS_MIRROR) : resolve(repoRoot, "../shared/movielens");
  if (existsSync(join(dir, "ml-latest-small", "ratings.csv"))) return dir;
  if (process.env.CI) throw new Error(`CI needs the MovieLens mirror at ${dir} (set MOVIELENS_MIRROR)`);
  return null;
}

export const noMirrorReason = "the real MovieLens mirror (../shared/movielens or $MOVIELENS_MIRROR) is not on this machine";

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = "mle-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A child's output without TensorFlow's load-time notice that oneDNN is on (it says "round-off errors"): the native
 * backend hides it where stderr can be reopened, not where stderr is a socket, as Node's child_process gives.
 */
export function withoutEngineNotices(output: string): string {
  return output.replace(/^.*(port\.cc:\d+\] oneDNN custom operations are on|absl::InitializeLog\(\) is called).*$/gm, "");
}
