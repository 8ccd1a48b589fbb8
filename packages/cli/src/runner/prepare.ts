import { join } from "node:path";
import { duration, log, sha256, stableStringify, type ItemFeatures, type UserFeatures } from "@mle/core";
import { integrityWarnings, itemFeatures, loadDataset, makeSplitFromRelease, preprocess, userFeatures, writeSplit, type Interactions, type LoadedDataset, type Split } from "@mle/data";
import type { ExperimentConfig } from "../config/schema.ts";
import { int } from "../format.ts";

export interface PreparedSeed {
  seed: number;
  split: Split;
  dir: string;
}

export interface PreparedExperiment {
  configHash: string;
  loaded: LoadedDataset;
  interactions: Interactions;
  /** The release's content in the interactions' spaces, for content models. */
  content: { itemFeatures: ItemFeatures; userFeatures?: UserFeatures };
  seeds: PreparedSeed[];
}

/** config → data → preprocessing → one split per seed (written beside the run as raw rows). */
export async function prepareExperiment(config: ExperimentConfig, outDir: string): Promise<PreparedExperiment> {
  const configHash = sha256(stableStringify(config));
  const loaded = await loadDataset(config.data.dataset, { mirror: config.data.mirror, cacheDir: config.data.cacheDir });
  log(`${config.data.dataset}: ${loaded.fromCache ? "loaded from cache" : "ingested"} (${loaded.located.origin} ${loaded.located.dir})`);
  for (const w of integrityWarnings(loaded.dataset)) log(`warning: ${w}`);
  // At full size each step below takes seconds to minutes: say what it did and how long it took.
  const since = (t: number) => duration((performance.now() - t) / 1000);
  const t0 = performance.now();
  const interactions = preprocess(loaded.dataset, config.data);
  log(`preprocessed: ${int(interactions.n)} interactions, ${int(interactions.nUsers)} users × ${int(interactions.nItems)} items (${config.data.feedback.kind} feedback) in ${since(t0)}`);
  const content = { itemFeatures: itemFeatures(loaded.dataset, interactions), userFeatures: userFeatures(loaded.dataset, interactions) };
  const seeds: PreparedSeed[] = [];
  for (const seed of config.experiment.seeds) {
    const t = performance.now();
    const split = await makeSplitFromRelease(interactions, config.split, seed, loaded.dataset, loaded.located.dir);
    const dir = join(outDir, `seed-${seed}`);
    writeSplit(dir, split, interactions, loaded.dataset);
    log(`split (${config.split.kind}, seed ${seed}): ${int(split.train.length)} training rows, ${int(split.test.target.length)} test targets; made and written in ${since(t)}`);
    seeds.push({ seed, split, dir });
  }
  return { configHash, loaded, interactions, content, seeds };
}
