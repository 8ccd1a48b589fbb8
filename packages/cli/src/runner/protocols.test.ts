import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setQuiet } from "@mle/core";
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
