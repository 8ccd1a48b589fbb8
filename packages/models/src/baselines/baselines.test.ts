import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { Rng, UserError, isSparse, setQuiet, type TrainSet } from "@mle/core";
import { invertSpdInPlace } from "../kernels/linalg/spd-inverse.ts";
import { fitModel, type ModelConfig } from "../registry.ts";

setQuiet(true);
const train = (rows: [number, number][], nUsers: number, nItems: number): TrainSet => ({
  nUsers, nItems, user: Int32Array.from(rows, (r) => r[0]), item: Int32Array.from(rows, (r) => r[1]), rating: new Float32Array(rows.length).fill(1),
  timestamp: new Uint32Array(rows.length),
});
const fit = async (t: TrainSet, c: ModelConfig, rng = new Rng(1)) => (await fitModel(t, c, { rng, training: { epochs: 10, learningRate: 0 } })).model;
const fitPopularity = (t: TrainSet) => fit(t, { family: "popularity" });
const fitRandom = (t: TrainSet, c: ModelConfig, rng: Rng) => fit(t, c, rng);
const fitEase = (t: TrainSet, c: ModelConfig) => fit(t, c);
const hasNumpy = spawnSync("python3", ["-c", "import numpy"]).status === 0;

describe("invertSpdInPlace", () => {
  it("A · A⁻¹ = I on a random SPD matrix", () => {
    const rng = new Rng(1);
    const n = 40;
    const m = Float64Array.from({ length: n * n }, () => rng.normal());
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < n; k++) s += m[i * n + k] * m[j * n + k];
      a[i * n + j] = s;
    }
    const inv = a.slice();
    invertSpdInPlace(inv, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k] * inv[k * n + j];
      expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
    }
  });
  it("rejects a matrix that is not positive definite", () => {
    expect(() => invertSpdInPlace(Float64Array.from([0, 1, 1, 0]), 2)).toThrow(/not positive definite/);
  });
});

describe("baselines", () => {
  const t = train([[0, 0], [0, 1], [1, 1], [2, 1], [2, 2], [3, 0], [3, 1], [3, 3]], 4, 4);

  it("popularity: item vector = training count, same user vector for all", async () => {
    const m = await fitPopularity(t);
    expect([...m.itemVectors]).toEqual([2, 4, 1, 1]);
    expect(m.userVector({ items: Int32Array.of(1), ratings: Float32Array.of(5) })).toEqual(m.userVector({ items: new Int32Array(0), ratings: new Float32Array(0) }));
  });

  it("random: reproducible per seed and per history", async () => {
    const h = { items: Int32Array.of(1, 2), ratings: Float32Array.of(4, 5) };
    const a = await fitRandom(t, { family: "random", factors: 8 }, new Rng(3));
    const b = await fitRandom(t, { family: "random", factors: 8 }, new Rng(3));
    expect(a.itemVectors).toEqual(b.itemVectors);
    expect(a.userVector(h)).toEqual(b.userVector(h));
    expect((await fitRandom(t, { family: "random", factors: 8 }, new Rng(4))).itemVectors).not.toEqual(a.itemVectors);
  });

  it("EASE: a catalogue too large for its dense matrix is the user's error, named with what to change, before any allocation", async () => {
    const big = { ...t, nItems: 40_000 };
    await expect(fitEase(big, { family: "ease", lambda: 1 })).rejects.toThrow(UserError);
    await expect(fitEase(big, { family: "ease", lambda: 1 })).rejects.toThrow(/40,000 × 40,000 matrices, about 35\.8 GiB at the peak.*at most 32,768 items.*data\.kCore\.items/);
  });

  it("EASE: the user vector is the sparse history row, item vectors are B's columns with a zero diagonal", async () => {
    const m = await fitEase(t, { family: "ease", lambda: 1 });
    const v = m.userVector({ items: Int32Array.of(2, 0, 2), ratings: Float32Array.of(1, 1, 1) });
    expect(isSparse(v) && [...v.indices]).toEqual([0, 2]);
    for (let j = 0; j < 4; j++) expect(m.itemVectors[j * 4 + j]).toBe(0);
  });

  it.skipIf(!hasNumpy)("EASE's B agrees with NumPy's closed form on the same data", async () => {
    const m = await fitEase(t, { family: "ease", lambda: 0.5 });
    const py = `import numpy as np, json
X = np.zeros((4, 4)); rows = ${JSON.stringify([...t.user].map((u, i) => [u, t.item[i]]))}
for u, i in rows: X[u, i] = 1
P = np.linalg.inv(X.T @ X + 0.5 * np.eye(4)); B = P / (-np.diag(P)); np.fill_diagonal(B, 0)
print(json.dumps(B.tolist()))`;
    const B = JSON.parse(spawnSync("python3", ["-c", py], { encoding: "utf8" }).stdout) as number[][];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(m.itemVectors[j * 4 + i]).toBeCloseTo(B[i][j], 5);
  });
});
