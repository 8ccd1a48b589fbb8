import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError, setQuiet } from "@mle/core";
import { noMirrorReason, tempDir, testMirror } from "@mle/core/testing";
import { loadDataset } from "../ingest.ts";
import { preprocess, type Interactions } from "../interactions.ts";
import { tinyDataset } from "../test-fixtures.ts";
import { makeSplit, splitSchema, type SplitConfig } from "./index.ts";
import { SPLIT_PARTS, readSplitRows, writeSplit } from "./persist.ts";
import type { Dataset } from "../dataset.ts";
import type { Split } from "./types.ts";

const mirror = testMirror();
const tmp = tempDir();
let x: Interactions;
let ds: Dataset;
beforeAll(async () => {
  setQuiet(true);
  if (!mirror) return;
  const { dataset } = await loadDataset("ml-latest-small", { mirror, cacheDir: join(tmp.dir, "cache") });
  ds = dataset;
  x = preprocess(dataset, { feedback: { kind: "implicit", minRating: 0 }, kCore: { users: 0, items: 0 }, duplicates: "keep-last" });
});
afterAll(tmp.cleanup);

const configs: Record<string, SplitConfig> = {
  temporal: splitSchema.parse({ kind: "temporal" }),
  "leave-last": splitSchema.parse({ kind: "leave-last", test: 2, valid: 1 }),
  "leave-last fraction": splitSchema.parse({ kind: "leave-last", by: "fraction", test: 0.2, valid: 0.1 }),
  "user-holdout": splitSchema.parse({ kind: "user-holdout", validUsers: 60, testUsers: 0.1 }),
  random: splitSchema.parse({ kind: "random", train: 0.75, valid: 0, test: 0.25 }),
  "random global": splitSchema.parse({ kind: "random", byUser: false }),
};

const set = (rows: Uint32Array) => new Set(rows);
const disjoint = (a: Uint32Array, b: Uint32Array) => {
  const s = set(a);
  return b.every((r) => !s.has(r));
};
const files = (dir: string) => ["split-manifest.json", "split-justification.md", "split.bin"].map((f) => readFileSync(join(dir, f)));

describe.skipIf(!mirror)(`every split kind on ml-latest-small (skips when ${noMirrorReason})`, () => {
  for (const [name, config] of Object.entries(configs)) {
    describe(name, () => {
      let s: Split;
      beforeAll(() => (s = makeSplit(x, config, 7)));

      it("is byte-identical for the same seed", () => {
        const again = makeSplit(x, config, 7);
        expect(again.manifest.hash).toBe(s.manifest.hash);
        const a = join(tmp.dir, `${name}-a`);
        const b = join(tmp.dir, `${name}-b`);
        writeSplit(a, s, x, ds);
        writeSplit(b, again, x, ds);
        expect(files(a)).toEqual(files(b));
      });

      it("split.bin holds every part as raw (userId, movieId) rows, readable without the cache", () => {
        const dir = join(tmp.dir, `${name}-raw`);
        writeSplit(dir, s, x, ds);
        const { hash, rows } = readSplitRows(dir);
        expect(hash).toBe(s.manifest.hash);
        const raw = (r: number) => `${ds.userIds[x.userOf[x.user[r]]]}:${ds.itemIds[x.itemOf[x.item[r]]]}`;
        const parts: [Uint32Array | undefined, number][] = [[s.train, SPLIT_PARTS.train], [s.test.history, SPLIT_PARTS.testHistory], [s.test.target, SPLIT_PARTS.testTarget], [s.valid?.history, SPLIT_PARTS.validHistory], [s.valid?.target, SPLIT_PARTS.validTarget]];
        for (const [want, bit] of parts) {
          const got = [];
          for (let k = 0; k < rows.userId.length; k++) if (rows.parts[k] & bit) got.push(`${rows.userId[k]}:${rows.movieId[k]}`);
          expect(got.sort()).toEqual([...(want ?? [])].map(raw).sort());
        }
      });

      it("changes with the seed where it is random", () => {
        const other = makeSplit(x, config, 8);
        const random = config.kind === "random" || config.kind === "user-holdout";
        expect(other.manifest.hash).not.toBe(s.manifest.hash); // the seed is part of what is hashed
        if (random) expect([...other.test.target]).not.toEqual([...s.test.target]);
        else expect([...other.test.target]).toEqual([...s.test.target]); // deterministic kinds ignore the seed but hash it
      });

      it("leaks nothing: targets are disjoint from training and from the history", () => {
        for (const part of [s.valid, s.test]) {
          if (!part) continue;
          expect(disjoint(s.train, part.target)).toBe(true);
          expect(disjoint(part.history, part.target)).toBe(true);
        }
        if (s.valid) expect(disjoint(s.valid.target, s.test.target)).toBe(true);
      });

      it("accounts for every interaction and counts parts in the manifest", () => {
        const all = new Set([...s.train, ...(s.valid?.target ?? []), ...s.test.target, ...(s.kind === "user-holdout" ? [...s.test.history, ...(s.valid?.history ?? [])] : [])]);
        const dropped = s.manifest.notes.droppedUnseenItemRows ?? 0;
        expect(all.size + dropped).toBe(x.n);
        expect(s.manifest.counts.train.rows).toBe(s.train.length);
        expect(s.manifest.counts.test.target.rows).toBe(s.test.target.length);
        expect(s.justification.length).toBeGreaterThan(100);
      });
    });
  }

  it("temporal: no training interaction is later than any target", () => {
    const s = makeSplit(x, configs.temporal, 1);
    const max = (rows: Uint32Array) => rows.reduce((m, r) => Math.max(m, x.timestamp[r]), 0);
    const min = (rows: Uint32Array) => rows.reduce((m, r) => Math.min(m, x.timestamp[r]), Infinity);
    expect(max(s.train)).toBeLessThan(min(s.valid!.target));
    expect(max(s.valid!.target)).toBeLessThan(min(s.test.target));
    expect(s.test.target.length / x.n).toBeCloseTo(0.1, 1);
  });

  it("leave-last: per user, every target is at or after every history interaction", () => {
    const s = makeSplit(x, configs["leave-last"], 1);
    const lastHistory = new Map<number, number>();
    for (const r of s.test.history) lastHistory.set(x.user[r], Math.max(lastHistory.get(x.user[r]) ?? 0, x.timestamp[r]));
    for (const r of s.test.target) expect(x.timestamp[r]).toBeGreaterThanOrEqual(lastHistory.get(x.user[r]) ?? 0);
    const perUser = new Map<number, number>();
    for (const r of s.test.target) perUser.set(x.user[r], (perUser.get(x.user[r]) ?? 0) + 1);
    expect([...perUser.values()].every((c) => c === 2)).toBe(true);
  });

  it("user-holdout: held-out users never train; about 20% of their interactions are targets", () => {
    const s = makeSplit(x, configs["user-holdout"], 1);
    const trainUsers = new Set([...s.train].map((r) => x.user[r]));
    for (const r of [...s.test.history, ...s.test.target, ...s.valid!.history]) expect(trainUsers.has(x.user[r])).toBe(false);
    expect(s.manifest.counts.test.history.users).toBe(61);
    expect(s.manifest.counts.valid!.history.users).toBe(60);
    const share = s.test.target.length / (s.test.target.length + s.test.history.length);
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.2);
  });

  it("random by user: each user's share follows the ratio", () => {
    const s = makeSplit(x, configs.random, 1);
    const n = new Map<number, number>();
    const t = new Map<number, number>();
    for (let i = 0; i < x.n; i++) n.set(x.user[i], (n.get(x.user[i]) ?? 0) + 1);
    for (const r of s.test.target) t.set(x.user[r], (t.get(x.user[r]) ?? 0) + 1);
    for (const [u, c] of n) expect(t.get(u) ?? 0).toBe(c - Math.round(0.75 * c));
  });
});

describe("splits that leave a part empty", () => {
  const tiny = preprocess(tinyDataset([[0, 0, 5, 1], [0, 1, 5, 1], [1, 0, 5, 1]]), {
    feedback: { kind: "explicit" }, kCore: { users: 0, items: 0 }, duplicates: "keep-last",
  });
  it("say which part and exit as a user error", () => {
    expect(() => makeSplit(tiny, splitSchema.parse({ kind: "leave-last", test: 1, valid: 1 }), 1)).toThrow(UserError);
    expect(() => makeSplit(tiny, splitSchema.parse({ kind: "leave-last", test: 1, valid: 1 }), 1)).toThrow(/leaves the test target part empty/);
    expect(() => makeSplit(tiny, splitSchema.parse({ kind: "user-holdout", validUsers: 1, testUsers: 1 }), 1)).toThrow(/leave no training user/);
  });
});
