import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "@mle/core";
import { initBackend } from "../../engine/backend.ts";
import { invertSpdBlocked } from "./spd-inverse-blocked.ts";

const hasNumpy = spawnSync("python3", ["-c", "import numpy"]).status === 0;
beforeAll(async () => void (await initBackend()));

/** A Gram matrix of a sparse random 0/1 matrix plus λI: the shape of EASE's problem. */
function gram(n: number, users: number, lambda: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const g = new Float64Array(n * n);
  for (let u = 0; u < users; u++) {
    const items = [...new Set(Array.from({ length: 5 + rng.int(60) }, () => Math.floor(n * rng.nextFloat() ** 2)))];
    for (const a of items) for (const b of items) g[a * n + b]++;
  }
  for (let i = 0; i < n; i++) g[i * n + i] += lambda;
  return g;
}

describe("invertSpdBlocked", () => {
  it("G · G⁻¹ ≈ I across several recursion levels (n = 1,300)", () => {
    const n = 1300;
    const g = gram(n, 2000, 50, 1);
    const p = invertSpdBlocked(g, n);
    const rng = new Rng(2);
    for (let t = 0; t < 200; t++) {
      const i = rng.int(n);
      const j = rng.int(n);
      let s = 0;
      for (let k = 0; k < n; k++) s += g[i * n + k] * p[k * n + j];
      expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-4);
    }
  });

  it.skipIf(!hasNumpy)("agrees with NumPy's float64 inverse to ~1e-5 relative", () => {
    const n = 700;
    const g = gram(n, 900, 20, 3);
    const p = invertSpdBlocked(g, n);
    const r = spawnSync("python3", ["-c", "import sys, numpy as np; n = int(sys.argv[1]); g = np.frombuffer(sys.stdin.buffer.read(), dtype=np.float64).reshape(n, n); sys.stdout.buffer.write(np.linalg.inv(g).astype(np.float64).tobytes())", String(n)], { input: Buffer.from(g.buffer) , maxBuffer: 1 << 26 });
    const ref = new Float64Array(new Uint8Array(r.stdout).buffer);
    let maxAbs = 0;
    let maxErr = 0;
    for (let i = 0; i < n * n; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(ref[i]));
      maxErr = Math.max(maxErr, Math.abs(p[i] - ref[i]));
    }
    expect(maxErr / maxAbs).toBeLessThan(1e-5);
  });
});
