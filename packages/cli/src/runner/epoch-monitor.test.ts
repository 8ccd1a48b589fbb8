import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { setQuiet, type EmbeddingModel, type RankingTask } from "@mle/core";
import { repoRoot } from "@mle/core/testing";
import { initBackend } from "@mle/models";
import { loadConfig } from "../config/load.ts";
import { epochMonitor } from "./epoch-monitor.ts";

beforeAll(async () => {
  setQuiet(true);
  await initBackend();
});

/** One validation user whose target is item 0 of two; `hit` decides whether the model ranks it first (NDCG 1) or second. */
const valid: RankingTask = {
  nItems: 2, users: Int32Array.of(0), historyOffsets: Uint32Array.of(0, 0), historyItems: new Int32Array(0), historyRatings: new Float32Array(0),
  historyTimestamps: new Uint32Array(0), targetOffsets: Uint32Array.of(0, 1), targetItems: Int32Array.of(0), targetRatings: Float32Array.of(1),
  itemTrainUsers: Uint32Array.of(1, 1), nTrainUsers: 1,
};
const model = (hit: boolean): EmbeddingModel => ({
  name: "fixed", dim: 1, nItems: 2, similarity: "dot", itemVectors: Float32Array.of(hit ? 1 : -1, 0), userVector: () => Float32Array.of(1),
});

/** Epochs until the monitor says stop, when only the first epoch's model finds the target. */
async function stopsAfter(earlyStopping: string): Promise<{ epochs: number; kept: number }> {
  const { config } = loadConfig(join(repoRoot, "configs/ml100k-seq/sasrec.yaml"), ["tracking.enabled=false", `training.earlyStopping=${earlyStopping}`]);
  const { monitor, record } = epochMonitor(config, valid);
  for (let epoch = 1; epoch <= 50; epoch++) if ((await monitor(epoch, 1, () => model(epoch === 1))) === "stop") break;
  return { epochs: record.epochsRun, kept: record.keptEpoch };
}

describe("early stopping", () => {
  it("stops `patience` epochs after the best one and keeps the best", async () => {
    expect(await stopsAfter("{patience: 3}")).toEqual({ epochs: 4, kept: 1 });
  });
  it("never stops before minEpochs", async () => {
    expect(await stopsAfter("{patience: 3, minEpochs: 12}")).toEqual({ epochs: 12, kept: 1 });
  });
  it("rejects a negative minEpochs with the key path", () => {
    expect(() => loadConfig(join(repoRoot, "configs/ml100k-seq/sasrec.yaml"), ["training.earlyStopping={patience: 3, minEpochs: -1}"])).toThrow(/training\.earlyStopping\.minEpochs/);
  });
});

describe("a tuner's pruning rule", () => {
  it("is asked after every validated epoch with the curve so far (higher is better), and stops the trial, marked pruned", async () => {
    const { config } = loadConfig(join(repoRoot, "configs/ml100k-seq/sasrec.yaml"), ["tracking.enabled=false", "training.earlyStopping={patience: 50}"]);
    const seen: number[][] = [];
    const { monitor, record } = epochMonitor(config, valid, undefined, (curve) => (seen.push([...curve]), curve.length === 3));
    let epoch = 1;
    for (; epoch <= 10; epoch++) if ((await monitor(epoch, 1, () => model(epoch % 2 === 1))) === "stop") break;
    expect(epoch).toBe(3);
    expect(seen).toEqual([[1], [1, 1 / Math.log2(3)], [1, 1 / Math.log2(3), 1]]);
    expect(record).toMatchObject({ epochsRun: 3, pruned: true, stoppedEarly: true });
  });
});
