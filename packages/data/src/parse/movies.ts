import { basename } from "node:path";
import { parse } from "csv-parse/sync";
import { DataFormatError } from "@mle/core";
import { datRecords, lines, readText } from "./text.ts";

export interface RawMovies {
  movieId: Int32Array;
  title: string[];
  /** Release year parsed from the title, 0 when the title has none. */
  year: Int16Array;
  /** Genre names per movie ("(no genres listed)" becomes none). */
  genres: string[][];
  /** Genre vocabulary in the release's own order where it has one (u.genre), else sorted. */
  genreNames: string[];
}

const YEAR = /\((\d{4})(?:[–-]\d{0,4})?\)\s*$/;
const NO_GENRES = "(no genres listed)";

export function yearFromTitle(title: string): number {
  const m = YEAR.exec(title);
  return m ? Number(m[1]) : 0;
}

function build(file: string, rows: { id: number; title: string; genres: string[]; line: number; released?: number }[], vocab?: string[]): RawMovies {
  const seen = new Set<number>();
  for (const r of rows) {
    if (!Number.isInteger(r.id) || r.id < 0) throw new DataFormatError(file, r.line, `movieId is not a non-negative integer`);
    if (seen.has(r.id)) throw new DataFormatError(file, r.line, `duplicate movieId ${r.id}`);
    seen.add(r.id);
  }
  const genreNames = vocab ?? [...new Set(rows.flatMap((r) => r.genres))].sort();
  return {
    movieId: Int32Array.from(rows, (r) => r.id),
    title: rows.map((r) => r.title),
    year: Int16Array.from(rows, (r) => yearFromTitle(r.title) || (r.released ?? 0)),
    genres: rows.map((r) => r.genres),
    genreNames,
  };
}

const splitGenres = (g: string) => (g === NO_GENRES || g === "" ? [] : g.split("|"));

/** `movies.csv`: movieId,title,genres (titles may be quoted). */
export function readMoviesCsv(path: string): RawMovies {
  const file = basename(path);
  const records = parseCsv(path, ["movieId", "title", "genres"]);
  return build(file, records.map(([id, title, genres], i) => ({ id: Number(id), title, genres: splitGenres(genres), line: i + 2 })));
}

/** `movies.dat` (ML-1M, ML-10M): MovieID::Title::Genres. */
export function readMoviesDat(path: string): RawMovies {
  const rows = [];
  for (const [f, n] of datRecords(path, 3)) rows.push({ id: Number(f[0]), title: f[1], genres: splitGenres(f[2]), line: n });
  return build(basename(path), rows);
}

/** `u.item` (ML-100K): id|title|release date|video release|IMDb URL|19 genre flags, in `u.genre`'s order; the release date gives the year when the title has none. */
export function readUItem(path: string): RawMovies {
  const file = basename(path);
  const vocab = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
    "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"];
  const rows = [];
  for (const [l, n] of lines(readText(path))) {
    const f = l.split("|");
    if (f.length !== 5 + vocab.length) throw new DataFormatError(file, n, `expected ${5 + vocab.length} fields separated by "|", found ${f.length}`);
    const genres = vocab.filter((_, g) => f[5 + g] === "1");
    const released = /(\d{4})$/.exec(f[2]);
    rows.push({ id: Number(f[0]), title: f[1], genres, line: n, released: released ? Number(released[1]) : 0 });
  }
  return build(file, rows, vocab);
}

/** A CSV with a known header, as string records; errors carry the file and line. */
export function parseCsv(path: string, header: string[]): string[][] {
  const file = basename(path);
  let records: string[][];
  try {
    records = parse(readText(path), { relax_column_count: false, skip_empty_lines: true }) as string[][];
  } catch (e) {
    const err = e as { lines?: number; message: string };
    throw new DataFormatError(file, err.lines ?? 0, err.message.replace(/^Invalid Record Length: /, ""));
  }
  const found = (records[0] ?? []).join(",");
  if (found !== header.join(",")) throw new DataFormatError(file, 1, `expected header "${header.join(",")}", found "${found.slice(0, 120)}"`);
  return records.slice(1);
}
