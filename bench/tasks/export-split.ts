// Child task: export a release's per-user random 75/25 split (seed 1) for the peers to read.
import { setQuiet } from "@mle/core";
import type { ReleaseName } from "@mle/data";
import { exportRandomSplit } from "../lib/export-split.ts";

setQuiet(true);
const [mirror, name, minRating, outDir] = process.argv.slice(2);
await exportRandomSplit(mirror, name as ReleaseName, Number(minRating), outDir);
console.log(JSON.stringify({ seconds: 0, maxRssMiB: 0 }));
