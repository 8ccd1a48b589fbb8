import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UMAP } from "umap-js";
import { Rng, log, type EmbeddingModel } from "@mle/core";

/** Items drawn on the map at most (a seeded even sample beyond this keeps UMAP to seconds). */
const MAX_POINTS = 4000;
const FILE = "serve-map.json";

export interface MapPoint {
  item: number;
  x: number;
  y: number;
}

/** Maps being computed, by model folder: concurrent requests for one model share one computation. */
const pending = new Map<string, Promise<MapPoint[]>>();

/**
 * A 2-D map of the model's item space: UMAP (McInnes et al. 2018; umap-js) over the L2-normalised item vectors,
 * so that nearby points are items of high cosine. Computed once per model with a seeded generator and saved
 * as `model/serve-map.json`. The layout yields to the event loop between epochs, so a service keeps answering
 * while it computes.
 */
export function itemMap(modelDir: string, model: EmbeddingModel): Promise<MapPoint[]> {
  if (model.dim > 1024) return Promise.resolve([]); // EASE's item–item columns: no low-dimensional space to draw
  const file = join(modelDir, FILE);
  if (existsSync(file)) return Promise.resolve((JSON.parse(readFileSync(file, "utf8")) as { points: MapPoint[] }).points);
  let p = pending.get(file);
  if (!p) {
    p = computeMap(file, model).finally(() => pending.delete(file));
    pending.set(file, p);
  }
  return p;
}

async function computeMap(file: string, model: EmbeddingModel): Promise<MapPoint[]> {
  const t = performance.now();
  const rng = new Rng(1, "map");
  const n = model.nItems;
  const items = n <= MAX_POINTS ? Array.from({ length: n }, (_, i) => i) : Array.from(rng.permutation(n).subarray(0, MAX_POINTS)).sort((a, b) => a - b);
  const d = model.dim;
  const rows = items.map((i) => {
    const v = Array.from(model.itemVectors.subarray(i * d, (i + 1) * d));
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  });
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(15, Math.max(2, items.length - 1)), minDist: 0.1, nEpochs: 200, random: () => rng.nextFloat() });
  const xy = await umap.fitAsync(rows);
  const points = items.map((item, k) => ({ item, x: xy[k][0], y: xy[k][1] }));
  writeFileSync(file, `${JSON.stringify({ method: "umap-js", nNeighbors: 15, minDist: 0.1, points })}\n`);
  log(`mapped ${items.length.toLocaleString("en-US")} items with UMAP in ${((performance.now() - t) / 1000).toFixed(1)} s; saved in ${file}`);
  return points;
}
