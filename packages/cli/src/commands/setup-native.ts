import { Command } from "commander";
import { setupNative } from "../native/setup.ts";

export function setupNativeCommand(): Command {
  return new Command("setup-native")
    .description("build the native TensorFlow backend (@tensorflow/tfjs-node) from TensorFlow's PyPI wheel; wasm stays the fallback")
    .option("--gpu", "build @tensorflow/tfjs-node-gpu against the tensorflow wheel, with its CUDA wheels (runs on the CPU where no GPU is found)")
    .option("--no-cuda", "with --gpu: skip TensorFlow's CUDA wheels (about 2.7 GB) and use the CUDA libraries the system has, if any")
    .option("--force", "rebuild even when a working build is in place")
    .action((o: { gpu?: boolean; cuda: boolean; force?: boolean }) => {
      const r = setupNative({ gpu: !!o.gpu, cuda: o.cuda, force: !!o.force });
      const mib = (r.bytes / 2 ** 20).toFixed(0);
      process.stdout.write(`${r.built ? `built in ${r.seconds.toFixed(0)} s` : "already built"}: ${r.target.pkg} ${r.target.tfjsVersion} on TensorFlow ${r.smoke.version} (${r.smoke.device}) at ${r.dir} (${mib} MiB); runs now use backend "${r.smoke.backend}" (MLE_BACKEND=wasm to opt out)\n`);
    });
}
