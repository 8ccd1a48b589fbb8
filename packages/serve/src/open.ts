import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { UserError, isSparse, log } from "@mle/core";
import { AnnIndex, annOptionsSchema, calibrateSearch, type SearchCalibration, type VectorSpace } from "@mle/ann";
import type { EmbeddingModel } from "@mle/core";
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
 * reached 0.9998 / 0.9978 at a lower p99 (0.42 ms against 1.5 ms), for twice the links per node. efSearch 400 is
 * where an index starts; with users to ask (a run's split) it is calibrated down to what recall@10 0.995 on its users needs.
 */
const SERVE_INDEX_OPTIONS = annOptionsSchema.parse({ connectivity: 32, expansionAdd: 400, expansionSearch: 400 });
/**
 * The serving index's recall target against exact search on the calibration users: recall@10 0.995 (above the 0.99
 * asked of it on other users, for the sampling margin). Only k = 10, the served default: a target at k = 100 that a
 * graph cannot reach would push efSearch to the ladder's top for every request (the synthetic ml-latest-sized space
 * reached recall@100 0.968 at efSearch 800, at 2.5 ms a search, against 0.37 ms for recall@10 0.995 at 128).
 * Recall@100 is measured and reported beside it; a request for more than k items searches at least that many.
 */
export const SERVE_RECALL_TARGETS = { 10: 0.995 };
const CALIBRATION_USERS = 500;
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
  let known: Map<number, Rated[]> | null = null;
  const knownUsersOnce = () => (known ??= knownUsers(location));
  const index = o.exactOnly || model.dim > MAX_INDEXED_DIM ? null : itemIndex(location.modelDir, model, () => {
    const recommender = new Recommender(model, catalogue, data.feedback, null);
    return [...knownUsersOnce().values()].slice(0, CALIBRATION_USERS).map((h) => model.userVector(recommender.history(h).history));
  });
  const recommender = new Recommender(model, catalogue, data.feedback, index);
  return {
    recommender, location, manifest, data,
    knownHistory: (userId) => {
      const h = knownUsersOnce().get(userId);
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

/** The model's serving index: memory-mapped when saved, else built (and calibrated on the run's users when it has some). */
function itemIndex(modelDir: string, model: EmbeddingModel, users: () => ReturnType<EmbeddingModel["userVector"]>[]): AnnIndex {
  const dir = join(modelDir, INDEX_DIR);
  if (existsSync(join(dir, "ann.json"))) return AnnIndex.load(dir);
  const built = buildServeIndex(modelDir, model, users())!;
  const c = built.calibration;
  log(`built the HNSW index over ${model.nItems.toLocaleString("en-US")} items in ${built.index.buildSeconds.toFixed(2)} s; saved in ${dir}${c ? `; ${built.index.graph} graph, efSearch ${c.expansionSearch} (recall@10 ${c.tried.at(-1)!.recall["recall@10"].toFixed(4)} on ${c.queries} users' fold-ins)` : ""}`);
  return c ? built.index : AnnIndex.load(dir); // a calibrated index is already the memory-mapped view
}

/**
 * The serving index of a saved model (HNSW over its item vectors), built and saved in `model/serve-ann/` — by
 * `pnpm exp` after training, or on the first open. With dense user vectors to ask, its efSearch is calibrated to the
 * smallest that reaches recall@10 0.995 on them (`calibrateSearch`), and a dot-product space is
 * indexed both ways — the MIPS → L2 reduction and an inner-product graph — keeping the one that serves these users
 * better. Null for item spaces served exactly.
 */
export function buildServeIndex(modelDir: string, model: VectorSpace, users: ReturnType<EmbeddingModel["userVector"]>[] = []): { index: AnnIndex; calibration?: SearchCalibration } | null {
  if (model.dim > MAX_INDEXED_DIM) return null;
  const dir = join(modelDir, INDEX_DIR);
  const index = AnnIndex.build(model, SERVE_INDEX_OPTIONS);
  index.save(dir);
  const dense = users.filter((u): u is Float32Array => !isSparse(u));
  if (!dense.length) return { index };
  let calibration = calibrateSearch(dir, model, dense, SERVE_RECALL_TARGETS);
  if (index.graph === "mips-l2") {
    // Where item norms spread widely the reduction crowds the short items together (recall@10 0.89 at efSearch 800 on
    // the synthetic ml-latest-sized space), and a graph under the inner product itself finds them (1.00 at 256).
    const alt = `${dir}.inner-product`;
    AnnIndex.build(model, { ...SERVE_INDEX_OPTIONS, dotGraph: "inner-product" }).save(alt);
    const other = calibrateSearch(alt, model, dense, SERVE_RECALL_TARGETS);
    if (servesBetter(other, calibration)) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(alt, dir);
      calibration = other;
    } else rmSync(alt, { recursive: true, force: true });
  }
  return { index: AnnIndex.load(dir), calibration };
}

/**
 * Whether calibration a serves better than b: reaching the targets first; then, both reaching them, the smaller
 * efSearch (less work a query; timings would make the choice vary between runs); neither reaching, the higher mean recall.
 */
function servesBetter(a: SearchCalibration, b: SearchCalibration): boolean {
  if (a.reached !== b.reached) return a.reached;
  if (a.reached) return a.expansionSearch < b.expansionSearch;
  const mean = (c: SearchCalibration) => {
    const r = Object.values(c.tried.at(-1)!.recall);
    return r.reduce((x, y) => x + y, 0) / r.length;
  };
  return mean(a) > mean(b);
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
