import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

type Bytes = ArrayBufferView | string;

/** sha256 (hex) of strings and typed arrays, in order; typed arrays hash their raw bytes. */
export function sha256(...parts: Bytes[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(typeof p === "string" ? p : new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  return h.digest("hex");
}

/** Streaming digest of a file (sha256 or md5), hex. */
export async function fileDigest(path: string, algorithm: "sha256" | "md5" = "sha256"): Promise<string> {
  const h = createHash(algorithm);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** JSON with object keys sorted at every level: equal values give equal text (for config hashes). */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object" && !ArrayBuffer.isView(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}
