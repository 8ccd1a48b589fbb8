import { closeSync, openSync, readSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { DataFormatError, startTsWorker } from "@mle/core";
import { readNumericRange, type ColumnType, type NumericTable, type NumericTableSpec, type ByteRange } from "./numeric-table.ts";

/** Below this size one thread is faster than starting workers. */
const PARALLEL_MIN_BYTES = 64 << 20;

/** Threads for parsing: $MLE_THREADS, else every core (up to 8). */
export function parseThreads(): number {
  const env = Number(process.env.MLE_THREADS);
  return Number.isInteger(env) && env > 0 ? env : Math.min(availableParallelism(), 8);
}

/**
 * Parses a numeric table on several threads: the file is cut into byte ranges at line starts,
 * each worker parses one, and the columns are concatenated in file order — the result is the
 * same bytes as a single-threaded parse, and errors still name the file's own line.
 */
export async function readNumericTable<C extends Record<string, ColumnType>>(
  path: string, spec: NumericTableSpec<C>, { threads = parseThreads(), minParallelBytes = PARALLEL_MIN_BYTES } = {},
): Promise<NumericTable<C>> {
  const size = statSync(path).size;
  if (threads <= 1 || size < minParallelBytes) return readNumericRange(path, spec);
  const ranges = lineAlignedRanges(path, size, threads);
  const done = new Array<number>(ranges.length).fill(0);
  const { onProgress, ...plain } = spec;
  const parts = await Promise.all(ranges.map((range, i) => parseInWorker(path, plain, range, (d) => {
    done[i] = d;
    onProgress?.(done.reduce((a, b) => a + b, 0), size);
  }).catch((e: unknown) => {
    if (!(e instanceof RangeLineError)) throw e;
    // Rebase the range-relative line on the lines before the range.
    const before = ranges[i].start === 0 ? 0 : countNewlines(path, ranges[i].start);
    throw new DataFormatError(e.file, e.line + before, e.problem, e.hint);
  })));
  const names = Object.keys(spec.columns);
  const rows = parts.reduce((a, p) => a + p.rows, 0);
  const out: Record<string, unknown> = { rows };
  names.forEach((n, k) => {
    const first = parts[0].columns[k];
    const col = new (first.constructor as new (n: number) => typeof first)(rows);
    let at = 0;
    for (const p of parts) {
      col.set(p.columns[k] as never, at);
      at += p.rows;
    }
    out[n] = col;
  });
  return out as NumericTable<C>;
}

class RangeLineError extends Error {
  constructor(readonly file: string, readonly line: number, readonly problem: string, readonly hint?: string) {
    super(problem);
  }
}

type Column = Int32Array | Uint32Array | Float32Array;

function parseInWorker(path: string, spec: object, range: ByteRange, progress: (done: number) => void): Promise<{ rows: number; columns: Column[] }> {
  return new Promise((resolve, reject) => {
    const w = startTsWorker(new URL("./numeric-worker.ts", import.meta.url), { path, spec, range });
    w.on("message", (m: { progress?: number; rows?: number; columns?: Column[]; error?: { file: string; line: number; problem: string; hint?: string } }) => {
      if (m.progress !== undefined) return progress(m.progress);
      if (m.error) reject(new RangeLineError(m.error.file, m.error.line, m.error.problem, m.error.hint));
      else resolve({ rows: m.rows!, columns: m.columns! });
      void w.terminate();
    });
    w.on("error", reject);
    w.on("exit", (code) => code !== 0 && reject(new Error(`parse worker exited with code ${code}`)));
  });
}

/** `n` ranges of about equal size, each starting right after a newline. */
function lineAlignedRanges(path: string, size: number, n: number): ByteRange[] {
  const fd = openSync(path, "r");
  try {
    const cuts = [0];
    const probe = Buffer.allocUnsafe(1 << 16);
    for (let k = 1; k < n; k++) {
      const nominal = Math.floor((k * size) / n);
      const got = readSync(fd, probe, 0, probe.length, nominal);
      const nl = probe.subarray(0, got).indexOf(10);
      const cut = nl < 0 ? size : nominal + nl + 1;
      if (cut > cuts[cuts.length - 1] && cut < size) cuts.push(cut);
    }
    return cuts.map((start, i) => ({ start, end: cuts[i + 1] ?? size }));
  } finally {
    closeSync(fd);
  }
}

function countNewlines(path: string, end: number): number {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 22);
    let n = 0;
    for (let off = 0; off < end; ) {
      const got = readSync(fd, buf, 0, Math.min(buf.length, end - off), off);
      if (got === 0) break;
      for (let i = buf.indexOf(10, 0); i >= 0 && i < got; i = buf.indexOf(10, i + 1)) n++;
      off += got;
    }
    return n;
  } finally {
    closeSync(fd);
  }
}
