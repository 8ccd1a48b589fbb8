import { z } from "zod";
import { mfConfigSchema } from "./mf/config.ts";

/** Every model family's config, told apart by `family`. Later families join this union. */
export const modelConfigSchema = z.discriminatedUnion("family", [mfConfigSchema]);
export type ModelConfig = z.infer<typeof modelConfigSchema>;

/** Families whose trainers exist; the runner refuses to train the others (configs still validate). */
export const TRAINABLE_FAMILIES: readonly ModelConfig["family"][] = [];
