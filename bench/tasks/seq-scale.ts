// Child task: SASRec's training step at scale. Builds the trainer on an exported interactions file, runs one
// warm-up step and `steps` timed steps over the epoch's first shuffled windows, and prints one JSON line: the
// setup time, seconds per step, the epoch's windows and steps, the epoch time they imply, real positions per
// step, and peak RSS (the native backend's memory included).
import { Rng, setQuiet } from "@mle/core";
import { SasRecTrainer, initBackend, sasRecConfigSchema } from "@mle/models";
import { loadTsvTask } from "../lib/tsv-task.ts";
import { report } from "../lib/child.ts";

setQuiet(true);
const spec = JSON.parse(process.argv[2]) as { file: string; model: Record<string, unknown>; learningRate: number; batchSize: number; steps: number };
const backend = await initBackend();
const t0 = performance.now();
const { train } = await loadTsvTask(spec.file, null, true);
const loadSeconds = (performance.now() - t0) / 1000;
const t1 = performance.now();
const trainer = new SasRecTrainer(train, sasRecConfigSchema.parse({ family: "sequence", variant: "sasrec", ...spec.model }), new Rng(1), spec.learningRate);
const order = new Rng(1, "batches").permutation(trainer.windows.length);
const batch = (s: number) => Array.from(order.subarray(s * spec.batchSize, (s + 1) * spec.batchSize), (k) => trainer.windows[k]);
const setupSeconds = (performance.now() - t1) / 1000;
trainer.step(batch(0));
const times: number[] = [];
let positions = 0;
for (let s = 1; s <= spec.steps; s++) {
  const t = performance.now();
  positions += trainer.step(batch(s))[1];
  times.push((performance.now() - t) / 1000);
}
const secondsPerStep = times.reduce((a, b) => a + b, 0) / times.length;
const stepsPerEpoch = Math.ceil(trainer.windows.length / spec.batchSize);
report(loadSeconds + setupSeconds, {
  backend, users: train.nUsers, items: train.nItems, interactions: train.user.length, loadSeconds, setupSeconds,
  windows: trainer.windows.length, stepsPerEpoch, secondsPerStep, epochSeconds: secondsPerStep * stepsPerEpoch, positionsPerStep: positions / spec.steps,
});
trainer.dispose();
