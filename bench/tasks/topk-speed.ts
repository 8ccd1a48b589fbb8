// Child task: full-ranking top-k of random user vectors against random item vectors, in blocks,
// with our JS kernel or the TF.js matMul scorer; prints users/second.
import { Rng, setQuiet, type EmbeddingModel } from "@mle/core";
import { scoreBlock, scoringSpace, topK } from "@mle/metrics";
import { initBackend, tfBlockScorer } from "@mle/models";
import { report } from "../lib/child.ts";

setQuiet(true);
const [nUsers, nItems, d, k] = process.argv.slice(2, 6).map(Number);
const impl = process.argv[6] as "js" | "tf";
const rng = new Rng(1);
const itemVectors = Float32Array.from({ length: nItems * d }, () => rng.normal());
const users = Float32Array.from({ length: nUsers * d }, () => rng.normal());
const model: EmbeddingModel = { name: "random", dim: d, nItems, similarity: "dot", itemVectors, userVector: () => new Float32Array(d) };
const backend = impl === "tf" ? await initBackend() : "js";
const score = impl === "tf" ? tfBlockScorer(scoreBlock) : scoreBlock;
const block = 256;
const out = new Float32Array(block * nItems);
const items = new Int32Array(k);
const heap = new Float32Array(k);
const t = performance.now();
const space = scoringSpace(model);
let checksum = 0;
for (let b0 = 0; b0 < nUsers; b0 += block) {
  const b1 = Math.min(nUsers, b0 + block);
  const vectors = [];
  for (let u = b0; u < b1; u++) vectors.push(users.subarray(u * d, (u + 1) * d));
  // On the native backend the scorer ranks where the scores are (TopKV2); elsewhere JS takes the top-k.
  const ranked = impl === "tf" ? (score as ReturnType<typeof tfBlockScorer>).rank(space, vectors, { offsets: new Uint32Array(vectors.length + 1), items: new Int32Array(0) }, k, vectors.map(() => [])) : null;
  if (ranked) {
    for (let u = 0; u < vectors.length; u++) checksum += ranked.lengths[u] + ranked.top[u * k];
    continue;
  }
  score(space, vectors, out);
  for (let u = b0; u < b1; u++) checksum += topK(out, (u - b0) * nItems, nItems, k, items, heap) + items[0];
}
const seconds = (performance.now() - t) / 1000;
report(seconds, { usersPerSecond: nUsers / seconds, backend, checksum });
