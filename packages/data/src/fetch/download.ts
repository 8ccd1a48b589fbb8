import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, renameSync, rmSync, statSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import { Readable, Transform } from "node:stream";
import { IntegrityError, UserError, progressBar } from "@mle/core";

export interface Digests {
  md5: string;
  sha256: string;
  bytes: number;
}

export async function digestFile(path: string): Promise<Digests> {
  const md5 = createHash("md5");
  const sha = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) {
    md5.update(chunk as Buffer);
    sha.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { md5: md5.digest("hex"), sha256: sha.digest("hex"), bytes };
}

/** GroupLens publishes `<zip>.md5`; its text holds one 32-hex digest. */
export async function fetchPublishedMd5(url: string): Promise<string> {
  const res = await get(`${url}.md5`);
  const text = await res.text();
  const m = /\b[a-f0-9]{32}\b/i.exec(text);
  if (!m) throw new IntegrityError(`${url}.md5 holds no md5 digest (got ${JSON.stringify(text.slice(0, 80))})`);
  return m[0].toLowerCase();
}

/**
 * Downloads `url` to `dest`, resuming a `dest.partial` left by an interrupted run (HTTP Range).
 * The file is renamed into place only after its md5 matches `expectedMd5`; a mismatch deletes it.
 */
export async function downloadVerified(url: string, dest: string, expectedMd5: string): Promise<Digests> {
  const partial = `${dest}.partial`;
  let start = sizeOf(partial);
  let res = await get(url, start ? { Range: `bytes=${start}-` } : {});
  if (res.status === 416) {
    rmSync(partial, { force: true }); // what we hold is not a prefix the server recognises
    start = 0;
    res = await get(url);
  }
  if (res.status !== 206) start = 0; // server ignored the range: start over
  const length = Number(res.headers.get("content-length") ?? 0);
  const total = length ? start + length : 0;
  const bar = progressBar(`download ${url.split("/").pop()}`, total, { unit: "B" });
  let done = start;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      bar.update(done);
      cb(null, chunk);
    },
  });
  const out = createWriteStream(partial, { flags: start ? "a" : "w" });
  try {
    await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream), counter, out);
  } catch (e) {
    // pipeline rejects as soon as the body errors, while the file may still have a write in flight: wait for
    // it to close, or the next run measures the partial file short and resumes from the wrong offset.
    if (!out.closed) await new Promise<void>((closed) => out.once("close", () => closed()));
    bar.stop();
    throw new UserError(`download of ${url} broke off at ${done} of ${total || "?"} bytes (${(e as Error).message}); run again to resume`);
  }
  bar.stop();
  if (total && done < total) throw new UserError(`download of ${url} ended early at ${done} of ${total} bytes; run again to resume`);
  const digests = await digestFile(partial);
  if (digests.md5 !== expectedMd5) {
    rmSync(partial, { force: true });
    throw new IntegrityError(
      `checksum mismatch for ${url}: published md5 ${expectedMd5}, downloaded ${digests.md5} (${digests.bytes} bytes); the file was deleted and nothing was cached`,
    );
  }
  renameSync(partial, dest);
  return digests;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { headers, redirect: "follow" });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new UserError(
      `cannot reach ${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
      "set MOVIELENS_MIRROR (or data.mirror) to a folder holding <name>.zip or an extracted <name>/ folder",
    );
  }
  if (!res.ok && res.status !== 416) throw new UserError(`GET ${url} answered HTTP ${res.status} ${res.statusText}`);
  return res;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
