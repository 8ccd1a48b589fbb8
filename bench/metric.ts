import { join } from "node:path";
import { testMirror } from "@mle/core/testing";
import { benchDir, benchPython, runPython, runTask } from "./lib/child.ts";
import { exportRandomSplit } from "./lib/export-split.ts";
import { printTable } from "./lib/table.ts";

type Fit = { seconds: number; secondsPerEpoch: number; [metric: string]: number };

/** The CML both sides train: configs/ml100k/cml.yaml's model and training, a fixed number of epochs (no validation). */
const CML = { factors: 100, margin: 1, negatives: 10, covariance: 1, learningRate: 0.05, batchSize: 1000, epochs: 13 };

/**
 * `pnpm bench metric`, in one run on the same machine: CML on the Microsoft Recommenders ML-100k protocol
 * (per-user random 75/25, seed 1) — ours against a PyTorch CML written from Hsieh et al. 2017
 * (bench/reference/torch_cml.py, the same loss, sampling, Adagrad, clipping and covariance term), NDCG@10 and
 * time per epoch; and implicit's BPR on the same split as the speed anchor of sampled-pair training.
 */
export async function benchMetric(): Promise<void> {
  const mirror = testMirror();
  const py = benchPython();
  if (!mirror || !py) return console.log("bench metric needs the MovieLens mirror and bench/.venv (pip install -r bench/requirements.txt)");
  const { learningRate, batchSize, epochs, ...model } = CML;
  console.log(`CML d=${model.factors}, margin ${model.margin}, U = ${model.negatives}, λ_c ${model.covariance}, Adagrad lr ${learningRate}, batches of ${batchSize}, ${epochs} epochs; PyTorch on 2 threads, ours on 1`);
  const dir = join(benchDir, ".data", "metric", "ml-100k");
  await exportRandomSplit(mirror, "ml-100k", 0, dir);
  const [train, test] = [join(dir, "train.tsv"), join(dir, "test.tsv")];
  const ours = runTask("fit-rank", [JSON.stringify({ train, test, k: [10], metrics: ["ndcg@10"], runs: [
    { name: "cml", model: { family: "metric", variant: "cml", ...model }, training: { epochs, learningRate, batchSize, optimizer: "adagrad" } },
  ] })]) as unknown as Record<"cml", Fit>;
  const torch = runPython(py, "torch_cml.py", [train, test, JSON.stringify({ ...CML, k: [10], threads: 2 })]) as unknown as Fit & { version: string };
  const bpr = { factors: 100, learning_rate: 0.01, regularization: 0.001, iterations: 20 };
  const implicit = runPython(py, "mf_peers.py", [train, test, JSON.stringify({ bpr })]) as unknown as { bpr: Fit; version: string };
  const row = (label: string, f: Fit) => [label, f["ndcg@10"].toFixed(4), f.secondsPerEpoch.toFixed(3), (f.secondsPerEpoch / torch.secondsPerEpoch).toFixed(2)];
  printTable("ML-100k, per-user random 75/25 (seed 1); published Cornac BPR NDCG@10 0.4420, LightGCN 0.4198", ["model", "NDCG@10", "s/epoch", "time / PyTorch CML"], [
    row("ours CML", ours.cml),
    row(`PyTorch ${torch.version} CML (Hsieh et al.)`, torch),
    row(`implicit ${implicit.version} BPR d=${bpr.factors}, ${bpr.iterations} epochs (speed anchor)`, implicit.bpr),
  ]);
}
