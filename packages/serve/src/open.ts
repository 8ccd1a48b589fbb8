import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { UserError, log } from "@mle/core";
import { AnnIndex, annOptionsSchema, type VectorSpace } from "@mle/ann";
import { dataConfigSchema, loadDataset, readSplitRows, type DataConfig } from "@mle/data";
import { loadModel, type ModelManifest } from "@mle/models";
import { Catalogue } from "./catalogue.ts";
import { NotFound } from "./errors.ts";
import { locateModel, type ModelLocation } from "./locate.ts";
import { Recommender, type Rated } from "./recommender.ts";

/** Item spaces wider than this are not indexed (EASE's item–item columns): exact scoring answers them. */
const MAX_INDEXED_DIM = 1024;
/**
 * HNSW settings of the serving index. usearch's defaults (M 16, ef 200) reached recall@10 0.978–0.996 and
 * recall@100 0.972 on iALS over ml-latest-small (the MIPS reduction crowds items of small norm); M 32 with ef 400
 * reached 0.9998 / 0.9978 at a lower p99 (0.42 ms against 1.5 ms), for twice the links per node.
 */
const SERVE_INDEX_OPTIONS = annOptionsSchema.parse({ connectivity: 32, expansionAdd: 400, expansionSearch: 400 });
/** The index a served model keeps beside itself (a two-stage model's own `ann/` is its retrieval stage's). */
const INDEX_DIR = "serve-ann";

export interface OpenOptions {
  /** Which seed of a run folder (default: the first). */
  seed?: number;
  /** Where the release is found; default the config's, then $MOVIELENS_MIRROR. */
  mirror?: string;
  cacheDir?: string;
  /** Build no HNSW index (exact scoring only). */
  exactOnly?: boolean;
}

export interface OpenedModel {
  recommender: Recommender;
  location: ModelLocation;
  manifest: ModelManifest;
  data: DataConfig;
  /** The known users' interactions in the run's split (every part), time-ordered: a user id's history. */
  knownHistory(userId: number): Rated[];
}

/**
 * Opens a saved model for serving: the model (`loadModel`), the release it was trained on (titles, years,
 * genres), the data settings of its run (implicit feedback threshold), and the HNSW index over its items —
 * built on first open and saved in `model/serve-ann/`, memory-mapped after that.
 */
export async function openModel(path: string, o: OpenOptions = {}): Promise<OpenedModel> {
  const location = locateModel(path, o.seed);
  const { model, manifest, movieIds } = loadModel(location.modelDir);
  const data = dataSettings(location, manifest);
  const { dataset } = await loadDataset(manifest.dataset, { mirror: o.mirror ?? data.mirror, cacheDir: o.cacheDir ?? data.cacheDir });
  if (dataset.checksum !== manifest.datasetChecksum) log(`note: ${manifest.dataset} here (sha256 ${dataset.checksum.slice(0, 12)}) is not the file the model was trained on (${manifest.datasetChecksum.slice(0, 12)}); titles may differ`);
  const catalogue = new Catalogue(dataset, movieIds);
  const index = o.exactOnly || model.dim > MAX_INDEXED_DIM ? null : itemIndex(location.modelDir, model);
  const recommender = new Recommender(model, catalogue, data.feedback, index);
  let known: Map<number, Rated[]> | null = null;
  return {
    recommender, location, manifest, data,
    knownHistory: (userId) => {
      known ??= knownUsers(location);
      const h = known.get(userId);
      if (!h) throw new NotFound(`user ${userId} is not in this run's split${location.seedDir ? "" : " (the model folder has no split.bin beside it)"}`, "pass their ratings instead: --history \"<movieId>:<rating>,…\"");
      return h;
    },
  };
}

/** The run's `data:` settings, or (a model folder on its own) its release with every rating kept. */
function dataSettings(location: ModelLocation, manifest: ModelManifest): DataConfig {
  if (location.runDir) {
    const parsed = dataConfigSchema.safeParse((parse(readFileSync(join(location.runDir, "config.yaml"), "utf8")) as { data?: unknown })?.data);
    if (parsed.success) return parsed.data;
    throw new UserError(`${location.runDir}/config.yaml: its data section does not validate: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return dataConfigSchema.parse({ dataset: manifest.dataset });
}

function itemIndex(modelDir: string, model: VectorSpace): AnnIndex {
  const dir = join(modelDir, INDEX_DIR);
  if (existsSync(join(dir, "ann.json"))) return AnnIndex.load(dir);
  const index = buildServeIndex(modelDir, model)!;
  log(`built the HNSW index over ${model.nItems.toLocaleString("en-US")} items in ${index.buildSeconds.toFixed(2)} s; saved in ${dir}`);
  return AnnIndex.load(dir);
}

/**
 * The serving index of a saved model (HNSW over its item vectors, default settings), built and saved in
 * `model/serve-ann/` — by `pnpm exp` after training, or on the first open. Null for item spaces served exactly.
 */
export function buildServeIndex(modelDir: string, model: VectorSpace): AnnIndex | null {
  if (model.dim > MAX_INDEXED_DIM) return null;
  const index = AnnIndex.build(model, SERVE_INDEX_OPTIONS);
  index.save(join(modelDir, INDEX_DIR));
  return index;
}

function knownUsers(location: ModelLocation): Map<number, Rated[]> {
  const out = new Map<number, Rated[]>();
  if (!location.seedDir) return out;
  const { rows } = readSplitRows(location.seedDir);
  for (let k = 0; k < rows.userId.length; k++) {
    const list = out.get(rows.userId[k]) ?? [];
    list.push({ movieId: rows.movieId[k], rating: rows.rating[k], timestamp: rows.timestamp[k] });
    out.set(rows.userId[k], list);
  }
  for (const list of out.values()) list.sort((a, b) => a.timestamp! - b.timestamp!);
  return out;
}
