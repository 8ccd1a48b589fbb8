// Child task: load a dataset (ingest or cached reload) and report time and peak RSS.
import { setQuiet } from "@mle/core";
import { loadDataset } from "@mle/data";
import { report } from "../lib/child.ts";

const [name, mirror, cacheDir] = process.argv.slice(2);
setQuiet(true);
const t = performance.now();
const { dataset, fromCache } = await loadDataset(name, { mirror, cacheDir });
report((performance.now() - t) / 1000, { fromCache, ratings: dataset.nRatings, users: dataset.nUsers, items: dataset.nItems });
