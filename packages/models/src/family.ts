import type { z } from "zod";
import type { EmbeddingModel, ModelState, Rng, TrainSet } from "@mle/core";
import type { TrainingConfig, TrainingOptions } from "./engine/training.ts";

/** What a report says about a model: its architecture, why it is here, and how it is trained and validated. */
export interface ModelNotes {
  architecture: string;
  why: string;
  training: string;
}

export interface FitContext {
  /** Every random choice of the fit (and of later fold-ins) comes from here. */
  rng: Rng;
  training: TrainingOptions;
}

/** A fitted model: the embedding space it serves, and the typed state it can be saved as and rebuilt from. */
export interface Trained<S extends ModelState = ModelState> {
  model: EmbeddingModel;
  state: S;
}

/**
 * One model family: everything the experiment schema, the runner, reports and serving need to know,
 * in one place. Adding a family is a folder exporting one of these plus a line in `registry.ts`.
 */
export interface ModelFamily<C extends { family: string } = { family: string }, S extends ModelState = ModelState> {
  family: C["family"];
  /** One line: what the family is. */
  summary: string;
  /** The `model:` section (variants discriminated, each with only its own keys and defaults). */
  config: z.ZodType<C>;
  /** The `training:` section this model accepts (`trainingSchema` of the knobs it reads). */
  training: (c: C) => z.ZodType<TrainingConfig>;
  /** e.g. "MF bpr (d = 64)" — for tables and titles. */
  describe: (c: C) => string;
  /** Report prose: architecture, why this model, how it is trained — with the configured values. */
  notes: (c: C, t: TrainingConfig) => ModelNotes;
  fit: (train: TrainSet, c: C, ctx: FitContext) => Promise<Trained<S>>;
  /** The model a saved state serves: the same vectors and the same fold-in, bit for bit. */
  restore: (state: S, c: C) => EmbeddingModel;
  /** Files a saved model keeps beside its state (a pipeline's HNSW index); `saveModel` calls it with the model folder. */
  saveFiles?: (trained: Trained<S>, dir: string) => void;
  /** Small configs, one per variant, that train in a moment: the save/load round trip test fits each. */
  examples: Record<string, unknown>[];
}
