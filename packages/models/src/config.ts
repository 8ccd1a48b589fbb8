import { z } from "zod";
import { easeConfigSchema } from "./baselines/ease.ts";
import { popularityConfigSchema } from "./baselines/popularity.ts";
import { randomConfigSchema } from "./baselines/random.ts";
import { mfConfigSchema } from "./mf/config.ts";

/** Every model family's config, told apart by `family`. Later families join this union. */
export const modelConfigSchema = z.discriminatedUnion("family", [popularityConfigSchema, randomConfigSchema, easeConfigSchema, mfConfigSchema]);
export type ModelConfig = z.infer<typeof modelConfigSchema>;

/** Families whose trainers exist; the runner refuses to train the others (their configs still validate). */
export const TRAINABLE_FAMILIES: readonly ModelConfig["family"][] = ["popularity", "random", "ease", "mf"];
