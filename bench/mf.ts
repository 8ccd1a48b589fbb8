import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { testMirror } from "@mle/core/testing";
import { benchDir, benchPython, runPython, runTask } from "./lib/child.ts";
import { ML_20M_SHAPE, writeSyntheticRatings } from "./lib/synthetic.ts";

type Fit = { seconds: number; secondsPerEpoch: number; "ndcg@10"?: number };
type FoldFit = { fold: number; rmse: number; seconds: number; secondsPerEpoch: number }[];

const IALS = { factors: 64, l2: 0.03, iterations: 15 };
const BPR_CORNAC = { factors: 200, learningRate: 0.01, l2: 0.001, epochs: 100, initStd: 0.01 };
const BPR_64 = { factors: 64, learningRate: 0.01, l2: 0.001, epochs: 50, initStd: 0.01 };

/**
 * `pnpm bench mf`, every peer in the same run on the same machine, ratios ours/peer:
 *  1. biased MF on ML-100k's official folds: per-rating SGD vs Surprise's SVD (its defaults), and
 *     lazy Adam in batches of 1024 vs the same model in PyTorch (SparseAdam), RMSE and time per epoch;
 *  2. iALS and BPR on ML-100k and ml-latest-small (per-user random 75/25, seed 1) vs implicit
 *     (2 threads) and, for BPR on ML-100k, Cornac (the published 0.442's model): NDCG@10, time;
 *  3. the same at ML-20M scale on synthetic data (138,493 × 26,744, 20,000,263 interactions):
 *     time per epoch and peak memory only (random data has no quality to measure).
 */
export async function benchMf(): Promise<void> {
  const mirror = testMirror();
  const py = benchPython();
  if (!mirror || !py) return console.log("bench mf needs the MovieLens mirror and bench/.venv (pip install -r bench/requirements.txt)");
  explicitFolds(mirror, py);
  for (const [name, minRating, bpr] of [["ml-100k", 0, BPR_CORNAC], ["ml-latest-small", 4, BPR_64]] as const) {
    const dir = join(benchDir, ".data", "mf", name);
    runTask("export-split", [mirror, name, String(minRating), dir]);
    implicitRuns(`${name} (per-user random 75/25, seed 1${minRating ? `, ratings ≥ ${minRating}` : ""})`, join(dir, "train.tsv"), join(dir, "test.tsv"), py, IALS, bpr, name === "ml-100k");
  }
  const synthetic = join(benchDir, ".data", "mf", "synthetic-20m.tsv");
  if (!existsSync(synthetic)) {
    mkdirSync(join(benchDir, ".data", "mf"), { recursive: true });
    console.log(`writing synthetic ML-20M-sized interactions to ${synthetic} ...`);
    writeSyntheticRatings(synthetic, ML_20M_SHAPE, 1, "udata");
  }
  // No Cholesky at this scale: |I_u|·d² per row makes one iteration take minutes on one thread.
  implicitRuns("synthetic ML-20M size (time and memory only)", synthetic, null, py, { ...IALS, iterations: 2 }, { ...BPR_64, epochs: 1 }, false, false);
}

function explicitFolds(mirror: string, py: string): void {
  const folds = join(mirror, "ml-100k");
  const svd = { variant: "biased", factors: 100, l2: 0.02, foldInL2: 0.1, initStd: 0.1 };
  const adam = { factors: 64, l2: 0.02, initStd: 0.1, learningRate: 0.002, epochs: 20, batchSize: 1024 };
  const ours = runTask("mf", [JSON.stringify({ folds, runs: [
    { name: "sgd", model: svd, training: { epochs: 20, learningRate: 0.005, optimizer: "sgd", batchSize: 1 } },
    { name: "adam", model: { variant: "biased", factors: adam.factors, l2: adam.l2, initStd: adam.initStd, foldInL2: 0.1 }, training: { epochs: adam.epochs, learningRate: adam.learningRate, optimizer: "adam", batchSize: adam.batchSize } },
  ] })]) as unknown as Record<string, FoldFit>;
  const surprise = runPython(py, "surprise_folds.py", [folds]) as unknown as FoldFit;
  const torch = runPython(py, "torch_biased_mf.py", [folds, JSON.stringify({ ...adam, threads: 2 })]) as unknown as FoldFit;
  const mean = (f: FoldFit, k: "rmse" | "secondsPerEpoch") => f.reduce((a, b) => a + b[k], 0) / f.length;
  console.log("\nbiased MF, ML-100k official folds u1..u5 (mean over folds; ours single-threaded)");
  console.log("training                                   ours RMSE  peer RMSE  ours s/epoch  peer s/epoch  ours/peer time");
  for (const [label, a, b] of [
    ["per-rating SGD, d=100 (peer: Surprise SVD)", ours.sgd, surprise],
    [`lazy Adam, batch ${adam.batchSize}, d=64 (peer: PyTorch, 2 thr)`, ours.adam, torch],
  ] as const) {
    console.log(`${label.padEnd(43)}${mean(a, "rmse").toFixed(4).padStart(9)}${mean(b, "rmse").toFixed(4).padStart(11)}${mean(a, "secondsPerEpoch").toFixed(3).padStart(14)}${mean(b, "secondsPerEpoch").toFixed(3).padStart(14)}${(mean(a, "secondsPerEpoch") / mean(b, "secondsPerEpoch")).toFixed(2).padStart(16)}`);
  }
  console.log("published: Surprise SVD 0.934 (5-fold CV)");
}

function implicitRuns(label: string, train: string, test: string | null, py: string, ials: typeof IALS, bpr: typeof BPR_64, cornac: boolean, cholesky = true): void {
  const ialsModel = { variant: "ials", factors: ials.factors, l2: ials.l2, unobservedWeight: 0.1, initStd: 0.1 };
  const bprModel = { variant: "bpr", factors: bpr.factors, l2: bpr.l2, initStd: bpr.initStd };
  const sgd = { optimizer: "sgd", batchSize: 1, learningRate: bpr.learningRate, epochs: bpr.epochs };
  const ours = runTask("mf", [JSON.stringify({ train, test, runs: [
    ...(cholesky ? [{ name: "ials", model: ialsModel, training: { epochs: ials.iterations, learningRate: 0, threads: 1 } }] : []),
    { name: "ials-cg", model: { ...ialsModel, solver: "cg" }, training: { epochs: ials.iterations, learningRate: 0, threads: 2 } },
    { name: "bpr", model: bprModel, training: sgd },
    { name: "bpr-hogwild", model: bprModel, training: { ...sgd, threads: 2 } },
  ] })]) as unknown as Partial<Record<"ials", Fit>> & Record<"ials-cg" | "bpr" | "bpr-hogwild", Fit> & { shape: { users: number; items: number; interactions: number }; maxRssMiB: number };
  const settings: Record<string, unknown> = {
    ials: { factors: ials.factors, regularization: ials.l2, iterations: ials.iterations },
    bpr: { factors: bpr.factors, learning_rate: bpr.learningRate, regularization: bpr.l2, iterations: bpr.epochs },
  };
  if (cornac) settings.cornac_bpr = { factors: bpr.factors, learning_rate: bpr.learningRate, regularization: bpr.l2, iterations: bpr.epochs };
  const peers = runPython(py, "mf_peers.py", [train, test ?? "-", JSON.stringify(settings)]) as unknown as Record<"ials" | "bpr" | "cornac_bpr", Fit> & { version: string; maxRssMiB: number };
  const { users, items, interactions } = ours.shape;
  console.log(`\n${label}: ${users.toLocaleString("en-US")} users × ${items.toLocaleString("en-US")} items, ${interactions.toLocaleString("en-US")} interactions; peak RSS ours ${ours.maxRssMiB.toFixed(0)} MiB, peers ${peers.maxRssMiB.toFixed(0)} MiB`);
  // Total seconds are the time to reach the NDCG shown (the configured epochs); the ratio is per epoch.
  console.log("ours                        peer                          ours NDCG@10  peer NDCG@10  ours s/epoch  peer s/epoch  ours s total  peer s total  ours/peer time");
  const q = (f: Fit) => (f["ndcg@10"] === undefined ? "—" : f["ndcg@10"].toFixed(4));
  const rows: [string, Fit | undefined, string, Fit | undefined][] = [
    [`iALS d=${ials.factors}, Cholesky, 1 thr`, ours.ials, `implicit ${peers.version} ALS (CG), 2 thr`, peers.ials],
    [`iALS d=${ials.factors}, CG×3, 2 thr`, ours["ials-cg"], `implicit ${peers.version} ALS (CG), 2 thr`, peers.ials],
    [`BPR d=${bpr.factors}, SGD, 1 thr`, ours.bpr, `implicit ${peers.version} BPR, 2 thr`, peers.bpr],
    [`BPR d=${bpr.factors}, Hogwild, 2 thr`, ours["bpr-hogwild"], `implicit ${peers.version} BPR, 2 thr`, peers.bpr],
    [`BPR d=${bpr.factors}, SGD, 1 thr`, ours.bpr, "Cornac BPR, 1 thr", peers.cornac_bpr],
  ];
  for (const [a, fa, b, fb] of rows) {
    if (!fa || !fb) continue;
    console.log(`${a.padEnd(28)}${b.padEnd(30)}${q(fa).padStart(12)}${q(fb).padStart(14)}${fa.secondsPerEpoch.toFixed(3).padStart(14)}${fb.secondsPerEpoch.toFixed(3).padStart(14)}${fa.seconds.toFixed(1).padStart(14)}${fb.seconds.toFixed(1).padStart(14)}${(fa.secondsPerEpoch / fb.secondsPerEpoch).toFixed(2).padStart(16)}`);
  }
}
