import { AnnIndex, type VectorSpace } from "./hnsw.ts";
import { ExactReference } from "./measure.ts";

/** efSearch values tried, smallest first (usearch searches at least k candidates whatever the setting). */
export const EXPANSION_LADDER = [16, 32, 64, 128, 256, 400, 800];

export interface SearchCalibration {
  /** The recall asked for at each k ("recall@10" → 0.995). */
  targets: Record<string, number>;
  /** The efSearch chosen: the smallest that reached the target, else the ladder's largest. */
  expansionSearch: number;
  reached: boolean;
  /** Each setting tried, with its recall at each k and search p50 on the calibration queries. */
  tried: { expansionSearch: number; recall: Record<string, number>; p50Ms: number }[];
  queries: number;
}

/**
 * Chooses the saved index's efSearch: the smallest setting whose recall against exact search on `queries` reaches
 * its target at every k asked (`{ 10: 0.995, 100: 0.99 }`), so that an easy item space is searched cheaply and a hard
 * one as well as the ladder allows. The choice is written into the index's ann.json; later loads search with it.
 * Measure the result on queries other than these: recall on the calibration queries is biased upwards.
 */
export function calibrateSearch(dir: string, space: VectorSpace, queries: Float32Array[], targetsByK: Record<number, number> = { 10: 0.99 }): SearchCalibration {
  const ks = Object.keys(targetsByK).map(Number);
  const targets = Object.fromEntries(ks.map((k) => [`recall@${k}`, targetsByK[k]]));
  const reference = new ExactReference(space, queries, ks);
  const reaches = (recall: Record<string, number>) => Object.entries(targets).every(([m, t]) => recall[m] >= t);
  const tried: SearchCalibration["tried"] = [];
  for (const ef of EXPANSION_LADDER) {
    const m = reference.measure(AnnIndex.load(dir, { expansionSearch: ef }));
    tried.push({ expansionSearch: ef, recall: m.recall, p50Ms: m.p50Ms });
    if (reaches(m.recall)) break;
  }
  const last = tried[tried.length - 1];
  const calibration: SearchCalibration = { targets, expansionSearch: last.expansionSearch, reached: reaches(last.recall), tried, queries: queries.length };
  AnnIndex.setExpansionSearch(dir, calibration.expansionSearch, calibration);
  return calibration;
}
