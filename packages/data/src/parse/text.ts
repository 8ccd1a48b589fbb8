import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { DataFormatError } from "@mle/core";

/** MovieLens text files are UTF-8 in recent releases and Latin-1 in ML-100K/ML-1M. */
export function readText(path: string): string {
  const bytes = readFileSync(path);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    return new TextDecoder("latin1").decode(bytes);
  }
}

/** Non-empty lines with their 1-based line numbers (CRLF tolerated). */
export function* lines(text: string): Generator<[string, number]> {
  let n = 0;
  for (const raw of text.split("\n")) {
    n++;
    const l = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (l.length > 0) yield [l, n];
  }
}

/** Records of a `::`-separated `.dat` file with exactly `nFields` fields, with their line numbers. */
export function* datRecords(path: string, nFields: number): Generator<[string[], number]> {
  for (const [l, n] of lines(readText(path))) {
    const f = l.split("::");
    if (f.length !== nFields) throw new DataFormatError(basename(path), n, `expected ${nFields} fields separated by "::", found ${f.length}`);
    yield [f, n];
  }
}
