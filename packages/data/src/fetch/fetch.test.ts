import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yazl from "yazl";
import { IntegrityError, UserError, setQuiet } from "@mle/core";
import { noMirrorReason, tempDir, testMirror } from "@mle/core/testing";
import { loadDataset } from "../ingest.ts";

const mirror = testMirror();
const tmp = tempDir();
let server: Server;
let base: string;
/** What the loopback "GroupLens" serves: path → bytes; `cutAfter` breaks the first response off mid-file. */
const files = new Map<string, Buffer>();
let cutAfter = 0;
const requests: { path: string; range?: string }[] = [];

beforeAll(async () => {
  setQuiet(true);
  server = createServer((req, res) => {
    const path = req.url ?? "";
    requests.push({ path, range: req.headers.range });
    const body = files.get(path);
    if (!body) return void res.writeHead(404).end();
    const m = /bytes=(\d+)-/.exec(req.headers.range ?? "");
    const start = m ? Number(m[1]) : 0;
    res.writeHead(m ? 206 : 200, { "content-length": body.length - start, "accept-ranges": "bytes" });
    if (cutAfter && !m) {
      res.flushHeaders();
      res.socket!.write(body.subarray(0, cutAfter), () => res.socket!.destroy()); // connection drops mid-download
      return;
    }
    res.end(body.subarray(start));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.MOVIELENS_BASE_URL = base;
});
afterAll(() => {
  delete process.env.MOVIELENS_BASE_URL;
  server.close();
  tmp.cleanup();
});

/** A real ml-100k.zip built from the mirror's files, laid out as GroupLens ships it. */
async function ml100kZip(): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const f of ["u.data", "u.item", "u.genre", "README"]) zip.addFile(join(mirror!, "ml-100k", f), `ml-100k/${f}`);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");
const nothingCached = (cacheDir: string) => {
  expect(existsSync(join(cacheDir, "releases", "ml-100k"))).toBe(false);
  const rel = existsSync(join(cacheDir, "releases")) ? readdirSync(join(cacheDir, "releases")) : [];
  expect(rel).toEqual([]);
};

describe.skipIf(!mirror)(`download from a (loopback) GroupLens (skips when ${noMirrorReason})`, () => {
  it("downloads, verifies the published md5, extracts and records the sha256", async () => {
    const zip = await ml100kZip();
    files.set("/ml-100k.zip", zip);
    files.set("/ml-100k.zip.md5", Buffer.from(`MD5 (ml-100k.zip) = ${md5(zip)}\n`));
    const cacheDir = join(tmp.dir, "ok");
    const { dataset, located } = await loadDataset("ml-100k", { mirror: null, cacheDir });
    expect(located.origin).toBe("download");
    expect(located.archive!.sha256).toBe(createHash("sha256").update(zip).digest("hex"));
    expect(dataset.nRatings).toBe(100_000);
    const again = await loadDataset("ml-100k", { mirror: null, cacheDir });
    expect(again.located.origin).toBe("cache");
    expect(readdirSync(join(cacheDir, "downloads"))).toEqual([]); // archive removed after extraction
  });

  it("resumes a broken-off download with an HTTP Range request", async () => {
    const zip = await ml100kZip();
    files.set("/ml-100k.zip", zip);
    files.set("/ml-100k.zip.md5", Buffer.from(md5(zip)));
    const cacheDir = join(tmp.dir, "resume");
    cutAfter = Math.floor(zip.length / 2);
    requests.length = 0;
    await expect(loadDataset("ml-100k", { mirror: null, cacheDir })).rejects.toThrow(/run again to resume/);
    nothingCached(cacheDir);
    cutAfter = 0;
    const { dataset } = await loadDataset("ml-100k", { mirror: null, cacheDir });
    expect(dataset.nRatings).toBe(100_000);
    const ranged = requests.filter((r) => r.path === "/ml-100k.zip" && r.range);
    expect(ranged.length).toBe(1);
    expect(Number(/bytes=(\d+)-/.exec(ranged[0].range!)![1])).toBeGreaterThan(0);
  });

  it("a checksum mismatch deletes the download and caches nothing", async () => {
    const zip = await ml100kZip();
    files.set("/ml-100k.zip", zip);
    files.set("/ml-100k.zip.md5", Buffer.from("0123456789abcdef0123456789abcdef"));
    const cacheDir = join(tmp.dir, "mismatch");
    const err = await loadDataset("ml-100k", { mirror: null, cacheDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toMatch(/checksum mismatch .* published md5 0123456789abcdef0123456789abcdef, downloaded [0-9a-f]{32}/);
    nothingCached(cacheDir);
    expect(readdirSync(join(cacheDir, "downloads"))).toEqual([]);
  });

  it("the real truncated ml-100k.zip is rejected even when its md5 matches, and nothing is cached", async () => {
    const bad = readFileSync(join(mirror!, "corrupt", "ml-100k-truncated.zip"));
    files.set("/ml-100k.zip", bad);
    files.set("/ml-100k.zip.md5", Buffer.from(md5(bad)));
    const cacheDir = join(tmp.dir, "truncated");
    await expect(loadDataset("ml-100k", { mirror: null, cacheDir })).rejects.toThrow(/not a readable zip archive \(truncated or corrupt\).*nothing was cached/);
    nothingCached(cacheDir);
  });

  it("a truncated zip in a local mirror is rejected and never cached", async () => {
    const m = join(tmp.dir, "bad-mirror");
    mkdirSync(m);
    copyFileSync(join(mirror!, "corrupt", "ml-100k-truncated.zip"), join(m, "ml-100k.zip"));
    const cacheDir = join(tmp.dir, "bad-mirror-cache");
    await expect(loadDataset("ml-100k", { mirror: m, cacheDir })).rejects.toBeInstanceOf(IntegrityError);
    nothingCached(cacheDir);
  });

  it("a mirror zip with a .md5 beside it is verified against it", async () => {
    const m = join(tmp.dir, "zip-mirror");
    mkdirSync(m);
    const zip = await ml100kZip();
    writeFileSync(join(m, "ml-100k.zip"), zip);
    writeFileSync(join(m, "ml-100k.zip.md5"), md5(zip));
    const cacheDir = join(tmp.dir, "zip-mirror-cache");
    const { dataset, located } = await loadDataset("ml-100k", { mirror: m, cacheDir });
    expect([located.origin, dataset.nUsers]).toEqual(["mirror", 943]);
    writeFileSync(join(m, "ml-100k.zip.md5"), "ffffffffffffffffffffffffffffffff");
    await expect(loadDataset("ml-100k", { mirror: m, cacheDir: join(tmp.dir, "zip-mirror-2") })).rejects.toThrow(/checksum mismatch/);
  });
});

describe("network failures", () => {
  it("an unreachable server gives a clear error pointing at the mirror", async () => {
    process.env.MOVIELENS_BASE_URL = "http://127.0.0.1:9"; // discard port: nothing listens
    try {
      const err = await loadDataset("ml-100k", { mirror: null, cacheDir: join(tmp.dir, "down") }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9\/ml-100k\.zip\.md5/);
      expect((err as UserError).hint).toMatch(/MOVIELENS_MIRROR/);
    } finally {
      process.env.MOVIELENS_BASE_URL = base;
    }
  });
});
