import * as tf from "@tensorflow/tfjs-core";

type Values = Float32Array | Int32Array | Uint8Array;
interface KernelBackend {
  readSync(dataId: object): unknown;
  makeOutput?(shape: number[], dtype: string, memoryOffset: undefined, values: Values): tf.TensorInfo;
  makeTensorInfo?(shape: number[], dtype: string, values: Values): tf.TensorInfo;
}

/**
 * `UnsortedSegmentSum` — the gradient of `gather`, so of every embedding lookup — in O(rows × width):
 * the wasm backend ships without it, and the cpu backend's version compares every segment with every
 * row (O(segments × rows × width); it never finished one MF epoch on ML-100k). Out-of-range ids are
 * dropped, as TensorFlow does.
 */
function unsortedSegmentSum(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as KernelBackend;
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = Number(args.attrs!.numSegments);
  const xs = backend.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = backend.readSync(segmentIds.dataId) as Int32Array;
  const rows = ids.length;
  const width = rows === 0 ? 0 : xs.length / rows;
  const shape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = x.dtype === "int32" ? new Int32Array(numSegments * width) : new Float32Array(numSegments * width);
  for (let r = 0; r < rows; r++) {
    const s = ids[r];
    if (s < 0 || s >= numSegments) continue;
    const o = s * width;
    const i = r * width;
    for (let f = 0; f < width; f++) out[o + f] += xs[i + f];
  }
  if (backend.makeOutput) return backend.makeOutput(shape, x.dtype, undefined, out);
  return backend.makeTensorInfo!(shape, x.dtype, out);
}

const registered = new Set<string>();

/** Installs the kernel on the wasm and cpu backends (once per process; replaces the cpu one). */
export function registerSegmentSumKernels(): void {
  for (const backendName of ["wasm", "cpu"]) {
    if (registered.has(backendName)) continue;
    if (tf.getKernel(tf.UnsortedSegmentSum, backendName)) tf.unregisterKernel(tf.UnsortedSegmentSum, backendName);
    tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName, kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc });
    registered.add(backendName);
  }
}
