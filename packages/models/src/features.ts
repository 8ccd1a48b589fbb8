import { itemFeatureMatrix, itemLists, type FeatureMatrixOptions, type ItemFeatures, type TrainSet } from "@mle/core";

/**
 * The content matrix content models read: the release's views (`itemFeatureMatrix`) plus each item's mean
 * training rating (the global mean where it has none), a flag for "no training rating" — write-up 002's
 * inputs — and log(1 + training count), the one collaborative signal a brand-new item also has (0). Built the
 * same way for every release (the genome joins when the release has it).
 */
export function contentMatrix(f: ItemFeatures, meanRating: Float32Array, o: FeatureMatrixOptions, trainCount?: Uint32Array): { names: string[]; values: Float32Array; width: number } {
  const base = itemFeatureMatrix(f, o);
  let sum = 0;
  let n = 0;
  for (const m of meanRating) if (!Number.isNaN(m)) (sum += m), n++;
  const global = n ? sum / n : 0;
  const width = base.width + (trainCount ? 3 : 2);
  const values = new Float32Array(f.nItems * width);
  for (let i = 0; i < f.nItems; i++) {
    values.set(base.values.subarray(i * base.width, (i + 1) * base.width), i * width);
    const m = meanRating[i];
    values[i * width + base.width] = Number.isNaN(m) ? global : m;
    values[i * width + base.width + 1] = Number.isNaN(m) ? 1 : 0;
    if (trainCount) values[i * width + base.width + 2] = Math.log1p(trainCount[i]);
  }
  return { names: [...base.names, "mean rating", "no rating", ...(trainCount ? ["log training count"] : [])], values, width };
}

/** Columns to zero mean and unit variance (constant columns to zero). */
export function standardised(m: { names: string[]; values: Float32Array; width: number }): { names: string[]; values: Float32Array; width: number } {
  const { values, width } = m;
  const n = values.length / width;
  const out = new Float32Array(values.length);
  for (let f = 0; f < width; f++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += values[i * width + f];
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (values[i * width + f] - mean) ** 2;
    const sd = Math.sqrt(v / n);
    for (let i = 0; i < n; i++) out[i * width + f] = sd > 1e-12 ? (values[i * width + f] - mean) / sd : 0;
  }
  return { ...m, values: out };
}

/** Each item's training count and mean training rating (NaN where it has none). */
export function itemRatings(train: TrainSet): { mean: Float32Array; count: Uint32Array } {
  const l = itemLists(train);
  const count = Uint32Array.from({ length: train.nItems }, (_, i) => l.offsets[i + 1] - l.offsets[i]);
  const mean = Float32Array.from({ length: train.nItems }, (_, i) => {
    let s = 0;
    for (let j = l.offsets[i]; j < l.offsets[i + 1]; j++) s += l.ratings[j];
    return count[i] ? s / count[i] : NaN;
  });
  return { mean, count };
}
