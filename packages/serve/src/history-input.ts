import { readFileSync } from "node:fs";
import { UserError } from "@mle/core";
import type { Rated } from "./recommender.ts";

/** `"<movieId>:<rating>,…"` (a rating-less `<movieId>` counts as 5), as `--history` takes it. */
export function parseHistoryList(text: string): Rated[] {
  const parts = text.split(",").map((s) => s.trim()).filter(Boolean);
  if (!parts.length) throw new UserError("the history is empty", "give at least one rated movie: --history \"1:5,260:4.5\"");
  return parts.map((p, k) => {
    const m = /^(\d+)(?::(\d+(?:\.\d+)?))?$/.exec(p);
    if (!m) throw new UserError(`history entry ${k + 1} "${p}" is not <movieId>:<rating>`, "e.g. --history \"1:5,260:4.5\"");
    const rating = m[2] === undefined ? 5 : Number(m[2]);
    if (rating < 0 || rating > 5) throw new UserError(`history entry ${k + 1} "${p}": ratings are 0 to 5`);
    return { movieId: Number(m[1]), rating };
  });
}

/**
 * A CSV of ratings with a header naming `movieId` and `rating` (and optionally `timestamp`), e.g. a user's rows
 * of a MovieLens ratings.csv; errors name the file and line.
 */
export function readHistoryFile(file: string): Rated[] {
  const lines = readFileSync(file, "utf8").split(/\r?\n/).filter((l) => l.trim());
  if (!lines.length) throw new UserError(`${file} is empty`, "a header line movieId,rating[,timestamp] and one line per rated movie");
  const head = lines[0].split(",").map((h) => h.trim());
  const [mi, ri, ti] = ["movieId", "rating", "timestamp"].map((h) => head.indexOf(h));
  if (mi < 0 || ri < 0) throw new UserError(`${file}:1: the header "${lines[0]}" has no movieId and rating columns`, "a header line movieId,rating[,timestamp]");
  const out = lines.slice(1).map((l, k) => {
    const f = l.split(",");
    const [movieId, rating, t] = [Number(f[mi]), Number(f[ri]), ti >= 0 ? Number(f[ti]) : undefined];
    if (!Number.isInteger(movieId) || !(rating >= 0 && rating <= 5) || (t !== undefined && !Number.isFinite(t))) throw new UserError(`${file}:${k + 2}: "${l}" is not movieId,rating${ti >= 0 ? ",timestamp" : ""} (a whole movie id, a rating from 0 to 5)`);
    return { movieId, rating, ...(t !== undefined ? { timestamp: t } : {}) };
  });
  if (!out.length) throw new UserError(`${file} has a header but no ratings`);
  return out;
}
