import { join } from "node:path";
import { Rng } from "@mle/core";
import { buildTrainSet, loadDataset, preprocess } from "@mle/data";
import { fitModel, modelConfigSchema, saveModel } from "@mle/models";

/** For tests: iALS on all of ml-latest-small (every rating an interaction), saved as a bare model folder: what `loadModel` serves. */
export async function trainedModelDir(dir0: string, mirror: string, factors = 32, name = "model"): Promise<string> {
  const { dataset } = await loadDataset("ml-latest-small", { mirror, cacheDir: join(dir0, "cache") });
  const x = preprocess(dataset, { feedback: { kind: "implicit", minRating: 0 }, kCore: { users: 0, items: 0 }, duplicates: "keep-last" });
  const train = buildTrainSet(x, Uint32Array.from({ length: x.n }, (_, i) => i));
  const model = modelConfigSchema.parse({ family: "mf", variant: "ials", factors, l2: 0.01 });
  const trained = await fitModel(train, model, { rng: new Rng(1), training: { epochs: 4, learningRate: 0 } });
  const dir = join(dir0, name);
  saveModel(dir, trained, model, { epochs: 4 }, { dataset: "ml-latest-small", datasetChecksum: dataset.checksum, splitHash: "all", seed: 1 }, Int32Array.from(x.itemOf, (i) => dataset.itemIds[i]));
  return dir;
}

