import { createWriteStream, mkdirSync, renameSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import { IntegrityError } from "@mle/core";

/**
 * Extracts `zipPath` into a temporary folder beside `dest`, checks that `folder` came out of it,
 * writes `release.json` there, and only then renames it to `dest`: a truncated or corrupt archive
 * leaves nothing in the cache.
 */
export async function extractRelease(zipPath: string, folder: string, dest: string, info: object): Promise<void> {
  const parent = dirname(dest);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.tmp-${process.pid}-${Date.now()}`);
  try {
    await unzip(zipPath, tmp);
    const out = join(tmp, folder);
    if (!existsSync(out)) throw new IntegrityError(`${zipPath} does not hold the folder ${folder}/ that this release extracts to`);
    writeFileSync(join(out, "release.json"), JSON.stringify(info, null, 2));
    rmSync(dest, { recursive: true, force: true });
    renameSync(out, dest);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function unzip(zipPath: string, into: string): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(zipPath, { lazyEntries: true, validateEntrySizes: true }, (err, z) => (err ? reject(err) : resolve(z))),
    );
  } catch (e) {
    throw new IntegrityError(`${zipPath} is not a readable zip archive (truncated or corrupt): ${(e as Error).message}; nothing was cached`);
  }
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on("error", reject);
      zip.on("end", resolve);
      zip.on("entry", (entry: yauzl.Entry) => {
        const target = join(into, entry.fileName);
        if (entry.fileName.endsWith("/")) {
          mkdirSync(target, { recursive: true });
          zip.readEntry();
          return;
        }
        mkdirSync(dirname(target), { recursive: true });
        zip.openReadStream(entry, (err, stream) => {
          if (err) return reject(err);
          pipeline(stream, createWriteStream(target)).then(() => zip.readEntry(), reject);
        });
      });
      zip.readEntry();
    });
  } catch (e) {
    throw new IntegrityError(`${zipPath} could not be extracted (truncated or corrupt): ${(e as Error).message}; nothing was cached`);
  } finally {
    zip.close();
  }
}
