import { z } from "zod";
import type { EmbeddingModel, ModelState, TrainSet } from "@mle/core";
import { baselineFamily } from "./baselines/baseline-only.ts";
import { easeFamily } from "./baselines/ease.ts";
import { meanFamily } from "./baselines/global-mean.ts";
import { popularityFamily } from "./baselines/popularity.ts";
import { randomFamily } from "./baselines/random.ts";
import type { TrainingConfig } from "./engine/training.ts";
import type { FitContext, ModelFamily, ModelNotes, Trained } from "./family.ts";
import { mfFamily } from "./mf/index.ts";
import { autoencoderFamily } from "./autoencoder/index.ts";
import { metricFamily } from "./metric/index.ts";
import { pipelineFamily } from "./pipeline/index.ts";
import { sequenceFamily } from "./sequence/index.ts";

/** Every model family. A new family is a folder exporting its `ModelFamily`, and one line here. */
export const FAMILIES = [popularityFamily, randomFamily, meanFamily, baselineFamily, easeFamily, mfFamily, autoencoderFamily, metricFamily, sequenceFamily, pipelineFamily] as const;

type ConfigOf<F> = F extends ModelFamily<infer C, infer _S> ? C : never;
/** A validated `model:` section of any family. */
export type ModelConfig = ConfigOf<(typeof FAMILIES)[number]>;
export type FamilyName = ModelConfig["family"];
export const FAMILY_NAMES = FAMILIES.map((f) => f.family) as [FamilyName, ...FamilyName[]];

/** The family of a config (the registry's one lookup; configs were validated against this family's schema). */
export function familyOf(name: string): ModelFamily<ModelConfig, ModelState> {
  const f = FAMILIES.find((x) => x.family === name);
  if (!f) throw new Error(`unknown model family "${name}"; known: ${FAMILY_NAMES.join(", ")}`);
  return f as unknown as ModelFamily<ModelConfig, ModelState>;
}

/** The `model:` section: `family` picks the family, whose own schema then checks the rest (issues keep their key paths). */
export const modelConfigSchema: z.ZodType<ModelConfig> = z.looseObject({ family: z.enum(FAMILY_NAMES) }).transform((v, ctx) => {
  const r = familyOf(v.family).config.safeParse(v);
  if (r.success) return r.data;
  for (const issue of r.error.issues) ctx.issues.push({ ...issue, input: undefined } as never);
  return z.NEVER;
});

/** The `training:` section a configured model accepts. */
export function trainingSchemaFor(c: ModelConfig): z.ZodType<TrainingConfig> {
  return familyOf(c.family).training(c);
}

export function fitModel(train: TrainSet, c: ModelConfig, ctx: FitContext): Promise<Trained> {
  return familyOf(c.family).fit(train, c, ctx);
}

/** The model a saved state serves (the same vectors and fold-in as when it was fitted). */
export function restoreModel(state: ModelState, c: ModelConfig): EmbeddingModel {
  return familyOf(c.family).restore(state, c);
}

/** A line for tables and reports: what was fitted. */
export function describeModel(c: ModelConfig): string {
  return familyOf(c.family).describe(c);
}

export function modelNotes(c: ModelConfig, t: TrainingConfig): ModelNotes {
  return familyOf(c.family).notes(c, t);
}
