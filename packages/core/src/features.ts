import type { ItemFeatures } from "./task.ts";

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
