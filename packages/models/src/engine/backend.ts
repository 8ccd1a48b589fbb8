import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-layers"; // layers for the neural families; importing it also registers every gradient (tfjs-core alone ships none)
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { log } from "@mle/core";
import { registerSegmentSumKernels } from "../kernels/segment-sum.ts";
import { withoutStderr } from "./quiet-load.ts";

/** The TensorFlow.js backend names: `tensorflow` is the native binding (tfjs-node or tfjs-node-gpu). */
export type BackendName = "tensorflow" | "wasm" | "cpu";
/** What a config or `MLE_BACKEND` may ask for; `native` and `tensorflow` are the same. */
export type BackendChoice = "auto" | "native" | BackendName;
export const BACKEND_CHOICES = ["auto", "native", "tensorflow", "wasm", "cpu"] as const satisfies readonly BackendChoice[];

/** What computed a run: recorded beside its results (the last float bits may differ between backends). */
export interface BackendInfo {
  name: BackendName;
  /** The native package that is running, if native. */
  package?: "@tensorflow/tfjs-node" | "@tensorflow/tfjs-node-gpu";
  /** The TensorFlow C library's version (native), or the TF.js version. */
  version: string;
  /** `gpu: <name>` when TensorFlow placed ops on a GPU, else `cpu`. */
  device: string;
  /** Native only: TensorFlow's oneDNN kernels on (TF_ENABLE_ONEDNN_OPTS=1; they change attention's last float bits). */
  onednn?: boolean;
}

const NATIVE_PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"] as const;
const requireHere = createRequire(import.meta.url);
let active: BackendInfo | null = null;

/** Where a native package's binding would be (node-pre-gyp's rule: the highest N-API version it lists that Node has). */
export function nativeBindingPath(pkg: (typeof NATIVE_PACKAGES)[number]): { dir: string; binding: string } | null {
  let manifest: string;
  try {
    manifest = requireHere.resolve(`${pkg}/package.json`);
  } catch {
    return null;
  }
  const p = JSON.parse(readFileSync(manifest, "utf8")) as { binary: { napi_versions: number[] } };
  const napi = Math.max(...p.binary.napi_versions.filter((v) => v <= Number(process.versions.napi)));
  return { dir: dirname(manifest), binding: join(dirname(manifest), "lib", `napi-v${napi}`, "tfjs_binding.node") };
}

/** The native packages whose binding has been built here (by `pnpm setup-native`), GPU first. */
export function builtNativePackages(): (typeof NATIVE_PACKAGES)[number][] {
  return NATIVE_PACKAGES.filter((pkg) => {
    const b = nativeBindingPath(pkg);
    return b !== null && existsSync(b.binding);
  });
}

/**
 * Picks the TensorFlow.js backend once per process: the native TensorFlow binding when `pnpm setup-native`
 * has built it (the GPU package first on a machine with an NVIDIA GPU or with `MLE_DEVICE=gpu` — it runs
 * on the CPU where no GPU is found — else the CPU package), else WebAssembly with SIMD, else plain JS. `MLE_BACKEND` (or a config's
 * `engine.backend`) overrides: `native` fails clearly when nothing is built.
 */
export async function initBackend(choice: BackendChoice = (process.env.MLE_BACKEND as BackendChoice | undefined) ?? "auto"): Promise<BackendName> {
  const want = choice === "native" ? "tensorflow" : choice;
  if (active && (want === "auto" || want === active.name)) return active.name;
  registerSegmentSumKernels();
  if (want === "auto" || want === "tensorflow") {
    // The GPU package first where a GPU is (or MLE_DEVICE=gpu asks), else the CPU package (MLE_DEVICE=cpu: CPU only).
    const built = builtNativePackages();
    const device = process.env.MLE_DEVICE ?? (hasNvidiaGpu() ? "gpu" : "cpu");
    if (device !== "gpu") built.reverse();
    for (const pkg of built) {
      try {
        process.env.TF_CPP_MIN_LOG_LEVEL ??= "2"; // TensorFlow's start-up notices, not errors
        // oneDNN's kernels: SASRec's epoch ran 1.2x and its step at ml-latest size 1.6x faster than with Eigen's (bench seq),
        // deterministically (two families-ci runs identical); TF_ENABLE_ONEDNN_OPTS=0 in the environment keeps Eigen's.
        process.env.TF_ENABLE_ONEDNN_OPTS ??= "1";
        withoutStderr(() => requireHere(pkg)); // synchronous: see withoutStderr
        if (await tf.setBackend("tensorflow")) {
          active = { name: "tensorflow", package: pkg, version: nativeVersion(), device: nativeDevice(), onednn: process.env.TF_ENABLE_ONEDNN_OPTS === "1" };
          return active.name;
        }
      } catch (e) {
        log(`${pkg} is built but did not load (${(e as Error).message.split("\n")[0]}); run pnpm setup-native again`);
      }
    }
    if (want === "tensorflow") throw new Error("the native TensorFlow backend is not built here: run `pnpm setup-native` (or set MLE_BACKEND=wasm)");
  }
  if (want === "auto" || want === "wasm") {
    try {
      await import("@tensorflow/tfjs-backend-wasm");
      const dist = dirname(requireHere.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
      setWasmPaths(`${join(dist)}/`);
      if (await tf.setBackend("wasm")) {
        await tf.ready();
        active = { name: "wasm", version: tf.version_core, device: "cpu" };
        return active.name;
      }
    } catch (e) {
      if (want === "wasm") throw e;
      log(`wasm backend unavailable (${(e as Error).message}); using the cpu backend`);
    }
  }
  await tf.setBackend("cpu");
  await tf.ready();
  active = { name: "cpu", version: tf.version_core, device: "cpu" };
  return active.name;
}

/** Whether this machine has an NVIDIA GPU (its driver's device node), without loading TensorFlow. */
function hasNvidiaGpu(): boolean {
  return existsSync("/dev/nvidiactl") || existsSync("/dev/nvidia0");
}

/** The backend `initBackend` chose (call it first). */
export function backendInfo(): BackendInfo {
  if (!active) throw new Error("initBackend() has not run");
  return active;
}

interface NativeBinding {
  TF_Version: string;
  isUsingGpuDevice(): boolean;
}

function nativeVersion(): string {
  return (tf.backend() as unknown as { binding: NativeBinding }).binding.TF_Version;
}

function nativeDevice(): string {
  const gpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
  if (!gpu) return "cpu";
  try {
    return `gpu: ${execFileSync("nvidia-smi", ["--query-gpu=name", "--format=csv,noheader"], { encoding: "utf8" }).trim().split("\n")[0]}`;
  } catch {
    return "gpu";
  }
}

export { tf };
