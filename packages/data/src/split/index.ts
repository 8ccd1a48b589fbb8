import { z } from "zod";
import type { Interactions } from "../interactions.ts";
import { leaveLastSplit, leaveLastSplitSchema } from "./leave-last.ts";
import { randomSplit, randomSplitSchema } from "./random.ts";
import { temporalSplit, temporalSplitSchema } from "./temporal.ts";
import type { Split } from "./types.ts";
import { userHoldoutSplit, userHoldoutSplitSchema } from "./user-holdout.ts";

export const splitSchema = z.discriminatedUnion("kind", [temporalSplitSchema, leaveLastSplitSchema, userHoldoutSplitSchema, randomSplitSchema]);
export type SplitConfig = z.infer<typeof splitSchema>;

/** Builds the configured split; every random choice comes from `seed`. */
export function makeSplit(x: Interactions, config: SplitConfig, seed: number): Split {
  switch (config.kind) {
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
