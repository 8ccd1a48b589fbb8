import { z } from "zod";
import type { Interactions } from "../interactions.ts";
import { leaveLastSplit, leaveLastSplitSchema } from "./leave-last.ts";
import { randomSplit, randomSplitSchema } from "./random.ts";
import { temporalSplit, temporalSplitSchema } from "./temporal.ts";
import type { Split } from "./types.ts";
import { userHoldoutSplit, userHoldoutSplitSchema } from "./user-holdout.ts";
import { foldsSplit, foldsSplitSchema } from "./folds.ts";
import type { Dataset } from "../dataset.ts";

export const splitSchema = z.discriminatedUnion("kind", [temporalSplitSchema, leaveLastSplitSchema, userHoldoutSplitSchema, randomSplitSchema, foldsSplitSchema]);
export type SplitConfig = z.infer<typeof splitSchema>;

/** Builds a split that needs the release's files (`folds`); the others go through `makeSplit`. */
export async function makeSplitFromRelease(x: Interactions, config: SplitConfig, seed: number, dataset: Dataset, dir: string): Promise<Split> {
  return config.kind === "folds" ? foldsSplit(x, config, seed, dataset, dir) : makeSplit(x, config, seed);
}

/** Builds the configured split; every random choice comes from `seed`. */
export function makeSplit(x: Interactions, config: SplitConfig, seed: number): Split {
  switch (config.kind) {
    case "folds":
      throw new Error("the folds split reads the release's files: use makeSplitFromRelease");
    case "temporal":
      return temporalSplit(x, config, seed);
    case "leave-last":
      return leaveLastSplit(x, config, seed);
    case "user-holdout":
      return userHoldoutSplit(x, config, seed);
    case "random":
      return randomSplit(x, config, seed);
  }
}
