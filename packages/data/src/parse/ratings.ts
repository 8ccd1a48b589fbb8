import type { RatingsFormat } from "../registry.ts";
import { readNumericTable } from "./parallel-table.ts";

/** Ratings as parsed, before ids are made dense. */
export interface RawRatings {
  user: Int32Array;
  movie: Int32Array;
  rating: Float32Array;
  timestamp: Uint32Array;
  rows: number;
}

const COLUMNS = { user: "i32", movie: "i32", rating: "f32", timestamp: "u32" } as const;
const BOUNDS = { user: [0, 2 ** 31 - 1], movie: [0, 2 ** 31 - 1], rating: [0, 5] } as { user: [number, number]; movie: [number, number]; rating: [number, number] };

const LAYOUT: Record<RatingsFormat, { separator: "," | "::" | "\t"; header: string | null }> = {
  csv: { separator: ",", header: "userId,movieId,rating,timestamp" },
  dat: { separator: "::", header: null },
  udata: { separator: "\t", header: null },
};

/** Reads `ratings.csv`, `ratings.dat` (`::`) or `u.data` (tabs); errors name the file and line. */
export async function readRatings(
  path: string, format: RatingsFormat, onProgress?: (done: number, total: number) => void, options?: { threads?: number; minParallelBytes?: number },
): Promise<RawRatings> {
  const t = await readNumericTable(path, { ...LAYOUT[format], columns: COLUMNS, bounds: BOUNDS, onProgress }, options);
  return { user: t.user, movie: t.movie, rating: t.rating, timestamp: t.timestamp, rows: t.rows };
}
