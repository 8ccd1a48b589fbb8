import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { testMirror } from "@mle/core/testing";
import { builtNativePackages } from "@mle/models";
import { benchDir, benchPython, runPython, runTask, type Measured } from "./lib/child.ts";
import { printTable } from "./lib/table.ts";

/**
 * `pnpm bench engine`: the native TensorFlow backend against wasm and against NumPy/PyTorch, in the same
 * run on the same machine (PyTorch with as many threads as TensorFlow uses: all cores):
 *  1. matMul 2048² and 4096² (GFLOP/s);
 *  2. full-ranking top-100, the four cases of `pnpm bench eval` (users/s);
 *  3. EASE's inverse on ml-latest-small's Gram matrices (5-core: 3,650 items; all rated: 9,724);
 *  4. one training step of a Mult-VAE-sized (9000-600-200-600-9000, batch 500) and a SASRec-sized network
 *     (2 blocks, d 64, length 200, batch 128, 3,500 items, full softmax at every position);
 * each with the child process's peak memory.
 */
export async function benchEngine(): Promise<void> {
  if (!builtNativePackages().length) console.log("the native backend is not built: run `pnpm setup-native` first (wasm figures only)");
  const py = benchPython();
  const hasTorch = py !== null && runPythonOk(py, "import torch");
  const native = { MLE_BACKEND: "native" };
  const wasm = { MLE_BACKEND: "wasm" };
  const nat = builtNativePackages().length > 0;
  const mib = (m: Measured | null) => (m ? m.maxRssMiB.toFixed(0) : "-");
  const ratio = (a: number | undefined, b: number | undefined) => (a && b ? (a / b).toFixed(2) : "-");

  const mm: string[][] = [];
  for (const n of [2048, 4096]) {
    const ours = nat ? runTask("matmul", [String(n)], native) : null;
    const w = runTask("matmul", [String(n)], wasm);
    const np = py ? runPython(py, "matmul_speed.py", [String(n)]) : null;
    const g = (m: Measured | null) => (m ? (m.gflops as number).toFixed(1) : "-");
    mm.push([`${n}²`, g(ours), g(w), g(np), ratio(ours?.gflops as number, np?.gflops as number), `${mib(ours)} / ${mib(w)} / ${mib(np)}`]);
  }
  printTable("matMul float32, GFLOP/s", ["size", "native", "wasm", "NumPy", "native/NumPy", "peak MiB (native/wasm/NumPy)"], mm);

  const rank: string[][] = [];
  for (const [label, users, items] of [["ml-latest-small", 610, 9742], ["ML-20M held-out", 10_000, 20_720]] as const) {
    for (const d of [64, 256]) {
      const args = [users, items, d, 100].map(String);
      const ours = nat ? runTask("topk-speed", [...args, "tf"], native) : null;
      const w = runTask("topk-speed", [...args, "tf"], wasm);
      const np = py ? runPython(py, "topk_speed.py", [...args, "numpy"]) : null;
      const torch = hasTorch ? runPython(py!, "topk_speed.py", [...args, "torch"]) : null;
      const u = (m: Measured | null) => (m ? (m.usersPerSecond as number).toFixed(0) : "-");
      rank.push([`${label} ${users}×${items} d=${d}`, u(ours), u(w), u(np), u(torch), ratio(ours?.usersPerSecond as number, np?.usersPerSecond as number), ratio(ours?.usersPerSecond as number, torch?.usersPerSecond as number), mib(ours)]);
    }
  }
  printTable("full-ranking top-100, users/second", ["case", "native", "wasm", "NumPy", "PyTorch", "native/NumPy", "native/PyTorch", "peak MiB"], rank);

  const mirror = testMirror();
  if (mirror && py) {
    mkdirSync(join(benchDir, ".data"), { recursive: true });
    const ease: string[][] = [];
    for (const kCore of [5, 0]) {
      const gram = join(benchDir, ".data", `gram-${kCore}.bin`);
      const w = nat ? null : runTask("ease-fit", [mirror, String(kCore), gram], wasm);
      const ours = nat ? runTask("ease-fit", [mirror, String(kCore), gram], native) : w!;
      const np = runPython(py, "inv_speed.py", [gram, String(ours.items)]);
      ease.push([`${ours.items} items`, (ours.inverseSeconds as number).toFixed(2), String(ours.backend), np.seconds.toFixed(2), ((ours.inverseSeconds as number) / np.seconds).toFixed(2), (np.relError as number).toExponential(1), mib(ours)]);
    }
    printTable("EASE inverse of ml-latest-small's Gram matrix, seconds", ["size", "ours", "backend", "NumPy inv (float64)", "ours/NumPy", "max |P − P_numpy| / max |P|", "peak MiB"], ease);
  }

  const steps: string[][] = [];
  for (const [label, args] of [["Mult-VAE 9000-600-200-600-9000, batch 500", ["multvae", "9000", "500"]], ["SASRec 2 blocks, d 64, L 200, batch 128, 3,500 items", ["sasrec", "3500", "200", "128", "64"]]] as const) {
    const ours = nat ? runTask("nn-step", [...args], native) : null;
    const torch = hasTorch ? runPython(py!, "torch_steps.py", [...args, "2"]) : null;
    const s = (m: Measured | null) => (m ? (m.stepSeconds as number).toFixed(3) : "-");
    steps.push([label, s(ours), s(torch), ratio(ours?.stepSeconds as number, torch?.stepSeconds as number), `${mib(ours)} / ${mib(torch)}`]);
  }
  printTable("one training step (Adam), seconds; PyTorch on 2 threads", ["network", "native", "PyTorch", "native/PyTorch", "peak MiB (native/PyTorch)"], steps);
  if (!py) console.log("NumPy/PyTorch not found: pip install -r bench/requirements.txt (or set BENCH_PYTHON)");
}

function runPythonOk(py: string, code: string): boolean {
  return spawnSync(py, ["-c", code]).status === 0;
}
