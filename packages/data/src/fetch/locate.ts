import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { IntegrityError, UserError, log } from "@mle/core";
import { release, type Release } from "../registry.ts";
import { extractRelease } from "./archive.ts";
import { digestFile, downloadVerified, fetchPublishedMd5 } from "./download.ts";

export interface LocateOptions {
  /** A folder holding `<name>.zip` and/or `<name>/`; defaults to $MOVIELENS_MIRROR; null: use none. */
  mirror?: string | null;
  /** Where releases and ingest caches live; defaults to $MOVIELENS_CACHE or ~/.cache/movielens-embeddings. */
  cacheDir?: string;
  /** Never go to the network. */
  offline?: boolean;
}

export interface LocatedRelease {
  release: Release;
  dir: string;
  origin: "mirror" | "cache" | "download";
  /** Set when the release came from an archive: what was used, for the run record. */
  archive?: { sha256: string; md5: string; bytes: number; source: string };
}

export function defaultCacheDir(): string {
  if (process.env.MOVIELENS_CACHE) return resolve(process.env.MOVIELENS_CACHE);
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache");
  return join(base, "movielens-embeddings");
}

/** Mirror folder, then mirror zip, then the cache, then GroupLens — the first that has it. */
export async function locateRelease(r: Release, options: LocateOptions = {}): Promise<LocatedRelease> {
  const mirror = options.mirror === undefined ? process.env.MOVIELENS_MIRROR : options.mirror;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const cached = join(cacheDir, "releases", r.name);

  if (mirror) {
    if (!existsSync(mirror)) throw new UserError(`mirror folder ${mirror} does not exist`);
    const folder = join(mirror, r.name);
    if (existsSync(join(folder, r.files.ratings))) return { release: r, dir: folder, origin: "mirror" };
    const zip = join(mirror, `${r.name}.zip`);
    if (existsSync(zip)) return fromMirrorZip(r, zip, cached);
  }
  const info = readReleaseInfo(cached);
  if (info) return { release: r, dir: cached, origin: "cache", archive: info };
  if (options.offline) {
    throw new UserError(`${r.name} is not in the cache${mirror ? ` nor in the mirror ${mirror}` : ""} and offline mode is on`);
  }
  return download(r, cacheDir, cached);
}

async function fromMirrorZip(r: Release, zip: string, cached: string): Promise<LocatedRelease> {
  const digests = await digestFile(zip);
  const md5File = `${zip}.md5`;
  if (existsSync(md5File)) {
    const published = /\b[a-f0-9]{32}\b/i.exec(readFileSync(md5File, "utf8"))?.[0].toLowerCase();
    if (published !== digests.md5) {
      throw new IntegrityError(`checksum mismatch for ${zip}: ${md5File} says ${published}, the file has ${digests.md5}; nothing was cached`);
    }
  }
  const info = readReleaseInfo(cached);
  if (info?.sha256 === digests.sha256) return { release: r, dir: cached, origin: "cache", archive: info };
  const archive = { ...digests, source: zip };
  log(`extracting ${zip}`);
  await extractRelease(zip, r.folder, cached, archive);
  return { release: r, dir: cached, origin: "mirror", archive };
}

async function download(r: Release, cacheDir: string, cached: string): Promise<LocatedRelease> {
  const downloads = join(cacheDir, "downloads");
  mkdirSync(downloads, { recursive: true });
  const md5 = await fetchPublishedMd5(r.url);
  const zip = join(downloads, `${r.name}.zip`);
  const digests = await downloadVerified(r.url, zip, md5);
  const archive = { ...digests, source: r.url };
  try {
    await extractRelease(zip, r.folder, cached, archive);
  } finally {
    rmSync(zip, { force: true }); // verified and extracted (or rejected): the archive is not kept
  }
  return { release: r, dir: cached, origin: "download", archive };
}

function readReleaseInfo(dir: string): LocatedRelease["archive"] | undefined {
  const p = join(dir, "release.json");
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, "utf8")) as LocatedRelease["archive"];
}
