// Child task: where SASRec's training step spends its time. Builds the trainer on an exported interactions file,
// runs two warm-up steps, then `steps` steps under tf.profile, and prints one JSON line: per kernel name, how many
// ran a step and their milliseconds a step (the backend's own timing of each kernel), largest first, with the
// kernels' total beside the step's wall time (the rest is JavaScript: batching, tape, optimizer bookkeeping).
import { createRequire } from "node:module";
import { Rng, setQuiet } from "@mle/core";
import { SasRecTrainer, initBackend, sasRecConfigSchema } from "@mle/models";
import { loadTsvTask } from "../lib/tsv-task.ts";
import { report } from "../lib/child.ts";

/** The one call used here of TF.js (bench does not depend on it). */
interface Profiler {
  profile(f: () => void): Promise<{ kernels: { name: string; kernelTimeMs: unknown }[] }>;
}
// The models package's own TF.js instance (the public API does not hand out the engine).
const tf = createRequire(import.meta.resolve("@mle/models"))("@tensorflow/tfjs-core") as Profiler;
setQuiet(true);
const spec = JSON.parse(process.argv[2]) as { file: string; model: Record<string, unknown>; learningRate: number; batchSize: number; steps: number };
const backend = await initBackend();
const { train } = await loadTsvTask(spec.file, null, true);
const trainer = new SasRecTrainer(train, sasRecConfigSchema.parse({ family: "sequence", variant: "sasrec", ...spec.model }), new Rng(1), spec.learningRate);
const order = new Rng(1, "batches").permutation(trainer.windows.length);
const batch = (s: number) => Array.from(order.subarray((s * spec.batchSize) % order.length, (s * spec.batchSize) % order.length + spec.batchSize), (k) => trainer.windows[k]);
trainer.step(batch(0));
trainer.step(batch(1));
const byKernel = new Map<string, { count: number; ms: number }>();
let wall = 0;
for (let s = 2; s < 2 + spec.steps; s++) {
  const t = performance.now();
  const info = await tf.profile(() => void trainer.step(batch(s)));
  wall += performance.now() - t;
  for (const k of info.kernels) {
    const e = byKernel.get(k.name) ?? { count: 0, ms: 0 };
    e.count += 1;
    e.ms += typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    byKernel.set(k.name, e);
  }
}
const kernels = [...byKernel].map(([name, e]) => ({ name, perStep: e.count / spec.steps, msPerStep: e.ms / spec.steps })).sort((a, b) => b.msPerStep - a.msPerStep);
report(0, { backend, steps: spec.steps, wallMsPerStep: wall / spec.steps, kernelMsPerStep: kernels.reduce((a, k) => a + k.msPerStep, 0), kernelsPerStep: kernels.reduce((a, k) => a + k.perStep, 0), kernels });
trainer.dispose();
