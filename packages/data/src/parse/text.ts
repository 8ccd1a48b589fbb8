import { readFileSync } from "node:fs";

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
