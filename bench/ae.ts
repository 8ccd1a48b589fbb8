import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { testMirror } from "@mle/core/testing";
import { benchDir, benchPython, runPython, runTask } from "./lib/child.ts";
import { exportRandomSplit, exportUserHoldoutSplit } from "./lib/export-split.ts";
import { ML_20M_LIANG_SHAPE, writeSyntheticRatings } from "./lib/synthetic.ts";
import { printTable } from "./lib/table.ts";

type Fit = { seconds: number; secondsPerEpoch: number; [metric: string]: number };
type Peers = { torch?: Fit; cornac?: Fit & { version?: string }; version: string; maxRssMiB: number };
type Ours = Record<string, Fit> & { shape: { users: number; items: number; interactions: number; evaluated: number }; maxRssMiB: number };

/** The Mult-VAE every side trains: configs/ml100k/multvae.yaml's network, a fixed number of epochs (no validation). */
const MULT_VAE = { hidden: 600, latent: 200, dropout: 0.5, beta: 0.5, annealSteps: 500, learningRate: 0.001, batchSize: 100, epochs: 50 };

/**
 * `pnpm bench ae`, every peer in the same run on the same machine and threads (2), ratios ours/peer:
 *  1. the Microsoft Recommenders ML-100k protocol (per-user random 75/25, seed 1): our Mult-VAE vs a PyTorch
 *     Mult-VAE written from Liang et al. 2018 (bench/reference/ae_peers.py) and Cornac's VAECF, NDCG@10 and
 *     time per epoch; our Mult-DAE and RecVAE beside them;
 *  2. strong generalisation (20% of users held out, 80% of each one's rows folded in, 20% targets) on ML-100k
 *     and ml-latest-small (ratings ≥ 4): Recall@20/50 (hits / min(K, |targets|)) and NDCG@100;
 *  3. one epoch of Mult-VAE on a synthetic ML-20M-sized set (Liang's filtered shape): time and peak memory.
 */
export async function benchAe(): Promise<void> {
  const mirror = testMirror();
  const py = benchPython();
  if (!mirror || !py) return console.log("bench ae needs the MovieLens mirror and bench/.venv (pip install -r bench/requirements.txt)");
  const { epochs, learningRate, batchSize, ...net } = MULT_VAE;
  const training = { epochs, learningRate, batchSize };
  const cornac = { hidden: net.hidden, latent: net.latent, epochs, learningRate, batchSize, beta: net.beta };
  console.log(`Mult-VAE ${net.hidden}-${net.latent}, dropout ${net.dropout}, β → ${net.beta} over ${net.annealSteps} updates, Adam lr ${learningRate}, batch ${batchSize}, ${epochs} epochs; PyTorch and ours on 2 threads`);

  const weak = join(benchDir, ".data", "ae", "ml-100k");
  await exportRandomSplit(mirror, "ml-100k", 0, weak);
  const ours = runTask("fit-rank", [JSON.stringify({ train: join(weak, "train.tsv"), test: join(weak, "test.tsv"), k: [10], metrics: ["ndcg@10"], runs: [
    { name: "multvae", model: { variant: "multvae", ...net }, training },
    { name: "multdae", model: { variant: "multdae", hidden: net.hidden, latent: net.latent, dropout: net.dropout }, training },
    { name: "recvae", model: { variant: "recvae", hidden: net.hidden, latent: net.latent }, training: { ...training, epochs: 15 } },
  ] })]) as unknown as Ours;
  const peers = runPython(py, "ae_peers.py", [join(weak, "train.tsv"), join(weak, "test.tsv"), "-", JSON.stringify({ torch: MULT_VAE, cornac, k: [10], threads: 2 })]) as unknown as Peers;
  const row = (label: string, f: Fit, peer?: Fit) => [label, f["ndcg@10"].toFixed(4), f.secondsPerEpoch.toFixed(3), peer ? (f.secondsPerEpoch / peers.torch!.secondsPerEpoch).toFixed(2) : ""];
  printTable(`ML-100k, per-user random 75/25 (seed 1): ${ours.shape.users} users × ${ours.shape.items} items; published BiVAE NDCG@10 0.4751`, ["model", "NDCG@10", "s/epoch", "time / PyTorch"], [
    row("ours Mult-VAE", ours.multvae, peers.torch),
    row(`PyTorch ${peers.version} Mult-VAE (Liang)`, peers.torch!, peers.torch),
    row(`Cornac ${peers.cornac!.version} VAECF`, peers.cornac!, peers.torch),
    row("ours Mult-DAE", ours.multdae, peers.torch),
    row("ours RecVAE (15 epochs × 3+1 passes)", ours.recvae),
  ]);

  for (const [name, minRating] of [["ml-100k", 0], ["ml-latest-small", 4]] as const) {
    const dir = join(benchDir, ".data", "ae", `${name}-strong`);
    await exportUserHoldoutSplit(mirror, name, minRating, dir, 0.2);
    const files = [join(dir, "train.tsv"), join(dir, "test.tsv"), join(dir, "foldin.tsv")];
    const metrics = ["recall_liang@20", "recall_liang@50", "ndcg@100"];
    const o = runTask("fit-rank", [JSON.stringify({ train: files[0], test: files[1], foldin: files[2], k: [20, 50, 100], metrics, runs: [{ name: "multvae", model: { variant: "multvae", ...net }, training }] })]) as unknown as Ours;
    const p = runPython(py, "ae_peers.py", [...files, JSON.stringify({ torch: MULT_VAE, cornac, k: [20, 50, 100], threads: 2 })]) as unknown as Peers;
    const r = (label: string, f: Fit) => [label, ...metrics.map((m) => f[m].toFixed(4)), f.secondsPerEpoch.toFixed(3)];
    printTable(`${name}${minRating ? ` (ratings ≥ ${minRating})` : ""}, strong generalisation: ${o.shape.users} training users, ${o.shape.evaluated} held-out users folded in (80/20)`, ["model", "Recall@20", "Recall@50", "NDCG@100", "s/epoch"], [
      r("ours Mult-VAE", o.multvae), r("PyTorch Mult-VAE (Liang)", p.torch!), r("Cornac VAECF", p.cornac!),
    ]);
  }

  const synthetic = join(benchDir, ".data", "ae", "synthetic-ml20m-liang.tsv");
  if (!existsSync(synthetic)) {
    mkdirSync(join(benchDir, ".data", "ae"), { recursive: true });
    console.log(`\nwriting synthetic ML-20M-sized interactions (Liang's filtered shape) to ${synthetic} ...`);
    writeSyntheticRatings(synthetic, ML_20M_LIANG_SHAPE, 1, "udata");
  }
  const big = { ...MULT_VAE, batchSize: 500, epochs: 1 };
  const o = runTask("fit-rank", [JSON.stringify({ train: synthetic, test: null, k: [], metrics: [], runs: [{ name: "multvae", model: { variant: "multvae", ...net }, training: { epochs: 1, learningRate, batchSize: 500 } }] })]) as unknown as Ours;
  const p = runPython(py, "ae_peers.py", [synthetic, "-", "-", JSON.stringify({ torch: big, threads: 2 })]) as unknown as Peers;
  printTable(`synthetic ML-20M size: ${o.shape.users.toLocaleString("en-US")} users × ${o.shape.items.toLocaleString("en-US")} items, ${o.shape.interactions.toLocaleString("en-US")} interactions; one epoch, batch 500`, ["", "s/epoch", "peak RSS MiB", "time / PyTorch"], [
    ["ours Mult-VAE", o.multvae.secondsPerEpoch.toFixed(1), o.maxRssMiB.toFixed(0), (o.multvae.secondsPerEpoch / p.torch!.secondsPerEpoch).toFixed(2)],
    ["PyTorch Mult-VAE", p.torch!.secondsPerEpoch.toFixed(1), p.maxRssMiB.toFixed(0), "1.00"],
  ]);
}

type FoldFit = { fold: number; rmse: number; secondsPerEpoch: number }[];

/**
 * `pnpm bench autorec`: I-AutoRec on ML-100k's official folds u1..u5 — ours (configs/ml100k-explicit/autorec.yaml's
 * network and training) against a PyTorch I-AutoRec written from Sedhain et al. 2015 (bench/reference/torch_autorec.py)
 * with the same λ, epochs, batch and learning rate; each side on raw ratings (the paper's input) and centred on the mean.
 */
export async function benchAutoRec(): Promise<void> {
  const mirror = testMirror();
  const py = benchPython();
  if (!mirror || !py) return console.log("bench autorec needs the MovieLens mirror and bench/.venv (pip install -r bench/requirements.txt)");
  const folds = join(mirror, "ml-100k");
  const s = { hidden: 500, l2: 100, learningRate: 0.00025, batchSize: 64, epochs: 66 };
  console.log(`I-AutoRec ${s.hidden} sigmoid units, λ ${s.l2}, Adam lr ${s.learningRate}, batch ${s.batchSize} items, ${s.epochs} epochs; PyTorch on 2 threads`);
  const model = { variant: "autorec", hidden: s.hidden, l2: s.l2 };
  const training = { epochs: s.epochs, learningRate: s.learningRate, batchSize: s.batchSize };
  const ours = runTask("fit-rank", [JSON.stringify({ folds, runs: [{ name: "raw", model, training }, { name: "centred", model: { ...model, centre: true }, training }] })]) as unknown as Record<"raw" | "centred", FoldFit>;
  const raw = runPython(py, "torch_autorec.py", [folds, JSON.stringify({ ...s, threads: 2 })]) as unknown as FoldFit;
  const centred = runPython(py, "torch_autorec.py", [folds, JSON.stringify({ ...s, centre: true, threads: 2 })]) as unknown as FoldFit;
  const mean = (f: FoldFit, k: "rmse" | "secondsPerEpoch") => f.reduce((a, b) => a + b[k], 0) / f.length;
  const row = (label: string, f: FoldFit) => [label, ...f.map((x) => x.rmse.toFixed(4)), mean(f, "rmse").toFixed(4), mean(f, "secondsPerEpoch").toFixed(3), (mean(f, "secondsPerEpoch") / mean(raw, "secondsPerEpoch")).toFixed(2)];
  printTable("ML-100k official folds, RMSE per fold; our biased MF 0.9295 (configs/ml100k-explicit/mf.yaml), published autoencoder results on u1 reach 0.889 (GLocal-K)",
    ["model", "u1", "u2", "u3", "u4", "u5", "mean", "s/epoch", "time / PyTorch"], [
      row("ours I-AutoRec (raw input, the paper)", ours.raw),
      row("PyTorch I-AutoRec (raw input, the paper)", raw),
      row("ours I-AutoRec (input centred)", ours.centred),
      row("PyTorch I-AutoRec (input centred)", centred),
    ]);
}
