import { closeSync, openSync, writeFileSync, writeSync } from "node:fs";
import { Rng } from "@mle/core";

/** ML-20M (2016): 138,493 users × 26,744 movies, 20,000,263 ratings — the scale the MF benches use. */
export const ML_20M_SHAPE = { rows: 20_000_263, users: 138_493, movies: 26_744, maxMovieId: 131_262, firstTs: 789_652_009, lastTs: 1_427_784_002 };

/** ML-20M after Liang et al.'s filter (ratings > 3.5, users with ≥ 5): 136,677 users × 20,720 movies, about 10M interactions. */
export const ML_20M_LIANG_SHAPE = { rows: 10_000_000, users: 136_677, movies: 20_720, maxMovieId: 131_262, firstTs: 789_652_009, lastTs: 1_427_784_002 };

/** The shape of the full MovieLens "Latest" release (2023-07): what the synthetic file imitates. */
export const ML_LATEST_SHAPE = { rows: 33_832_162, users: 330_975, movies: 86_537, maxMovieId: 288_983, firstTs: 789_652_009, lastTs: 1_689_842_620 };

export interface SyntheticShape {
  rows: number;
  users: number;
  movies: number;
  maxMovieId: number;
  firstTs: number;
  lastTs: number;
}

/**
 * Writes a deterministic `ratings.csv` with the layout of a MovieLens release: header, rows sorted
 * by userId then movieId, half-star ratings, Unix timestamps. User activity is heavy-tailed and
 * movie popularity Zipf-like, so per-user and per-item counts look like the real thing.
 */
export function writeSyntheticRatings(path: string, shape: SyntheticShape, seed = 1, format: "csv" | "udata" = "csv"): void {
  const rng = new Rng(seed, "synthetic-ratings");
  const movieIds = new Int32Array(shape.movies);
  for (let i = 0; i < shape.movies; i++) movieIds[i] = 1 + Math.floor((i * (shape.maxMovieId - 1)) / (shape.movies - 1));
  // Zipf(1.0) popularity by rank, sampled through its CDF; ranks are scattered over ids.
  const rankToMovie = rng.fork("ranks").permutation(shape.movies);
  const cdf = new Float64Array(shape.movies);
  let acc = 0;
  for (let r = 0; r < shape.movies; r++) cdf[r] = acc += 1 / (r + 10);
  for (let r = 0; r < shape.movies; r++) cdf[r] /= acc;
  const counts = userCounts(shape, rng.fork("counts"));
  const fd = openSync(path, "w");
  const out = Buffer.allocUnsafe(1 << 24);
  let o = format === "csv" ? out.write("userId,movieId,rating,timestamp\n") : 0;
  const sep = format === "csv" ? "," : "\t";
  const chosen = new Int32Array(shape.movies).fill(-1);
  const picks: number[] = [];
  const span = shape.lastTs - shape.firstTs;
  for (let u = 0; u < shape.users; u++) {
    picks.length = 0;
    const n = counts[u];
    while (picks.length < n) {
      const r = lowerBound(cdf, rng.nextFloat());
      const m = rankToMovie[Math.min(r, shape.movies - 1)];
      if (chosen[m] !== u) {
        chosen[m] = u;
        picks.push(m);
      }
    }
    picks.sort((a, b) => a - b); // movie index order = movieId order
    const userStart = shape.firstTs + Math.floor(rng.nextFloat() * span * 0.9);
    for (const m of picks) {
      const half = 1 + Math.min(9, Math.floor(Math.abs(rng.normal() * 2.1 + 7)));
      const ts = userStart + Math.floor(rng.nextFloat() * (shape.lastTs - userStart));
      const line = `${u + 1}${sep}${movieIds[m]}${sep}${(half / 2).toFixed(1)}${sep}${ts}\n`;
      if (o + line.length > out.length) {
        writeSync(fd, out, 0, o);
        o = 0;
      }
      o += out.write(line, o, "latin1");
    }
  }
  writeSync(fd, out, 0, o);
  closeSync(fd);
}

/** Heavy-tailed per-user counts (≥ 1) that sum exactly to `rows`. */
function userCounts(shape: SyntheticShape, rng: Rng): Int32Array {
  const w = new Float64Array(shape.users);
  let sum = 0;
  for (let u = 0; u < shape.users; u++) sum += w[u] = Math.exp(1.3 * rng.normal());
  const counts = new Int32Array(shape.users);
  let total = 0;
  const cap = Math.floor(shape.movies * 0.4);
  for (let u = 0; u < shape.users; u++) total += counts[u] = Math.min(cap, Math.max(1, Math.round((w[u] / sum) * shape.rows)));
  for (let u = 0; total !== shape.rows; u = (u + 1) % shape.users) {
    const step = total < shape.rows ? 1 : -1;
    if (step > 0 ? counts[u] < cap : counts[u] > 1) (counts[u] += step), (total += step);
  }
  return counts;
}

function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `movies.csv` for the movie ids `writeSyntheticRatings` uses (titles with years, genres). */
export function writeSyntheticMovies(path: string, shape: SyntheticShape): void {
  const genres = ["Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama", "Fantasy", "Horror", "Romance", "Sci-Fi", "Thriller"];
  const lines = ["movieId,title,genres"];
  for (let i = 0; i < shape.movies; i++) {
    const id = 1 + Math.floor((i * (shape.maxMovieId - 1)) / (shape.movies - 1));
    lines.push(`${id},"Movie ${id}, The (${1900 + (id % 124)})",${genres[id % genres.length]}|${genres[(id >> 3) % genres.length]}`);
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

/**
 * The real release's content files (2023-07): 2,328,315 tag applications (its README) and 1,128 genome tags. The genome's
 * 16,376 movies and the 20,000-tag vocabulary are this file's assumptions, not checked against the release.
 */
export const ML_LATEST_CONTENT = { tagRows: 2_328_315, tagVocabulary: 20_000, genomeMovies: 16_376, genomeTags: 1_128 };

/**
 * `tags.csv` and `genome-tags.csv`/`genome-scores.csv` for the movie ids `writeSyntheticRatings` uses, in the
 * release's layout and at its size, so content models pay full-size feature costs. Tags are Zipf-like over a
 * vocabulary, applied mostly to low movie ids; the genome covers movies spread evenly over the catalogue, with
 * relevances in [0, 1].
 */
export function writeSyntheticContent(dir: string, shape: SyntheticShape, content = ML_LATEST_CONTENT, seed = 1): void {
  const rng = new Rng(seed, "synthetic-content");
  const movieId = (i: number) => 1 + Math.floor((i * (shape.maxMovieId - 1)) / (shape.movies - 1));
  const lines: string[] = ["userId,movieId,tag,timestamp"];
  for (let r = 0; r < content.tagRows; r++) {
    const tag = Math.floor(Math.exp(rng.nextFloat() * Math.log(content.tagVocabulary)));
    const m = Math.floor(shape.movies * rng.nextFloat() ** 3);
    lines.push(`${1 + Math.floor(rng.nextFloat() * shape.users)},${movieId(m)},tag ${tag},${shape.firstTs + Math.floor(rng.nextFloat() * (shape.lastTs - shape.firstTs))}`);
  }
  writeFileSync(`${dir}/tags.csv`, `${lines.join("\n")}\n`);
  writeFileSync(`${dir}/genome-tags.csv`, `tagId,tag\n${Array.from({ length: content.genomeTags }, (_, t) => `${t + 1},genome ${t + 1}`).join("\n")}\n`);
  const fd = openSync(`${dir}/genome-scores.csv`, "w");
  writeSync(fd, "movieId,tagId,relevance\n");
  const step = shape.movies / content.genomeMovies;
  for (let g = 0; g < content.genomeMovies; g++) {
    const id = movieId(Math.floor(g * step));
    const rows: string[] = [];
    for (let t = 1; t <= content.genomeTags; t++) rows.push(`${id},${t},${(rng.nextFloat() ** 2).toFixed(5)}`);
    writeSync(fd, `${rows.join("\n")}\n`);
  }
  closeSync(fd);
}
