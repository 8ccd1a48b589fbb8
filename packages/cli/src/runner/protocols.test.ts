import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng, setQuiet } from "@mle/core";
import { noMirrorReason, repoRoot, tempDir, testMirror } from "@mle/core/testing";
import { loadConfig } from "../config/load.ts";
import { prepareExperiment } from "./prepare.ts";

const mirror = testMirror();
const tmp = tempDir();
beforeAll(() => setQuiet(true));
afterAll(tmp.cleanup);

describe.skipIf(!mirror)(`the RecBole ML-1M protocol on the real ML-1M sample (skips when ${noMirrorReason})`, () => {
  it("keeps ratings ≥ 3, leaves a 10-core, and splits every user 80/10/10", async () => {
    const m = join(tmp.dir, "mirror");
    mkdirSync(m);
    symlinkSync(join(mirror!, "ml-1m-sample"), join(m, "ml-1m"));
    const { config } = loadConfig(join(repoRoot, "configs/ml1m-recbole/ease.yaml"), [`data.mirror=${m}`, `data.cacheDir=${join(tmp.dir, "cache")}`, "experiment.seeds=[1]"]);
    const p = await prepareExperiment(config, join(tmp.dir, "run"));
    const x = p.interactions;
    expect(Math.min(...x.rating)).toBeGreaterThanOrEqual(3);
    const perUser = new Uint32Array(x.nUsers);
    const perItem = new Uint32Array(x.nItems);
    for (let i = 0; i < x.n; i++) (perUser[x.user[i]]++, perItem[x.item[i]]++);
    expect(Math.min(...perUser)).toBeGreaterThanOrEqual(10);
    expect(Math.min(...perItem)).toBeGreaterThanOrEqual(10);
    expect(x.report.kCoreRounds).toBeGreaterThan(1);
    const s = p.seeds[0].split;
    const inTest = new Uint32Array(x.nUsers);
    for (const r of s.test.target) inTest[x.user[r]]++;
    for (let u = 0; u < x.nUsers; u++) expect(inTest[u]).toBe(perUser[u] - Math.round(0.9 * perUser[u]));
    expect(s.manifest.counts.valid!.target.rows / x.n).toBeCloseTo(0.1, 1);
  });
});

describe.skipIf(!mirror)(`the sequential leave-one-out protocol on the real ML-1M sample (skips when ${noMirrorReason})`, () => {
  it("configs/ml1m-seq: every rating kept; each user's latest interaction is the test target, the one before it validates", async () => {
    const m = join(tmp.dir, "mirror-seq");
    mkdirSync(m);
    symlinkSync(join(mirror!, "ml-1m-sample"), join(m, "ml-1m"));
    const { config } = loadConfig(join(repoRoot, "configs/ml1m-seq/sasrec.yaml"), [`data.mirror=${m}`, `data.cacheDir=${join(tmp.dir, "cache-seq")}`, "experiment.seeds=[1]"]);
    const p = await prepareExperiment(config, join(tmp.dir, "seq"));
    const x = p.interactions;
    expect(x.n).toBe(p.loaded.dataset.nRatings);
    const s = p.seeds[0].split;
    const latest = new Map<number, number>();
    for (let r = 0; r < x.n; r++) latest.set(x.user[r], Math.max(latest.get(x.user[r]) ?? 0, x.timestamp[r]));
    // A user with fewer than three interactions has nothing left to train on and keeps them all in train.
    const count = new Uint32Array(x.nUsers);
    for (let r = 0; r < x.n; r++) count[x.user[r]]++;
    expect(s.test.target.length).toBe(count.filter((c) => c >= 3).length);
    for (const r of s.test.target) expect(x.timestamp[r]).toBe(latest.get(x.user[r]));
    const testTime = new Map(Array.from(s.test.target, (r) => [x.user[r], x.timestamp[r]]));
    for (const r of s.valid!.target) expect(x.timestamp[r]).toBeLessThanOrEqual(testTime.get(x.user[r])!);
    for (const r of s.train) if (testTime.has(x.user[r])) expect(x.timestamp[r]).toBeLessThanOrEqual(testTime.get(x.user[r])!);
    expect(s.train.length + s.valid!.target.length + s.test.target.length).toBe(x.n);
  });
});

describe.skipIf(!mirror)(`ML-100k's official folds (skips when ${noMirrorReason})`, () => {
  it("seeds 1..5 are u1..u5: 80,000 training and 20,000 test ratings each, and the five test folds cover every rating once", async () => {
    const { config } = loadConfig(join(repoRoot, "configs/ml100k-explicit/mf.yaml"), [`data.cacheDir=${join(tmp.dir, "cache-folds")}`, "tracking.enabled=false"]);
    const p = await prepareExperiment(config, join(tmp.dir, "folds"));
    const covered = new Uint8Array(p.interactions.n);
    for (const s of p.seeds) {
      expect([s.split.train.length, s.split.test.target.length]).toEqual([80_000, 20_000]);
      for (const r of s.split.test.target) covered[r]++;
      const train = new Set(s.split.train);
      expect(s.split.test.target.every((r) => !train.has(r))).toBe(true);
    }
    expect(covered.every((c) => c === 1)).toBe(true);
  });
});

/**
 * An ML-20M-shaped release: the real ml-20m movies.csv, links.csv and genome-tags.csv, with synthetic
 * ratings (30,000 users of 8..40 half-star ratings each, 200 movies with 3), tags and genome scores in GroupLens's layout.
 */
function writeSynthetic20m(realMirror: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const f of ["movies.csv", "links.csv", "genome-tags.csv"]) symlinkSync(join(realMirror, "ml-20m-partial", f), join(dir, f));
  const movieIds = readFileSync(join(realMirror, "ml-20m-partial", "movies.csv"), "utf8").split("\n").slice(1, 3201).map((l) => l.split(",")[0]);
  const rng = new Rng(7, "synthetic-ml-20m");
  const lines = ["userId,movieId,rating,timestamp"];
  for (let u = 1; u <= 30_000; u++) {
    const picked = new Set<number>();
    const n = 8 + rng.int(33);
    while (picked.size < n) picked.add(Math.floor(3000 * rng.nextFloat() ** 2)); // popular items first, as in ML-20M
    if (u % 50 === 0) picked.add(3000 + ((u / 50) % 200)); // and a long tail of movies with 3 ratings each
    for (const m of picked) lines.push(`${u},${movieIds[m]},${(1 + rng.int(10)) / 2},${1_100_000_000 + u}`);
  }
  writeFileSync(join(dir, "ratings.csv"), lines.join("\r\n") + "\r\n");
  writeFileSync(join(dir, "tags.csv"), `userId,movieId,tag,timestamp\r\n1,${movieIds[0]},classic,1100000001\r\n`);
  const tagIds = readFileSync(join(realMirror, "ml-20m-partial", "genome-tags.csv"), "utf8").split("\n").slice(1).filter(Boolean).map((l) => l.split(",")[0]);
  writeFileSync(join(dir, "genome-scores.csv"), ["movieId,tagId,relevance", ...movieIds.slice(0, 2).flatMap((m) => tagIds.map((t) => `${m},${t},${rng.nextFloat().toFixed(5)}`))].join("\r\n") + "\r\n");
}

describe.skipIf(!mirror)(`Liang et al.'s ML-20M protocol on an ML-20M-shaped file (skips when ${noMirrorReason})`, () => {
  it("keeps ratings > 3.5 of users with ≥ 5 of them, holds out 10,000 + 10,000 users and folds in 80% of each, seed 98765", async () => {
    const m = join(tmp.dir, "mirror-20m");
    writeSynthetic20m(mirror!, join(m, "ml-20m"));
    for (const file of ["multvae", "recvae"]) {
      const { config } = loadConfig(join(repoRoot, `configs/ml20m/${file}.yaml`), [`data.mirror=${m}`, `data.cacheDir=${join(tmp.dir, "cache-20m")}`, "tracking.enabled=false"]);
      expect(config.experiment.seeds).toEqual([98765]);
      const p = await prepareExperiment(config, join(tmp.dir, `run-20m-${file}`));
      const x = p.interactions;
      expect(x.rating.reduce((a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(4);
      const perUser = new Uint32Array(x.nUsers);
      const perItem = new Uint32Array(x.nItems);
      for (let i = 0; i < x.n; i++) (perUser[x.user[i]]++, perItem[x.item[i]]++);
      expect(perUser.reduce((a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(5);
      expect(perItem.reduce((a, b) => Math.min(a, b))).toBeLessThan(5); // items are not filtered
      expect(x.nUsers).toBeGreaterThan(20_000);
      const s = p.seeds[0].split;
      expect([s.seed, s.kind, s.params.nTestUsers, s.params.nValidUsers]).toEqual([98765, "user-holdout", 10_000, 10_000]);
      const train = new Uint8Array(x.nUsers);
      for (const r of s.train) train[x.user[r]] = 1;
      const heldOut = new Map<number, [number, number]>();
      for (const [part, rows] of [[0, s.test.history], [1, s.test.target]] as const) {
        for (const r of rows) {
          expect(train[x.user[r]]).toBe(0);
          const c = heldOut.get(x.user[r]) ?? [0, 0];
          c[part]++;
          heldOut.set(x.user[r], c);
        }
      }
      expect(heldOut.size).toBeGreaterThan(9_900); // a user whose every positive is on an item no training user has drops out
      // 20% of each test user's kept positives are targets (Liang: int(0.2 · n) of a user's items after dropping unseen items).
      for (const [h, t] of heldOut.values()) expect(t).toBe(Math.floor(0.2 * (h + t)));
    }
  });
});
