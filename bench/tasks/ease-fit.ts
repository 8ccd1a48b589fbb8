// Child task: EASE on ml-latest-small (all ratings as interactions, optional k-core); writes the
// Gram matrix (float64) and our inverse (float32) for the NumPy comparison; prints timings.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { setQuiet, userLists } from "@mle/core";
import { loadDataset, preprocess } from "@mle/data";
import { initBackend, invertSpd } from "@mle/models";
import { report } from "../lib/child.ts";

setQuiet(true);
const [mirror, kCore, out] = process.argv.slice(2);
const { dataset } = await loadDataset("ml-latest-small", { mirror });
const k = Number(kCore);
const x = preprocess(dataset, { feedback: { kind: "implicit", minRating: 0 }, kCore: { users: k, items: k }, duplicates: "keep-last" });
const n = x.nItems;
const backend = await initBackend();
const t = performance.now();
const g = new Float64Array(n * n);
const u = userLists({ nUsers: x.nUsers, nItems: n, user: x.user, item: x.item, rating: x.rating, timestamp: x.timestamp });
for (let user = 0; user < x.nUsers; user++) {
  const items = u.items.subarray(u.offsets[user], u.offsets[user + 1]);
  for (const a of items) for (const b of items) g[a * n + b]++;
}
for (let i = 0; i < n; i++) g[i * n + i] += 250;
const t1 = performance.now();
const p = invertSpd(g, n); // the path EASE takes: Cholesky on the native backend, blocked Schur complements on wasm
const inverseSeconds = (performance.now() - t1) / 1000;
const seconds = (performance.now() - t) / 1000;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, Buffer.concat([Buffer.from(g.buffer), Buffer.from(p.buffer)]));
report(seconds, { inverseSeconds, items: n, backend });
