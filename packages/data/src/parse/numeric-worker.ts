// Worker entry: parses one byte range and sends the columns back (their buffers transferred).
import { parentPort, workerData } from "node:worker_threads";
import { DataFormatError } from "@mle/core";
import { readNumericRange, type ByteRange, type NumericTableSpec, type ColumnType } from "./numeric-table.ts";

const { path, spec, range } = workerData as { path: string; spec: NumericTableSpec<Record<string, ColumnType>>; range: ByteRange };
try {
  const table = readNumericRange(path, { ...spec, onProgress: (done) => parentPort!.postMessage({ progress: done }) }, range);
  const columns = Object.keys(spec.columns).map((k) => table[k] as Int32Array | Uint32Array | Float32Array);
  parentPort!.postMessage({ rows: table.rows, columns }, columns.map((c) => c.buffer as ArrayBuffer));
} catch (e) {
  if (e instanceof DataFormatError) parentPort!.postMessage({ error: { file: e.file, line: e.line, problem: e.problem, hint: e.hint } });
  else throw e;
}
