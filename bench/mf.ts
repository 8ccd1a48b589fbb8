import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { testMirror } from "@mle/core/testing";
import { benchDir, benchPython, runTask } from "./lib/child.ts";

/**
 * `pnpm bench mf`: biased MF against Surprise's SVD on ML-100k's official folds (RMSE, fit time), and
 * iALS and BPR against the `implicit` library on the same exported ML-100k split (NDCG@10, fit
 * time; implicit with 2 threads, ours single-threaded), all in the same run.
 */
export async function benchMf(): Promise<void> {
  const mirror = testMirror();
  const py = benchPython();
  if (!mirror || !py) return console.log("bench mf needs the MovieLens mirror and bench/.venv (pip install -r bench/requirements.txt)");
  const ours = runTask("mf", [mirror, join(benchDir, ".data", "agreement")]) as unknown as {
    folds: { fold: number; rmse: number; seconds: number }[]; ials: { seconds: number; "ndcg@10": number }; bpr: { seconds: number; "ndcg@10": number };
  };
  const surprise = JSON.parse(spawnSync(py, [join(benchDir, "reference", "surprise_folds.py"), join(mirror, "ml-100k")], { encoding: "utf8" }).stdout.trim().split("\n").pop()!) as { fold: number; rmse: number; seconds: number }[];
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  console.log("\nbiased MF vs Surprise SVD, ML-100k official folds (100 factors, 20 epochs, lr 0.005, reg 0.02)");
  console.log("fold  ours RMSE  Surprise RMSE  ours fit s  Surprise fit s  ours/Surprise time");
  for (let k = 0; k < 5; k++) {
    const a = ours.folds[k];
    const b = surprise[k];
    console.log(`u${k + 1}    ${a.rmse.toFixed(4).padStart(9)}  ${b.rmse.toFixed(4).padStart(13)}  ${a.seconds.toFixed(2).padStart(10)}  ${b.seconds.toFixed(2).padStart(14)}  ${(a.seconds / b.seconds).toFixed(2).padStart(18)}`);
  }
  console.log(`mean  ${mean(ours.folds.map((f) => f.rmse)).toFixed(4).padStart(9)}  ${mean(surprise.map((f) => f.rmse)).toFixed(4).padStart(13)}  (published: Surprise SVD 0.934)`);
  const imp = JSON.parse(spawnSync(py, [join(benchDir, "reference", "implicit_ml100k.py"), join(benchDir, ".data", "agreement", "train.tsv"), join(benchDir, ".data", "agreement", "test.tsv")], { encoding: "utf8" }).stdout.trim().split("\n").pop()!) as Record<string, { seconds: number; "ndcg@10": number }> & { version: string };
  console.log(`\niALS and BPR vs implicit ${imp.version} on the same ML-100k split (per-user random 75/25, seed 1)`);
  console.log("model  ours NDCG@10  implicit NDCG@10  ours fit s  implicit fit s  ours/implicit time");
  for (const m of ["ials", "bpr"] as const) {
    console.log(`${m.padEnd(5)}  ${ours[m]["ndcg@10"].toFixed(4).padStart(12)}  ${imp[m]["ndcg@10"].toFixed(4).padStart(16)}  ${ours[m].seconds.toFixed(2).padStart(10)}  ${imp[m].seconds.toFixed(2).padStart(14)}  ${(ours[m].seconds / imp[m].seconds).toFixed(2).padStart(18)}`);
  }
}
