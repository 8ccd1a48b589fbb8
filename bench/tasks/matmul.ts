// Child task: n × n float32 matMul on the engine's backend; GFLOP/s over a few products after warm-up.
import { setQuiet } from "@mle/core";
import { backendInfo, initBackend } from "@mle/models";
import { tf } from "@mle/models/nn";
import { report } from "../lib/child.ts";

setQuiet(true);
const n = Number(process.argv[2]);
await initBackend();
const a = tf.randomNormal([n, n]);
const b = tf.randomNormal([n, n]);
const once = () => {
  const c = tf.matMul(a, b);
  c.dataSync(); // include the copy out, as a caller would pay it
  c.dispose();
};
once();
const reps = Math.max(2, Math.round(2e11 / (2 * n ** 3) / (backendInfo().name === "tensorflow" ? 1 : 8)));
const t = performance.now();
for (let r = 0; r < reps; r++) once();
const seconds = (performance.now() - t) / 1000 / reps;
report(seconds, { gflops: (2 * n ** 3) / seconds / 1e9, backend: backendInfo().name });
