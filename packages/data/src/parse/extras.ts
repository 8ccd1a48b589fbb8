import { basename } from "node:path";
import { DataFormatError } from "@mle/core";
import { parseCsv } from "./movies.ts";
import { readNumericTable } from "./parallel-table.ts";
import { datRecords } from "./text.ts";

export interface RawTags {
  user: Int32Array;
  movie: Int32Array;
  tag: string[];
  timestamp: Uint32Array;
}

function toTags(rows: { u: number; m: number; tag: string; ts: number; line: number }[], file: string): RawTags {
  for (const r of rows) {
    if (!Number.isInteger(r.u) || !Number.isInteger(r.m) || !Number.isInteger(r.ts)) {
      throw new DataFormatError(file, r.line, "userId, movieId and timestamp must be integers");
    }
  }
  return {
    user: Int32Array.from(rows, (r) => r.u),
    movie: Int32Array.from(rows, (r) => r.m),
    tag: rows.map((r) => r.tag),
    timestamp: Uint32Array.from(rows, (r) => r.ts),
  };
}

/** `tags.csv`: userId,movieId,tag,timestamp. */
export function readTagsCsv(path: string): RawTags {
  const rows = parseCsv(path, ["userId", "movieId", "tag", "timestamp"]);
  return toTags(rows.map((f, i) => ({ u: Number(f[0]), m: Number(f[1]), tag: f[2], ts: Number(f[3]), line: i + 2 })), basename(path));
}

/** `tags.dat` (ML-10M): UserID::MovieID::Tag::Timestamp. */
export function readTagsDat(path: string): RawTags {
  const rows = [];
  for (const [f, n] of datRecords(path, 4)) rows.push({ u: Number(f[0]), m: Number(f[1]), tag: f[2], ts: Number(f[3]), line: n });
  return toTags(rows, basename(path));
}

export interface RawLinks {
  movie: Int32Array;
  imdbId: Int32Array;
  /** -1 where the release has no TMDB id. */
  tmdbId: Int32Array;
}

/** `links.csv`: movieId,imdbId,tmdbId (tmdbId may be empty). */
export function readLinks(path: string): RawLinks {
  const rows = parseCsv(path, ["movieId", "imdbId", "tmdbId"]);
  return {
    movie: Int32Array.from(rows, (f) => Number(f[0])),
    imdbId: Int32Array.from(rows, (f) => Number(f[1])),
    tmdbId: Int32Array.from(rows, (f) => (f[2] === "" ? -1 : Number(f[2]))),
  };
}

export interface RawGenome {
  tagNames: string[];
  /** Movies that have genome scores, ascending. */
  movie: Int32Array;
  /** movies × tags relevance in [0, 1], row-major, in `movie` order. */
  relevance: Float32Array;
}

/** `genome-tags.csv` + `genome-scores.csv` (movieId,tagId,relevance) into a dense movies × tags matrix. */
export async function readGenome(tagsPath: string, scoresPath: string): Promise<RawGenome> {
  const tags = parseCsv(tagsPath, ["tagId", "tag"]);
  const tagCol = new Map<number, number>();
  tags.forEach((f, i) => tagCol.set(Number(f[0]), i));
  const s = await readNumericTable(scoresPath, {
    separator: ",",
    header: "movieId,tagId,relevance",
    columns: { movie: "i32", tag: "i32", relevance: "f32" },
    bounds: { relevance: [0, 1] },
  });
  const movies = [...new Set(s.movie)].sort((a, b) => a - b);
  const row = new Map(movies.map((m, i) => [m, i]));
  const nt = tags.length;
  const relevance = new Float32Array(movies.length * nt);
  const filled = new Uint8Array(movies.length * nt);
  const file = basename(scoresPath);
  for (let i = 0; i < s.rows; i++) {
    const c = tagCol.get(s.tag[i]);
    if (c === undefined) throw new DataFormatError(file, i + 2, `tagId ${s.tag[i]} is not in ${basename(tagsPath)}`);
    const at = row.get(s.movie[i])! * nt + c;
    relevance[at] = s.relevance[i];
    filled[at] = 1;
  }
  const missing = filled.indexOf(0);
  if (missing >= 0) {
    throw new DataFormatError(file, 0, `no score for movie ${movies[Math.floor(missing / nt)]} and tag ${tags[missing % nt][0]}: the genome must be a full matrix`);
  }
  return { tagNames: tags.map((f) => f[1]), movie: Int32Array.from(movies), relevance };
}
