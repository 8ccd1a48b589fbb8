import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { testMirror } from "@mle/core/testing";
import { summarize } from "@mle/metrics";
import { benchDir, benchPython, runPython, runTask } from "./lib/child.ts";
import { exportLeaveLastSplit } from "./lib/export-split.ts";
import { ML_LATEST_SHAPE, writeSyntheticRatings } from "./lib/synthetic.ts";
import { printTable } from "./lib/table.ts";

type Fit = { seconds: number; secondsPerEpoch: number; [metric: string]: number };

/** The SASRec both sides train: configs/ml100k-seq/sasrec.yaml's network, a fixed number of epochs (no validation). */
const SASREC = { factors: 64, blocks: 2, heads: 1, maxLength: 50, dropout: 0.2, learningRate: 0.002, batchSize: 128, epochs: 20 };
/** Seeds of both sides (BENCH_SEEDS=n for fewer while iterating). */
const SEEDS = Array.from({ length: Number(process.env.BENCH_SEEDS ?? 5) }, (_, k) => k + 1);
/** Timed steps at ml-latest size (each ~10–30 s on 2 cores). */
const SCALE_STEPS = Number(process.env.BENCH_SCALE_STEPS ?? 3);

/**
 * `pnpm bench seq`, in one run on the same machine:
 *  1. SASRec with the full-softmax loss on ML-100k, leave-one-out by time (each user's last item the target,
 *     everything before it the history) — ours against a PyTorch SASRec written from the paper
 *     (bench/reference/torch_sasrec.py: the same blocks, initialisation, windows, loss and optimizer), five seeds
 *     each: HR@10, NDCG@10 (mean ± 95% CI) and time per epoch;
 *  2. our training step at ml-latest size (a synthetic 331k-user × 86.5k-item history set, L = 200): time per
 *     step, the epoch time it implies and peak memory — the full softmax over 86.5k items computed in chunks.
 */
export async function benchSeq(): Promise<void> {
  const mirror = testMirror();
  const py = benchPython();
  if (!mirror || !py) return console.log("bench seq needs the MovieLens mirror and bench/.venv (pip install -r bench/requirements.txt)");
  const { learningRate, batchSize, epochs, ...net } = SASREC;
  console.log(`SASRec-CE d=${net.factors}, ${net.blocks} blocks × ${net.heads} head, L = ${net.maxLength}, dropout ${net.dropout}, Adam lr ${learningRate}, batches of ${batchSize} windows, ${epochs} epochs, seeds ${SEEDS.join(", ")}; PyTorch on 2 threads`);
  const dir = join(benchDir, ".data", "seq", "ml-100k");
  await exportLeaveLastSplit(mirror, "ml-100k", 0, dir);
  const [train, history, test] = ["train.tsv", "history.tsv", "test.tsv"].map((f) => join(dir, f));
  const ours: Fit[] = [];
  const torch: (Fit & { version: string })[] = [];
  for (const seed of SEEDS) {
    const o = runTask("fit-rank", [JSON.stringify({ train, test, foldin: history, k: [10], metrics: ["hit_rate@10", "ndcg@10"], runs: [
      { name: "sasrec", seed, model: { family: "sequence", variant: "sasrec", ...net }, training: { epochs, learningRate, batchSize } },
    ] })]) as unknown as Record<"sasrec", Fit>;
    ours.push(o.sasrec);
    torch.push(runPython(py, "torch_sasrec.py", [train, history, test, JSON.stringify({ ...SASREC, threads: 2, seed })]) as unknown as Fit & { version: string });
    const [a, b] = [ours.at(-1)!, torch.at(-1)!];
    console.log(`  seed ${seed}: ours NDCG@10 ${a["ndcg@10"].toFixed(4)} (${a.secondsPerEpoch.toFixed(2)} s/epoch), PyTorch ${b["ndcg@10"].toFixed(4)} (${b.secondsPerEpoch.toFixed(2)} s/epoch)`);
  }
  const cell = (fits: Fit[], key: string) => {
    const s = summarize(fits.map((f) => f[key]));
    return `${s.mean.toFixed(4)} ± ${((s.ci95[1] - s.ci95[0]) / 2).toFixed(4)}`;
  };
  // The median over seeds: one seed slowed by the machine (these VMs stall now and then) should not move the ratio.
  const perEpoch = (fits: Fit[]) => {
    const t = fits.map((f) => f.secondsPerEpoch).sort((a, b) => a - b);
    return t.length % 2 ? t[t.length >> 1] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
  };
  const row = (label: string, fits: Fit[]) => [label, cell(fits, "hit_rate@10"), cell(fits, "ndcg@10"), perEpoch(fits).toFixed(3), (perEpoch(fits) / perEpoch(torch)).toFixed(2)];
  printTable(`ML-100k, leave-one-out by time, ${SEEDS.length} seeds (mean ± 95% CI); published on ML-1M (Klenitskiy & Vasilev 2023): SASRec+ HR@10 0.3152 / NDCG@10 0.1821`, ["model", "HR@10", "NDCG@10", "s/epoch (median)", "time / PyTorch"], [
    row("ours SASRec-CE", ours),
    row(`PyTorch ${torch[0].version} SASRec-CE`, torch),
  ]);
  benchSeqKernels(join(dir, "train.tsv"));
  benchSeqScale();
}

/** Where our step's time goes on the same ML-100k training part: kernels a step and their time, largest first. */
function benchSeqKernels(train: string): void {
  const { learningRate, batchSize, epochs: _, ...net } = SASREC;
  const r = runTask("seq-profile", [JSON.stringify({ file: train, model: net, learningRate, batchSize, steps: 5 })]) as unknown as {
    wallMsPerStep: number; kernelMsPerStep: number; kernelsPerStep: number; kernels: { name: string; perStep: number; msPerStep: number }[];
  };
  printTable(`our step's kernels (tf.profile, 5 steps after 2 warm-up; profiling slows each kernel): ${Math.round(r.kernelsPerStep)} a step, ${r.wallMsPerStep.toFixed(0)} ms a step profiled (an "unnamed scope" is a custom gradient's forward pass and contains kernels also listed)`, ["kernel", "a step", "ms a step"],
    r.kernels.slice(0, 12).map((k) => [k.name, k.perStep.toFixed(0), k.msPerStep.toFixed(1)]));
}

/** Part 2: our SASRec-CE training step on a synthetic ml-latest-sized history set. */
export function benchSeqScale(): void {
  const file = join(benchDir, ".data", "seq", "synthetic-ml-latest.tsv");
  if (!existsSync(file)) {
    mkdirSync(join(benchDir, ".data", "seq"), { recursive: true });
    console.log(`\nwriting synthetic ml-latest-sized ratings (${ML_LATEST_SHAPE.rows.toLocaleString("en-US")} rows) to ${file} ...`);
    writeSyntheticRatings(file, ML_LATEST_SHAPE, 1, "udata");
  }
  const model = { ...SASREC, maxLength: 200 };
  const { learningRate, batchSize, epochs: _, ...net } = model;
  const r = runTask("seq-scale", [JSON.stringify({ file, model: net, learningRate, batchSize, steps: SCALE_STEPS })]) as unknown as Record<string, number>;
  const logitsGiB = (r.positionsPerStep * r.items * 4) / 2 ** 30;
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  printTable(`synthetic ml-latest size: ${fmt(r.users)} users × ${fmt(r.items)} items, ${fmt(r.interactions)} interactions; SASRec-CE L = ${net.maxLength}, batches of ${batchSize} windows, ${SCALE_STEPS} timed steps after one warm-up`, ["", "value"], [
    ["windows per epoch", fmt(r.windows)],
    ["steps per epoch", fmt(r.stepsPerEpoch)],
    ["real positions per step (rows of the softmax)", fmt(r.positionsPerStep)],
    ["seconds per step", r.secondsPerStep.toFixed(2)],
    ["epoch time implied (steps × s/step)", `${(r.epochSeconds / 3600).toFixed(1)} h`],
    ["load + setup seconds", (r.loadSeconds + r.setupSeconds).toFixed(1)],
    ["peak RSS MiB", fmt(r.maxRssMiB)],
    ["one step's logits if not chunked, GiB", logitsGiB.toFixed(1)],
  ]);
}
