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
