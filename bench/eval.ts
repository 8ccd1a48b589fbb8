import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { testMirror } from "@mle/core/testing";
import { benchDir, benchPython, runPython, runTask, type Measured } from "./lib/child.ts";

/**
 * `pnpm bench eval`: users/second of full-ranking top-100 (every item scored, exact top-k) for the
 * size of ml-latest-small (610 users × 9,742 items) and of ML-20M's held-out users (10,000 × 20,720),
 * d = 64 and 256 — ours (JS kernel, and TF.js matMul) against NumPy and PyTorch CPU in the same run;
 * then EASE's fit against NumPy's inverse of the same Gram matrix.
 */
export async function benchEval(): Promise<void> {
  const py = benchPython();
  const hasTorch = py !== null && spawnSync(py, ["-c", "import torch"]).status === 0;
  const rows: string[][] = [];
  for (const [label, users, items] of [["ml-latest-small", 610, 9742], ["ML-20M held-out", 10_000, 20_720]] as const) {
    for (const d of [64, 256]) {
      const args = [users, items, d, 100].map(String);
      const js = runTask("topk-speed", [...args, "js"]);
      const tf = runTask("topk-speed", [...args, "tf"]);
      const np = py ? runPython(py, "topk_speed.py", [...args, "numpy"]) : null;
      const torch = hasTorch ? runPython(py!, "topk_speed.py", [...args, "torch"]) : null;
      const ups = (m: Measured | null) => (m ? (m.usersPerSecond as number).toFixed(0) : "-");
      const ratio = (a: Measured, b: Measured | null) => (b ? ((a.usersPerSecond as number) / (b.usersPerSecond as number)).toFixed(2) : "-");
      rows.push([`${label} ${users}×${items} d=${d}`, ups(js), `${ups(tf)} (${tf.backend})`, ups(np), ups(torch), ratio(tf, np), ratio(tf, torch)]);
    }
  }
  const head = ["top-100, users/second", "ours JS", "ours TF.js", "NumPy", "PyTorch", "TF.js/NumPy", "TF.js/PyTorch"];
  const w = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const fmt = (r: string[]) => r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join("  ");
  console.log(`\n${fmt(head)}`);
  for (const r of rows) console.log(fmt(r));
  if (!py) console.log("NumPy/PyTorch not found: pip install -r bench/requirements.txt (torch: pip install torch==2.13.0)");

  const mirror = testMirror();
  if (!mirror || !py) return;
  console.log("\nEASE fit (Gram matrix of ml-latest-small, every rating an interaction):");
  for (const kCore of [5, 0]) {
    const ours = runTask("ease-fit", [mirror, String(kCore), join(benchDir, ".data", `gram-${kCore}.bin`)]);
    const np = runPython(py, "inv_speed.py", [join(benchDir, ".data", `gram-${kCore}.bin`), String(ours.items)]);
    console.log(`  ${String(ours.items).padStart(5)} items (${kCore ? `${kCore}-core` : "all rated items"}): ours ${ours.seconds.toFixed(2)} s (inverse ${(ours.inverseSeconds as number).toFixed(2)} s, ${ours.backend}), NumPy inv ${np.seconds.toFixed(2)} s — ours/NumPy ${(ours.inverseSeconds as number / np.seconds).toFixed(1)}×, max |P − P_numpy| / max |P| = ${(np.relError as number).toExponential(1)}`);
  }
}
