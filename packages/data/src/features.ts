import { groupRows, type ItemFeatures, type UserFeatures } from "@mle/core";
import type { Dataset } from "./dataset.ts";
import type { Interactions } from "./interactions.ts";

/**
 * The release's content in the interactions' item space: genres, year, tag counts and the genome where
 * the release has them. Built once per experiment; content models ask for it through the train set.
 */
export function itemFeatures(d: Dataset, x: Interactions): ItemFeatures {
  const n = x.nItems;
  const ng = d.movies.genreNames.length;
  const genres = new Uint8Array(n * ng);
  const year = new Int16Array(n);
  const slot = new Int32Array(d.nItems).fill(-1); // dataset item → task item
  for (let i = 0; i < n; i++) {
    const di = x.itemOf[i];
    slot[di] = i;
    genres.set(d.movies.genres.subarray(di * ng, (di + 1) * ng), i * ng);
    year[i] = d.movies.year[di];
  }
  const out: ItemFeatures = { nItems: n, genreNames: d.movies.genreNames, genres, year };
  if (d.tags) out.tags = tagCounts(d.tags, slot, n);
  if (d.genome) {
    const nt = d.genome.tagNames.length;
    const relevance = new Float32Array(n * nt);
    const has = new Uint8Array(n);
    d.genome.items.forEach((di, r) => {
      const i = slot[di];
      if (i < 0) return;
      has[i] = 1;
      relevance.set(d.genome!.relevance.subarray(r * nt, (r + 1) * nt), i * nt);
    });
    out.genome = { tagNames: d.genome.tagNames, relevance, has };
  }
  return out;
}

/** How often each tag was applied to each item (CSR over items, tags ascending within an item). */
function tagCounts(t: NonNullable<Dataset["tags"]>, slot: Int32Array, n: number): NonNullable<ItemFeatures["tags"]> {
  const rows: number[] = [];
  for (let k = 0; k < t.item.length; k++) if (slot[t.item[k]] >= 0) rows.push(k);
  const g = groupRows(Int32Array.from(rows, (k) => slot[t.item[k]]), n);
  const offsets = new Uint32Array(n + 1);
  const tag: number[] = [];
  const count: number[] = [];
  for (let i = 0; i < n; i++) {
    const seen = new Map<number, number>();
    for (let j = g.offsets[i]; j < g.offsets[i + 1]; j++) {
      const id = t.tag[rows[g.rows[j]]];
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    for (const id of [...seen.keys()].sort((a, b) => a - b)) (tag.push(id), count.push(seen.get(id)!));
    offsets[i + 1] = tag.length;
  }
  return { vocabulary: t.vocabulary, offsets, tag: Int32Array.from(tag), count: Uint32Array.from(count) };
}

/** The release's demographics in the interactions' user space, when it has them. */
export function userFeatures(d: Dataset, x: Interactions): UserFeatures | undefined {
  const u = d.users;
  if (!u) return undefined;
  const pick = <T extends Int16Array | Uint8Array>(a: T): T => a.constructor === Int16Array
    ? (Int16Array.from(x.userOf, (du) => a[du]) as T) : (Uint8Array.from(x.userOf, (du) => a[du]) as T);
  return { nUsers: x.nUsers, age: pick(u.age), gender: pick(u.gender), occupationNames: u.occupationNames, occupation: pick(u.occupation) };
}

export interface FeatureMatrixOptions {
  genres?: boolean;
  /** Release year as (year − 1990) / 20, and a column that is 1 where the year is unknown. */
  year?: boolean;
  /** The `top` most-applied tags as TF-IDF columns (rows L2-normalised). */
  tags?: { top: number };
  genome?: boolean;
}

/** A dense items × features matrix from the chosen views, with a name per column. */
export function itemFeatureMatrix(f: ItemFeatures, o: FeatureMatrixOptions): { names: string[]; values: Float32Array; width: number } {
  const blocks: { names: string[]; fill: (i: number, out: Float32Array, at: number) => void }[] = [];
  const ng = f.genreNames.length;
  if (o.genres) {
    blocks.push({ names: f.genreNames.map((g) => `genre:${g}`), fill: (i, out, at) => out.set(f.genres.subarray(i * ng, (i + 1) * ng), at) });
  }
  if (o.year) {
    blocks.push({
      names: ["year", "year:unknown"],
      fill: (i, out, at) => {
        const y = f.year[i];
        out[at] = y ? (y - 1990) / 20 : 0;
        out[at + 1] = y ? 0 : 1;
      },
    });
  }
  if (o.tags && f.tags) blocks.push(tfidfBlock(f.tags, f.nItems, o.tags.top));
  if (o.genome && f.genome) {
    const g = f.genome;
    const nt = g.tagNames.length;
    blocks.push({ names: g.tagNames.map((t) => `genome:${t}`), fill: (i, out, at) => out.set(g.relevance.subarray(i * nt, (i + 1) * nt), at) });
  }
  const names = blocks.flatMap((b) => b.names);
  const width = names.length;
  const values = new Float32Array(f.nItems * width);
  for (let i = 0; i < f.nItems; i++) {
    let at = i * width;
    for (const b of blocks) (b.fill(i, values, at), (at += b.names.length));
  }
  return { names, values, width };
}

/** The `top` most-applied tags as TF-IDF columns, each item's row L2-normalised. */
function tfidfBlock(t: NonNullable<ItemFeatures["tags"]>, nItems: number, topN: number) {
  const total = new Float64Array(t.vocabulary.length);
  const docs = new Float64Array(t.vocabulary.length);
  for (let k = 0; k < t.tag.length; k++) (total[t.tag[k]] += t.count[k]), docs[t.tag[k]]++;
  const top = Array.from(total.keys()).sort((a, b) => total[b] - total[a] || a - b).slice(0, topN);
  const col = new Map(top.map((id, c) => [id, c]));
  const idf = top.map((id) => Math.log((1 + nItems) / (1 + docs[id])) + 1);
  return {
    names: top.map((id) => `tag:${t.vocabulary[id]}`),
    fill: (i: number, out: Float32Array, at: number) => {
      let norm = 0;
      for (let k = t.offsets[i]; k < t.offsets[i + 1]; k++) {
        const c = col.get(t.tag[k]);
        if (c === undefined) continue;
        out[at + c] = t.count[k] * idf[c];
        norm += out[at + c] ** 2;
      }
      if (norm > 0) for (let c = 0; c < top.length; c++) out[at + c] /= Math.sqrt(norm);
    },
  };
}
