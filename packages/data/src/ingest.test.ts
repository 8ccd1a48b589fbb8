import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError, setQuiet } from "@mle/core";
import { noMirrorReason, tempDir, testMirror } from "@mle/core/testing";
import { integrityWarnings } from "./dataset.ts";
import { loadDataset } from "./ingest.ts";
import { linkMl1mSample, writeSynthetic10m, writeSyntheticLatest } from "./test-fixtures.ts";

const mirror = testMirror();
const tmp = tempDir();
const cacheDir = join(tmp.dir, "cache");
beforeAll(() => setQuiet(true));
afterAll(tmp.cleanup);

describe.skipIf(!mirror)(`real MovieLens releases from the mirror (skips when ${noMirrorReason})`, () => {
  it("ml-latest-small: 610 users, 9,742 movies, 100,836 ratings, tags and links", async () => {
    const { dataset: d, fromCache } = await loadDataset("ml-latest-small", { mirror: mirror!, cacheDir });
    expect(fromCache).toBe(false);
    expect([d.nUsers, d.nItems, d.nRatings]).toEqual([610, 9742, 100_836]);
    expect(d.tags!.item.length).toBe(3683);
    const toy = d.itemIds.indexOf(1);
    expect(d.movies.title[toy]).toBe("Toy Story (1995)");
    expect(d.movies.year[toy]).toBe(1995);
    const genres = d.movies.genreNames.filter((_, g) => d.movies.genres[toy * d.movies.genreNames.length + g]);
    expect(genres).toEqual(["Adventure", "Animation", "Children", "Comedy", "Fantasy"]);
    expect(d.links!.tmdbId[toy]).toBe(862);
    // first row of ratings.csv: 1,1,4.0,964982703
    expect([d.userIds[d.ratings.user[0]], d.itemIds[d.ratings.item[0]], d.ratings.rating[0], d.ratings.timestamp[0]]).toEqual([1, 1, 4, 964982703]);
  });

  it("reloads from the checksum-keyed cache with identical contents", async () => {
    const first = await loadDataset("ml-latest-small", { mirror: mirror!, cacheDir });
    const again = await loadDataset("ml-latest-small", { mirror: mirror!, cacheDir });
    expect(again.fromCache).toBe(true);
    expect(again.dataset.checksum).toBe(first.dataset.checksum);
    expect(again.cacheFile).toContain(first.dataset.checksum.slice(0, 16));
    expect(Buffer.from(again.dataset.ratings.item.buffer, again.dataset.ratings.item.byteOffset, again.dataset.ratings.item.byteLength))
      .toEqual(Buffer.from(first.dataset.ratings.item.buffer, first.dataset.ratings.item.byteOffset, first.dataset.ratings.item.byteLength));
    expect(again.dataset.movies.title).toEqual(first.dataset.movies.title);
  });

  it("ml-100k (tab-separated u.data, Latin-1 u.item): 943 users, 1,682 movies, 100,000 ratings", async () => {
    const { dataset: d } = await loadDataset("ml-100k", { mirror: mirror!, cacheDir });
    expect([d.nUsers, d.nItems, d.nRatings]).toEqual([943, 1682, 100_000]);
    expect(d.movies.genreNames[0]).toBe("unknown");
    expect(d.tags).toBeUndefined();
  });

  it("ml-1m's `::` format on the real sample (CRLF lines, no final newline)", async () => {
    const m = join(tmp.dir, "mirror-1m");
    mkdirSync(m);
    linkMl1mSample(mirror!, m);
    const { dataset: d } = await loadDataset("ml-1m", { mirror: m, cacheDir });
    // 43,745 newline-terminated lines plus the unterminated last one (`wc -l` says 43,745).
    expect(d.nRatings).toBe(43_746);
    expect(d.nItems).toBe(3883);
    expect(d.userIds[0]).toBe(1);
    const last = d.nRatings - 1; // last line: 301::2987::4::976505562
    expect([d.userIds[d.ratings.user[last]], d.itemIds[d.ratings.item[last]], d.ratings.rating[last]]).toEqual([301, 2987, 4]);
    expect(d.movies.title[d.itemIds.indexOf(1)]).toBe("Toy Story (1995)");
  });

  it("a changed source file changes the checksum and is ingested again", async () => {
    const m = join(tmp.dir, "mirror-changed");
    cpSync(join(mirror!, "ml-100k"), join(m, "ml-100k"), { recursive: true });
    const before = await loadDataset("ml-100k", { mirror: m, cacheDir });
    appendFileSync(join(m, "ml-100k", "u.data"), "1\t1\t5\t999999999\n");
    const after = await loadDataset("ml-100k", { mirror: m, cacheDir });
    expect(after.fromCache).toBe(false);
    expect(after.dataset.checksum).not.toBe(before.dataset.checksum);
    expect(after.dataset.nRatings).toBe(100_001);
  });
});

describe("layouts of releases that cannot be obtained here (synthetic files, same format)", () => {
  it("ml-latest: csv files with quoted titles, tags, links and the tag genome", async () => {
    const m = join(tmp.dir, "mirror-latest");
    writeSyntheticLatest(m);
    const { dataset: d } = await loadDataset("ml-latest", { mirror: m, cacheDir });
    expect([d.nUsers, d.nItems, d.nRatings]).toEqual([3, 4, 4]);
    expect(d.movies.title[1]).toBe("Father of the Bride Part II, The (1995)");
    expect([...d.movies.year]).toEqual([1995, 1995, 0, 1994]);
    expect(d.movies.genres.slice(2 * d.movies.genreNames.length, 3 * d.movies.genreNames.length).every((g) => g === 0)).toBe(true);
    expect(d.tags!.vocabulary).toEqual(["funny, warm", "pixar"]);
    expect([...d.links!.tmdbId]).toEqual([862, -1, 2, 4]);
    expect(d.genome!.tagNames).toEqual(["007", "animated"]);
    expect([...d.genome!.items]).toEqual([0, 1]);
    expect([...d.genome!.relevance]).toEqual([0.019999999552965164, 0.9800000190734863, 0.5, 0.25]);
    const again = await loadDataset("ml-latest", { mirror: m, cacheDir });
    expect(again.fromCache).toBe(true);
    expect([...again.dataset.genome!.relevance]).toEqual([...d.genome!.relevance]);
  });

  it("ml-10m: `::` ratings with half stars, movies.dat and tags.dat in the ml-10M100K layout", async () => {
    const m = join(tmp.dir, "mirror-10m");
    writeSynthetic10m(m);
    const { dataset: d } = await loadDataset("ml-10m", { mirror: m, cacheDir });
    expect([...d.ratings.rating]).toEqual([5, 4.5, 3]);
    expect(d.tags!.vocabulary).toEqual(["excellent!"]);
  });
});

describe("bad input", () => {
  it("an unknown dataset name lists the known ones", async () => {
    await expect(loadDataset("ml-5k", { cacheDir })).rejects.toThrow(/unknown dataset "ml-5k"; known: ml-latest, ml-latest-small, ml-100k/);
  });

  it("a mirror folder that does not exist", async () => {
    await expect(loadDataset("ml-100k", { mirror: join(tmp.dir, "nope"), cacheDir })).rejects.toBeInstanceOf(UserError);
  });

  it("a malformed row names file and line and caches nothing", async () => {
    const m = join(tmp.dir, "mirror-bad");
    writeSyntheticLatest(m);
    appendFileSync(join(m, "ml-latest", "ratings.csv"), "4,1,four,1004\n");
    const own = join(tmp.dir, "cache-bad");
    await expect(loadDataset("ml-latest", { mirror: m, cacheDir: own })).rejects.toThrow("ratings.csv:6: field 3 is not a number: \"four\"");
    expect(readdirSync(join(own, "datasets")).filter((f) => f.endsWith(".bin") || f.endsWith(".tmp"))).toEqual([]);
    expect(existsSync(join(own, "datasets", "index.json"))).toBe(false);
  });
});

describe("rows that name a movie the movies file does not list", () => {
  it("ratings are kept as untitled items, tags/links/genome rows dropped, and every case is counted and said", async () => {
    const m = join(tmp.dir, "unlisted");
    writeSyntheticLatest(m);
    const dir = join(m, "ml-latest");
    appendFileSync(join(dir, "ratings.csv"), "2,999,3.0,1004\n4,999,4.0,1005\n");
    appendFileSync(join(dir, "tags.csv"), "1,999,orphan,1502\n");
    appendFileSync(join(dir, "links.csv"), "999,5,6\n");
    appendFileSync(join(dir, "genome-scores.csv"), "999,1,0.1\n999,2,0.2\n");
    const { dataset: d } = await loadDataset("ml-latest", { mirror: m, cacheDir: join(tmp.dir, "unlisted-cache") });
    expect(d.integrity).toEqual({ ratingsOfUnlistedMovies: 2, unlistedRatedMovies: 1, tagsOfUnlistedMovies: 1, linksOfUnlistedMovies: 1, genomeRowsOfUnlistedMovies: 1 });
    const orphan = d.itemIds.indexOf(999);
    expect(orphan).toBeGreaterThanOrEqual(0);
    expect(d.movies.title[orphan]).toBe("");
    expect(integrityWarnings(d)).toEqual([
      "ml-latest: 2 rating(s) of 1 movie(s) the movies file does not list — kept, as untitled items",
      "ml-latest: 1 tag application(s) of movies the movies file does not list — dropped",
      "ml-latest: 1 link row(s) of movies the movies file does not list — dropped",
      "ml-latest: genome scores of 1 movie(s) the movies file does not list — dropped",
    ]);
    // The cached copy carries the counts too.
    expect((await loadDataset("ml-latest", { mirror: m, cacheDir: join(tmp.dir, "unlisted-cache") })).dataset.integrity).toEqual(d.integrity);
  });

  it("a clean release says nothing", async () => {
    const m = join(tmp.dir, "clean");
    writeSyntheticLatest(m);
    expect(integrityWarnings((await loadDataset("ml-latest", { mirror: m, cacheDir: join(tmp.dir, "clean-cache") })).dataset)).toEqual([]);
  });
});
