import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserError, isShapedArray, readColumnar, writeColumnar, type EmbeddingModel, type ModelState, type StateArray } from "@mle/core";
import type { TrainingConfig } from "./engine/training.ts";
import type { Trained } from "./family.ts";
import { familyOf, modelConfigSchema, restoreModel, type ModelConfig } from "./registry.ts";

export const MODEL_FORMAT = "mle-model/1";

/** What the model was trained on, so a server can check it is serving the data it expects. */
export interface ModelProvenance {
  dataset: string;
  datasetChecksum: string;
  splitHash: string;
  seed: number;
}

/** `model/manifest.json`: everything but the arrays, readable by people and by `loadModel`. */
export interface ModelManifest extends ModelProvenance {
  format: typeof MODEL_FORMAT;
  family: string;
  name: string;
  dim: number;
  nItems: number;
  similarity: "dot" | "cosine";
  model: ModelConfig;
  training: TrainingConfig;
  /** Arrays in `state.bin` (name → shape) and the scalars of the state. */
  arrays: Record<string, number[]>;
  scalars: Record<string, number | string | boolean>;
}

/**
 * Saves a trained model as `dir/manifest.json` + `dir/state.bin` (the state's arrays and the item ids,
 * in the columnar format), and whatever files the family keeps beside (`saveFiles`: a two-stage model's HNSW index in `dir/ann/`). `movieIds[i]` is the raw MovieLens id
 * of the model's item i.
 */
export function saveModel(dir: string, trained: Trained, model: ModelConfig, training: TrainingConfig, provenance: ModelProvenance, movieIds: Int32Array): void {
  mkdirSync(dir, { recursive: true });
  const arrays: Record<string, number[]> = {};
  const scalars: Record<string, number | string | boolean> = {};
  const columns: Record<string, StateArray> = { movieIds };
  for (const [name, v] of Object.entries(trained.state)) {
    if (isShapedArray(v)) (arrays[name] = v.shape), (columns[`state/${name}`] = v.data);
    else scalars[name] = v;
  }
  const m = trained.model;
  const manifest: ModelManifest = {
    format: MODEL_FORMAT, family: model.family, name: m.name, dim: m.dim, nItems: m.nItems, similarity: m.similarity,
    model, training, ...provenance, arrays, scalars,
  };
  writeColumnar(join(dir, "state.bin"), { format: MODEL_FORMAT }, columns as never);
  familyOf(model.family).saveFiles?.(trained, dir);
  writeFileSync(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

export interface LoadedModel {
  model: EmbeddingModel;
  manifest: ModelManifest;
  state: ModelState;
  movieIds: Int32Array;
}

/** Loads a saved model into an `EmbeddingModel` with the same vectors and fold-in as the one that was saved. */
export function loadModel(dir: string): LoadedModel {
  const file = join(dir, "manifest.json");
  if (!existsSync(file) || !existsSync(join(dir, "state.bin"))) throw new UserError(`${dir} is not a saved model (no manifest.json and state.bin)`, "pass a run's seed-N/model folder");
  const manifest = JSON.parse(readFileSync(file, "utf8")) as ModelManifest;
  if (manifest.format !== MODEL_FORMAT) throw new UserError(`${dir}: model format "${manifest.format}", this version reads "${MODEL_FORMAT}"`);
  const config = modelConfigSchema.safeParse(manifest.model);
  if (!config.success) throw new UserError(`${dir}: the saved model config does not validate: ${config.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const { columns } = readColumnar(join(dir, "state.bin"));
  const state: ModelState = { ...manifest.scalars };
  for (const [name, shape] of Object.entries(manifest.arrays)) {
    const data = columns[`state/${name}`] as StateArray | undefined;
    if (!data) throw new UserError(`${dir}/state.bin has no array "${name}"`);
    state[name] = { data, shape };
  }
  return { model: restoreModel(state, config.data), manifest, state, movieIds: columns.movieIds as Int32Array };
}
