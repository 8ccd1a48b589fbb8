import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "@mle/core";
import { reciprocalRankFull, scoreBlock, topK } from "@mle/metrics";
import { builtNativePackages, initBackend, tfBlockScorer } from "@mle/models";

const native = builtNativePackages().length > 0;
beforeAll(async () => {
  if (native) await initBackend("native");
});

describe.skipIf(!native)("ranking on the native backend (skips when it is not built)", () => {
  it("gives the JS evaluator's exact top-K and full-ranking MRR, with ties, exclusions and users who have seen almost everything", () => {
    const rng = new Rng(3);
    const [n, d, b, kMax] = [300, 4, 40, 20];
    // Integer factors make many exact ties.
    const factors = Float32Array.from({ length: d * n }, () => rng.int(3));
    const space = { dim: d, nItems: n, factors };
    const vectors = Array.from({ length: b }, () => Float32Array.from({ length: d }, () => rng.int(3)));
    const history = vectors.map((_, u) => (u === 0 ? Array.from({ length: n - 5 }, (_, i) => i) : Array.from({ length: rng.int(30) }, () => rng.int(n))));
    const offsets = Uint32Array.from([0, ...history.map((h, u) => history.slice(0, u + 1).flat().length)]);
    const relevant = vectors.map(() => Array.from(new Set(Array.from({ length: 1 + rng.int(5) }, () => rng.int(n)))));
    const scorer = tfBlockScorer(scoreBlock);
    // The whole catalogue, then a third of it as candidates (the cold-item protocol's mask).
    for (const candidates of [undefined, Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0))]) {
      const got = scorer.rank(space, vectors, { offsets, items: Int32Array.from(history.flat()) }, kMax, relevant, candidates)!;
      const scores = new Float32Array(b * n);
      scoreBlock(space, vectors, scores);
      const items = new Int32Array(kMax);
      const heap = new Float32Array(kMax);
      for (let u = 0; u < b; u++) {
        for (const i of history[u]) scores[u * n + i] = -Infinity;
        if (candidates) for (let i = 0; i < n; i++) if (!candidates[i]) scores[u * n + i] = -Infinity;
        const len = topK(scores, u * n, n, kMax, items, heap);
        expect(got.lengths[u]).toBe(len);
        expect(Array.from(got.top.subarray(u * kMax, u * kMax + len))).toEqual(Array.from(items.subarray(0, len)));
        expect(got.mrr[u]).toBe(reciprocalRankFull(scores, u * n, n, relevant[u]));
      }
      expect(got.lengths[0]).toBe(candidates ? 1 : 5); // user 0 has seen all but items 295..299, of which only 297 is a candidate
    }
    scorer.dispose();
  });
});
