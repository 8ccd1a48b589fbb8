import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { noMirrorReason, repoRoot, tempDir, testMirror } from "@mle/core/testing";
import { builtNativePackages } from "@mle/models";

const mirror = testMirror();
const native = builtNativePackages().length > 0;
if (process.env.CI && !native) throw new Error("CI runs on the native backend: `pnpm setup-native` must have built it (see .ci/run)");
const tmp = tempDir();
afterAll(tmp.cleanup);

interface Json { engine: { name: string }; metrics: Record<string, { perSeed: number[] }> }

/** `pnpm exp` in a child process on the given backend; its JSON summary. */
function exp(config: string, backend: string, overrides: string[]): Json {
  const r = spawnSync(join(repoRoot, "node_modules", ".bin", "tsx"), [join(repoRoot, "packages/cli/src/bin/exp.ts"), config, "--json", "-q", "--seeds", "1", "--out", join(tmp.dir, `${config.replace(/\W+/g, "-")}-${backend}`), "--set", "tracking.enabled=false", ...overrides.flatMap((o) => ["--set", o])], {
    cwd: repoRoot, encoding: "utf8", env: { ...process.env, MLE_BACKEND: backend, MOVIELENS_MIRROR: mirror!, MOVIELENS_CACHE: join(tmp.dir, "cache") },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Json;
}

/**
 * The same config on wasm and on the native TensorFlow backend: every metric agrees to 1e-4. What differs
 * between them is float32 arithmetic order (matMul blocking, EASE's inverse by Cholesky vs blocked Schur
 * complements), never the protocol.
 */
describe.skipIf(!mirror || !native)(`wasm and native give the same metrics (skips when ${!mirror ? noMirrorReason : "the native backend is not built"})`, () => {
  for (const [config, overrides] of [
    ["configs/ml100k/ease.yaml", []],
    ["configs/ml100k/ials.yaml", ["training.epochs=3"]],
    ["configs/ease.yaml", ["evaluation.references=false"]],
  ] as const) {
    it(`${config}`, () => {
      const w = exp(config, "wasm", [...overrides]);
      const n = exp(config, "native", [...overrides]);
      expect([w.engine.name, n.engine.name]).toEqual(["wasm", "tensorflow"]);
      const diffs = Object.entries(w.metrics).filter(([k, m]) => Math.abs(m.perSeed[0] - n.metrics[k].perSeed[0]) > 1e-4).map(([k, m]) => `${k}: wasm ${m.perSeed[0]}, native ${n.metrics[k].perSeed[0]}`);
      expect(diffs).toEqual([]);
    });
  }
});

const gpuBuilt = builtNativePackages().includes("@tensorflow/tfjs-node-gpu");
describe.skipIf(!gpuBuilt)("the GPU build (skips unless `pnpm setup-native --gpu` ran here)", () => {
  it("loads when asked for, and says which device it placed ops on (the CPU where no GPU is found)", () => {
    const r = spawnSync(join(repoRoot, "node_modules", ".bin", "tsx"), [join(repoRoot, "packages/models/src/engine/native-smoke.ts")], { encoding: "utf8", env: { ...process.env, MLE_DEVICE: "gpu" } });
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout.trim().split("\n").pop()!) as { backend: string; package: string; device: string };
    expect(info).toMatchObject({ backend: "tensorflow", package: "@tensorflow/tfjs-node-gpu" });
    const gpu = existsSync("/dev/nvidiactl") || existsSync("/dev/nvidia0");
    expect(info.device.startsWith("gpu")).toBe(gpu);
  });
});
