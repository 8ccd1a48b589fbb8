import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-layers"; // layers for the neural families; importing it also registers every gradient (tfjs-core alone ships none)
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { log } from "@mle/core";
import { registerSegmentSumKernels } from "../kernels/segment-sum.ts";

export type BackendName = "tensorflow" | "wasm" | "cpu";
export type BackendChoice = "auto" | BackendName;

let active: BackendName | null = null;

/**
 * Picks the TensorFlow.js backend once per process: a native TensorFlow binding if one is installed
 * (`@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`, optional: their installers need Google
 * storage, unreachable on many machines), else WebAssembly with SIMD and threads, else plain JS.
 * Runs record the name, since results may differ in the last float bits between backends.
 */
export async function initBackend(choice: BackendChoice = (process.env.MLE_BACKEND as BackendChoice | undefined) ?? "auto"): Promise<BackendName> {
  if (active && (choice === "auto" || choice === active)) return active;
  registerSegmentSumKernels();
  if (choice === "auto" || choice === "tensorflow") {
    for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
      try {
        await import(pkg);
        await tf.setBackend("tensorflow");
        return (active = "tensorflow");
      } catch {
        // not installed here: try the next one
      }
    }
    if (choice === "tensorflow") throw new Error("no native TensorFlow binding is installed (@tensorflow/tfjs-node or -node-gpu)");
  }
  if (choice === "auto" || choice === "wasm") {
    try {
      await import("@tensorflow/tfjs-backend-wasm");
      const dist = dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
      setWasmPaths(`${join(dist)}/`);
      if (await tf.setBackend("wasm")) {
        await tf.ready();
        return (active = "wasm");
      }
    } catch (e) {
      if (choice === "wasm") throw e;
      log(`wasm backend unavailable (${(e as Error).message}); using the cpu backend`);
    }
  }
  await tf.setBackend("cpu");
  await tf.ready();
  return (active = "cpu");
}

export { tf };
