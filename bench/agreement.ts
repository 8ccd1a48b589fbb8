import { join } from "node:path";
import { testMirror } from "@mle/core/testing";
import { benchDir, benchPython, runTask } from "./lib/child.ts";
import { spawnSync } from "node:child_process";

/**
 * `pnpm bench agreement`: our evaluator and Cornac's on the same exported ML-100k split
 * (per-user random 75/25, seed 1), for popularity and EASE(λ = 500). Agreement to 1e-4 on
 * Recall@10, NDCG@10 and MRR is the check that our full-ranking evaluation is right on real data.
 */
export async function benchAgreement(): Promise<void> {
  const mirror = testMirror();
  if (!mirror) return console.log("agreement: needs the MovieLens mirror (MOVIELENS_MIRROR)");
  const dir = join(benchDir, ".data", "agreement");
  const lambda = "500";
  const ours = runTask("agreement", [mirror, dir, lambda]) as unknown as Record<string, Record<string, number>>;
  const py = benchPython();
  const cornacOk = py && spawnSync(py, ["-c", "import cornac"]).status === 0;
  if (!py || !cornacOk) return console.log("agreement: Cornac not found (pip install -r bench/requirements.txt)");
  const r = spawnSync(py, [join(benchDir, "reference", "cornac_agreement.py"), join(dir, "train.tsv"), join(dir, "test.tsv"), lambda], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  const cornac = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, Record<string, number>> & { version: string };
  console.log(`\nagreement on ML-100k, per-user random 75/25 split (seed 1), ${ours.items} training items — ours vs Cornac ${cornac.version}`);
  console.log(`${"model".padEnd(38)}${"metric".padEnd(12)}${"ours".padStart(10)}${"Cornac".padStart(10)}${"|diff|".padStart(10)}  within 1e-4`);
  const rows: [string, string, string][] = [["popularity", "popularity", "popularity"], ["popularity", "popularity_ties", "popularity, Cornac given our tie rule"], ["ease", "ease", "ease"]];
  for (const [model, peer, label] of rows) {
    for (const m of ["recall@10", "ndcg@10", "mrr"]) {
      const a = ours[model][m];
      const b = cornac[peer][m];
      const d = Math.abs(a - b);
      console.log(`${label.padEnd(38)}${m.padEnd(12)}${a.toFixed(6).padStart(10)}${b.toFixed(6).padStart(10)}${d.toExponential(1).padStart(10)}  ${d <= 1e-4 ? "yes" : "NO"}`);
    }
    console.log(`${label.padEnd(38)}${"seconds".padEnd(12)}${ours[model].seconds.toFixed(2).padStart(10)}${cornac[peer].seconds.toFixed(2).padStart(10)}`);
  }
}
