import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UserError } from "@mle/core";

/** Where a served model's pieces are: its `model/` folder, and the seed and run folders around it when they exist. */
export interface ModelLocation {
  modelDir: string;
  /** `seed-N/` (its `split.bin` holds the known users' histories), when the model sits in a run. */
  seedDir: string | null;
  /** The run folder (its `config.yaml` says which data and preprocessing the model was trained on). */
  runDir: string | null;
}

/**
 * A run folder (`runs/<experiment>/<name>/`: the first seed, or `seed`), a seed folder (`seed-N/`) or a model
 * folder (`model/`, with manifest.json and state.bin).
 */
export function locateModel(path: string, seed?: number): ModelLocation {
  const p = resolve(path);
  if (!existsSync(p)) throw new UserError(`--model ${path} does not exist`, "pass a run folder (runs/<experiment>/<name>), one of its seed-N folders, or a model folder");
  let modelDir: string;
  if (existsSync(join(p, "manifest.json"))) modelDir = p;
  else if (existsSync(join(p, "model", "manifest.json"))) modelDir = join(p, "model");
  else {
    const seeds = readdirSync(p).filter((f) => /^seed-\d+$/.test(f) && existsSync(join(p, f, "model", "manifest.json"))).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
    if (!seeds.length) throw new UserError(`--model ${path} holds no saved model (no manifest.json, model/ or seed-N/model/)`, "train one first, e.g. pnpm exp configs/ials.yaml --out runs/ials");
    const pick = seed === undefined ? seeds[0] : `seed-${seed}`;
    if (!seeds.includes(pick)) throw new UserError(`--model ${path} has no ${pick} (it has ${seeds.join(", ")})`);
    modelDir = join(p, pick, "model");
  }
  const seedDir = existsSync(join(dirname(modelDir), "split.bin")) ? dirname(modelDir) : null;
  const runDir = seedDir && existsSync(join(dirname(seedDir), "config.yaml")) ? dirname(seedDir) : null;
  return { modelDir, seedDir, runDir };
}
