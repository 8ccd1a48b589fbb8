// Smoke test of a native build, in its own process: load the backend, multiply, print what ran (one JSON line).
import { backendInfo, initBackend, tf } from "./backend.ts";

await initBackend("native");
const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
const product = Array.from(tf.matMul(a, a).dataSync());
if (product.join() !== "7,10,15,22") throw new Error(`matMul gave ${product.join()}, expected 7,10,15,22`);
const rounded = Array.from(tf.round(tf.tensor1d([1, 2, 3], "int32")).dataSync());
if (rounded.join() !== "1,2,3") throw new Error(`int32 round gave ${rounded.join()} (the pnpm patch of tfjs-node is not applied)`);
const info = backendInfo();
console.log(JSON.stringify({ backend: info.name, version: info.version, device: info.device, package: info.package }));
