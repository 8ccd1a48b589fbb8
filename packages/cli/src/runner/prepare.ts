import { join } from "node:path";
import { log, sha256, stableStringify } from "@mle/core";
import { loadDataset, makeSplitFromRelease, preprocess, writeSplit, type Interactions, type LoadedDataset, type Split } from "@mle/data";
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
  seeds: PreparedSeed[];
}

/** config → data → preprocessing → one split per seed (written beside the run). */
export async function prepareExperiment(config: ExperimentConfig, outDir: string): Promise<PreparedExperiment> {
  const configHash = sha256(stableStringify(config));
  const loaded = await loadDataset(config.data.dataset, { mirror: config.data.mirror, cacheDir: config.data.cacheDir });
  log(`${config.data.dataset}: ${loaded.fromCache ? "loaded from cache" : "ingested"} (${loaded.located.origin} ${loaded.located.dir})`);
  const interactions = preprocess(loaded.dataset, config.data);
  const seeds: PreparedSeed[] = [];
  for (const seed of config.experiment.seeds) {
    const split = await makeSplitFromRelease(interactions, config.split, seed, loaded.dataset, loaded.located.dir);
    const dir = join(outDir, `seed-${seed}`);
    writeSplit(dir, split);
    seeds.push({ seed, split, dir });
  }
  return { configHash, loaded, interactions, seeds };
}
