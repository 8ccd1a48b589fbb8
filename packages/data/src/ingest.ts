import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { UserError, fileDigest, log, progressBar, sha256 } from "@mle/core";
import { integrityWarnings, type Dataset, type Integrity, type SourceFile } from "./dataset.ts";
import { denseIndex, toDense } from "./dense-index.ts";
import { readColumnar, writeColumnar, type Column } from "@mle/core";
import { defaultCacheDir, locateRelease, type LocateOptions, type LocatedRelease } from "./fetch/locate.ts";
import { readGenome, readLinks, readTagsCsv, readTagsDat, type RawGenome, type RawLinks, type RawTags } from "./parse/extras.ts";
import { readMoviesCsv, readMoviesDat, readUItem, type RawMovies } from "./parse/movies.ts";
import { readRatings } from "./parse/ratings.ts";
import { readUUser, readUsersDat, type RawUsers } from "./parse/users.ts";
import { RELEASE_NAMES, isReleaseName, release, type Release } from "./registry.ts";

export interface LoadOptions extends LocateOptions {
  /** Ignore the ingest cache and parse the source files again. */
  refresh?: boolean;
}

export interface LoadedDataset {
  dataset: Dataset;
  located: LocatedRelease;
  /** Whether the columnar cache answered (no parsing). */
  fromCache: boolean;
  cacheFile: string;
}

const CACHE_VERSION = 3; // 2: demographics (u.user, users.dat); 3: integrity counts

/** Finds a release (mirror, cache or GroupLens), then parses it once and reloads it from the columnar cache. */
export async function loadDataset(name: string, options: LoadOptions = {}): Promise<LoadedDataset> {
  if (!isReleaseName(name)) throw new UserError(`unknown dataset "${name}"; known: ${RELEASE_NAMES.join(", ")}`);
  const located = await locateRelease(release(name), options);
  const r = located.release;
  const sources = sourcePaths(r, located.dir);
  const cacheDir = join(options.cacheDir ?? defaultCacheDir(), "datasets");
  mkdirSync(cacheDir, { recursive: true });

  // Stat fingerprints avoid re-hashing a 900 MB file on every load; the cache itself is keyed by checksum.
  const indexPath = join(cacheDir, "index.json");
  const index = readIndex(indexPath);
  const fingerprint = `v${CACHE_VERSION}|${r.name}|${sources.map(([, p]) => { const s = statSync(p); return `${realpathSync(p)}:${s.size}:${s.mtimeMs}`; }).join("|")}`;
  const known = index[fingerprint];
  const cacheFile = (checksum: string) => join(cacheDir, `${r.name}-${checksum.slice(0, 16)}.bin`);
  if (known && !options.refresh && existsSync(cacheFile(known))) {
    return { dataset: readDataset(cacheFile(known)), located, fromCache: true, cacheFile: cacheFile(known) };
  }

  const files: SourceFile[] = [];
  for (const [file, path] of sources) files.push({ file, bytes: statSync(path).size, sha256: await fileDigest(path) });
  const checksum = sha256(r.name, ...files.map((f) => `${f.file}:${f.sha256}`));
  const target = cacheFile(checksum);
  let dataset: Dataset;
  let fromCache = false;
  if (existsSync(target) && !options.refresh) {
    dataset = readDataset(target);
    fromCache = true;
  } else {
    dataset = await ingest(r, located.dir, checksum, files);
    writeDataset(target, dataset);
  }
  index[fingerprint] = checksum;
  const tmp = `${indexPath}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(index, null, 1));
  renameSync(tmp, indexPath);
  return { dataset, located, fromCache, cacheFile: target };
}

/** The release's files present in `dir`; ratings and movies are required, the rest optional. */
function sourcePaths(r: Release, dir: string): [string, string][] {
  const out: [string, string][] = [];
  for (const [role, file] of Object.entries(r.files)) {
    const p = join(dir, file);
    if (existsSync(p)) out.push([file, p]);
    else if (role === "ratings" || role === "movies") throw new UserError(`${r.name} in ${dir} has no ${file}`);
  }
  return out;
}

/** Parses the source files into a Dataset with dense ids. */
export async function ingest(r: Release, dir: string, checksum: string, sources: SourceFile[]): Promise<Dataset> {
  const has = (f?: string) => f !== undefined && sources.some((s) => s.file === f);
  const path = (f: string) => join(dir, f);
  const ratingsBytes = statSync(path(r.files.ratings)).size;
  const bar = progressBar(`parse ${r.name}/${r.files.ratings}`, ratingsBytes, { unit: "B" });
  const raw = await readRatings(path(r.files.ratings), r.ratingsFormat, (done) => bar.update(done));
  bar.stop();
  const movies: RawMovies =
    r.ratingsFormat === "csv" ? readMoviesCsv(path(r.files.movies)) : r.ratingsFormat === "udata" ? readUItem(path(r.files.movies)) : readMoviesDat(path(r.files.movies));
  if (raw.rows === 0) throw new UserError(`${r.name}/${r.files.ratings} holds no ratings`);

  const users = denseIndex(raw.user);
  const items = denseIndex(movies.movieId, raw.movie);
  const listed = new Set(movies.movieId);
  const integrity: Integrity = { ratingsOfUnlistedMovies: 0, unlistedRatedMovies: 0, tagsOfUnlistedMovies: 0, linksOfUnlistedMovies: 0, genomeRowsOfUnlistedMovies: 0 };
  const unlisted = new Set<number>();
  for (let k = 0; k < raw.rows; k++) if (!listed.has(raw.movie[k])) (integrity.ratingsOfUnlistedMovies++, unlisted.add(raw.movie[k]));
  integrity.unlistedRatedMovies = unlisted.size;
  const listedIndex = (id: number) => (listed.has(id) ? items.indexOf(id) : -1);
  const nItems = items.ids.length;
  const dataset: Dataset = {
    name: r.name,
    checksum,
    sources,
    nUsers: users.ids.length,
    nItems,
    nRatings: raw.rows,
    userIds: users.ids,
    itemIds: items.ids,
    ratings: { user: toDense(raw.user, users), item: toDense(raw.movie, items), rating: raw.rating, timestamp: raw.timestamp },
    movies: movieTable(movies, nItems, (id) => items.indexOf(id)),
    integrity,
  };
  const tagsFile = r.files.tags;
  if (tagsFile && has(tagsFile)) {
    const t = r.ratingsFormat === "csv" ? readTagsCsv(path(tagsFile)) : readTagsDat(path(tagsFile));
    dataset.tags = tagTable(t, listedIndex);
    integrity.tagsOfUnlistedMovies = t.movie.length - dataset.tags!.item.length;
  }
  if (r.files.links && has(r.files.links)) {
    const l = readLinks(path(r.files.links));
    dataset.links = linkTable(l, nItems, listedIndex);
    integrity.linksOfUnlistedMovies = Array.from(l.movie).filter((m) => !listed.has(m)).length;
  }
  if (r.files.genomeScores && r.files.genomeTags && has(r.files.genomeScores) && has(r.files.genomeTags)) {
    const g = await readGenome(path(r.files.genomeTags), path(r.files.genomeScores));
    dataset.genome = genomeTable(g, listedIndex);
    integrity.genomeRowsOfUnlistedMovies = g.movie.length - dataset.genome!.items.length;
  }
  if (r.files.users && has(r.files.users)) {
    const raw = r.ratingsFormat === "udata" ? readUUser(path(r.files.users)) : readUsersDat(path(r.files.users));
    dataset.users = userTable(raw, dataset.nUsers, (id) => users.indexOf(id));
  }
  for (const w of integrityWarnings(dataset)) log(`warning: ${w}`);
  log(`ingested ${r.name}: ${dataset.nRatings.toLocaleString("en-US")} ratings, ${dataset.nUsers.toLocaleString("en-US")} users, ${nItems.toLocaleString("en-US")} movies`);
  return dataset;
}

function movieTable(m: RawMovies, nItems: number, indexOf: (id: number) => number): Dataset["movies"] {
  const ng = m.genreNames.length;
  const title = new Array<string>(nItems).fill("");
  const year = new Int16Array(nItems);
  const genres = new Uint8Array(nItems * ng);
  const col = new Map(m.genreNames.map((g, i) => [g, i]));
  for (let k = 0; k < m.movieId.length; k++) {
    const i = indexOf(m.movieId[k]);
    title[i] = m.title[k];
    year[i] = m.year[k];
    for (const g of m.genres[k]) genres[i * ng + col.get(g)!] = 1;
  }
  return { title, year, genreNames: m.genreNames, genres };
}

function userTable(u: RawUsers, nUsers: number, indexOf: (id: number) => number): Dataset["users"] {
  const out = { age: new Int16Array(nUsers), gender: new Uint8Array(nUsers), occupationNames: u.occupationNames, occupation: new Int16Array(nUsers) };
  for (let k = 0; k < u.userId.length; k++) {
    const i = indexOf(u.userId[k]);
    if (i < 0) continue; // a user who rated nothing
    out.age[i] = u.age[k];
    out.gender[i] = u.gender[k];
    out.occupation[i] = u.occupation[k];
  }
  return out;
}

function tagTable(t: RawTags, indexOf: (id: number) => number): Dataset["tags"] {
  const vocabulary = [...new Set(t.tag)].sort();
  const id = new Map(vocabulary.map((v, i) => [v, i]));
  const keep: number[] = [];
  for (let k = 0; k < t.movie.length; k++) if (indexOf(t.movie[k]) >= 0) keep.push(k);
  return {
    rawUser: Int32Array.from(keep, (k) => t.user[k]),
    item: Int32Array.from(keep, (k) => indexOf(t.movie[k])),
    tag: Int32Array.from(keep, (k) => id.get(t.tag[k])!),
    vocabulary,
    timestamp: Uint32Array.from(keep, (k) => t.timestamp[k]),
  };
}

function linkTable(l: RawLinks, nItems: number, indexOf: (id: number) => number): Dataset["links"] {
  const imdbId = new Int32Array(nItems).fill(-1);
  const tmdbId = new Int32Array(nItems).fill(-1);
  for (let k = 0; k < l.movie.length; k++) {
    const i = indexOf(l.movie[k]);
    if (i < 0) continue;
    imdbId[i] = l.imdbId[k];
    tmdbId[i] = l.tmdbId[k];
  }
  return { imdbId, tmdbId };
}

function genomeTable(g: RawGenome, indexOf: (id: number) => number): Dataset["genome"] {
  const nt = g.tagNames.length;
  const rows: number[] = [];
  for (let k = 0; k < g.movie.length; k++) if (indexOf(g.movie[k]) >= 0) rows.push(k);
  const relevance = new Float32Array(rows.length * nt);
  rows.forEach((k, r) => relevance.set(g.relevance.subarray(k * nt, (k + 1) * nt), r * nt));
  return { tagNames: g.tagNames, items: Int32Array.from(rows, (k) => indexOf(g.movie[k])), relevance };
}

interface CacheMeta {
  version: number;
  name: string;
  checksum: string;
  sources: SourceFile[];
  titles: string[];
  genreNames: string[];
  tagVocabulary?: string[];
  genomeTags?: string[];
  occupationNames?: string[];
  integrity: Integrity;
}

function writeDataset(path: string, d: Dataset): void {
  const meta: CacheMeta = {
    version: CACHE_VERSION, name: d.name, checksum: d.checksum, sources: d.sources,
    titles: d.movies.title, genreNames: d.movies.genreNames,
    tagVocabulary: d.tags?.vocabulary, genomeTags: d.genome?.tagNames, occupationNames: d.users?.occupationNames, integrity: d.integrity,
  };
  const cols: Record<string, Column> = {
    userIds: d.userIds, itemIds: d.itemIds,
    user: d.ratings.user, item: d.ratings.item, rating: d.ratings.rating, timestamp: d.ratings.timestamp,
    year: d.movies.year, genres: d.movies.genres,
  };
  if (d.tags) Object.assign(cols, { tagUser: d.tags.rawUser, tagItem: d.tags.item, tagId: d.tags.tag, tagTime: d.tags.timestamp });
  if (d.links) Object.assign(cols, { imdbId: d.links.imdbId, tmdbId: d.links.tmdbId });
  if (d.genome) Object.assign(cols, { genomeItems: d.genome.items, genomeRelevance: d.genome.relevance });
  if (d.users) Object.assign(cols, { userAge: d.users.age, userGender: d.users.gender, userOccupation: d.users.occupation });
  writeColumnar(path, meta, cols);
}

function readDataset(path: string): Dataset {
  const { meta, columns: c } = readColumnar(path);
  const m = meta as CacheMeta;
  const i32 = (k: string) => c[k] as Int32Array;
  const d: Dataset = {
    name: m.name, checksum: m.checksum, sources: m.sources,
    nUsers: c.userIds.length, nItems: c.itemIds.length, nRatings: c.user.length,
    userIds: i32("userIds"), itemIds: i32("itemIds"),
    ratings: { user: i32("user"), item: i32("item"), rating: c.rating as Float32Array, timestamp: c.timestamp as Uint32Array },
    movies: { title: m.titles, year: c.year as Int16Array, genreNames: m.genreNames, genres: c.genres as Uint8Array },
    integrity: m.integrity,
  };
  if (c.tagUser) d.tags = { rawUser: i32("tagUser"), item: i32("tagItem"), tag: i32("tagId"), vocabulary: m.tagVocabulary ?? [], timestamp: c.tagTime as Uint32Array };
  if (c.imdbId) d.links = { imdbId: i32("imdbId"), tmdbId: i32("tmdbId") };
  if (c.genomeItems) d.genome = { tagNames: m.genomeTags ?? [], items: i32("genomeItems"), relevance: c.genomeRelevance as Float32Array };
  if (c.userAge) d.users = { age: c.userAge as Int16Array, gender: c.userGender as Uint8Array, occupationNames: m.occupationNames ?? [], occupation: c.userOccupation as Int16Array };
  return d;
}

function readIndex(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
  } catch {
    return {}; // a damaged index only costs a re-hash
  }
}
