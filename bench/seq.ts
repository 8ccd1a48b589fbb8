import { join } from "node:path";
import { testMirror } from "@mle/core/testing";
import { benchDir, benchPython, runPython, runTask } from "./lib/child.ts";
import { exportLeaveLastSplit } from "./lib/export-split.ts";
import { printTable } from "./lib/table.ts";

type Fit = { seconds: number; secondsPerEpoch: number; [metric: string]: number };

/** The SASRec both sides train: configs/ml100k-seq/sasrec.yaml's network, a fixed number of epochs (no validation). */
const SASREC = { factors: 64, blocks: 2, heads: 1, maxLength: 50, dropout: 0.2, learningRate: 0.002, batchSize: 128, epochs: 20 };

/**
 * `pnpm bench seq`, in one run on the same machine: SASRec with the full-softmax loss on ML-100k, leave-one-out by
 * time (each user's last item the target, everything before it the history) — ours against a PyTorch SASRec
 * written from the paper (bench/reference/torch_sasrec.py: the same blocks, windows, loss and optimizer), HR@10,
 * NDCG@10 and time per epoch.
 */
export async function benchSeq(): Promise<void> {
  const mirror = testMirror();
  const py = benchPython();
  if (!mirror || !py) return console.log("bench seq needs the MovieLens mirror and bench/.venv (pip install -r bench/requirements.txt)");
  const { learningRate, batchSize, epochs, ...net } = SASREC;
  console.log(`SASRec-CE d=${net.factors}, ${net.blocks} blocks × ${net.heads} head, L = ${net.maxLength}, dropout ${net.dropout}, Adam lr ${learningRate}, batches of ${batchSize} windows, ${epochs} epochs; PyTorch on 2 threads`);
  const dir = join(benchDir, ".data", "seq", "ml-100k");
  await exportLeaveLastSplit(mirror, "ml-100k", 0, dir);
  const [train, history, test] = ["train.tsv", "history.tsv", "test.tsv"].map((f) => join(dir, f));
  const ours = runTask("fit-rank", [JSON.stringify({ train, test, foldin: history, k: [10], metrics: ["hit_rate@10", "ndcg@10"], runs: [
    { name: "sasrec", model: { family: "sequence", variant: "sasrec", ...net }, training: { epochs, learningRate, batchSize } },
  ] })]) as unknown as Record<"sasrec", Fit>;
  const torch = runPython(py, "torch_sasrec.py", [train, history, test, JSON.stringify({ ...SASREC, threads: 2 })]) as unknown as Fit & { version: string };
  const row = (label: string, f: Fit) => [label, f["hit_rate@10"].toFixed(4), f["ndcg@10"].toFixed(4), f.secondsPerEpoch.toFixed(3), (f.secondsPerEpoch / torch.secondsPerEpoch).toFixed(2)];
  printTable("ML-100k, leave-one-out by time; published on ML-1M (Klenitskiy & Vasilev 2023): SASRec+ HR@10 0.3152 / NDCG@10 0.1821", ["model", "HR@10", "NDCG@10", "s/epoch", "time / PyTorch"], [
    row("ours SASRec-CE", ours.sasrec),
    row(`PyTorch ${torch.version} SASRec-CE`, torch),
  ]);
}
