import { join } from "node:path";
import { log, sha256, stableStringify, type ItemFeatures, type UserFeatures } from "@mle/core";
import { integrityWarnings, itemFeatures, loadDataset, makeSplitFromRelease, preprocess, userFeatures, writeSplit, type Interactions, type LoadedDataset, type Split } from "@mle/data";
import type { ExperimentConfig } from "../config/schema.ts";

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
  const interactions = preprocess(loaded.dataset, config.data);
  const content = { itemFeatures: itemFeatures(loaded.dataset, interactions), userFeatures: userFeatures(loaded.dataset, interactions) };
  const seeds: PreparedSeed[] = [];
  for (const seed of config.experiment.seeds) {
    const split = await makeSplitFromRelease(interactions, config.split, seed, loaded.dataset, loaded.located.dir);
    const dir = join(outDir, `seed-${seed}`);
    writeSplit(dir, split, interactions, loaded.dataset);
    seeds.push({ seed, split, dir });
  }
  return { configHash, loaded, interactions, content, seeds };
}
