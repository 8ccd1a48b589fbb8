import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import usearch from "usearch";
import { z } from "zod";
import { UserError } from "@mle/core";

/** What an index is built over: a model's item side (`EmbeddingModel` has these fields). */
export interface VectorSpace {
  name: string;
  dim: number;
  nItems: number;
  similarity: "dot" | "cosine";
  itemVectors: Float32Array;
}

/** HNSW settings (Malkov & Yashunin 2018), as usearch names them. */
export const annOptionsSchema = z.strictObject({
  /** M: links per node; more is better recall, more memory and slower builds. */
  connectivity: z.number().int().min(2).max(256).default(16),
  /** efConstruction: candidates kept while inserting. */
  expansionAdd: z.number().int().min(1).max(4096).default(200),
  /** efSearch: candidates kept while searching (at least k is used). */
  expansionSearch: z.number().int().min(1).max(4096).default(200),
  /**
   * How a dot-product space is indexed (Euclidean ones aside): the MIPS → L2 reduction, or a graph under the inner
   * product itself (non-metric, but better where item norms spread widely). Optional, so configs that embed these
   * options hash as before; absent means the reduction.
   */
  dotGraph: z.enum(["mips-l2", "inner-product"]).optional(),
});
export type AnnOptions = z.infer<typeof annOptionsSchema>;

const FILE = "ann.usearch";
const META = "ann.json";
const GROUPS = "ann-groups.bin";

/** What the graph is built under: a Euclidean space's v, the MIPS → L2 reduction, the inner product, or cosine. */
export type AnnGraph = "euclidean" | "mips-l2" | "inner-product" | "cosine";

function graphOf(similarity: VectorSpace["similarity"], euclidean: boolean, o: AnnOptions): AnnGraph {
  return similarity === "cosine" ? "cosine" : euclidean ? "euclidean" : (o.dotGraph ?? "mips-l2");
}

/** The graph's vector width for a space of d columns. */
function widthOf(graph: AnnGraph, d: number): number {
  return graph === "euclidean" ? d - 1 : graph === "mips-l2" ? d + 1 : d;
}

function newIndex(width: number, graph: AnnGraph, o: AnnOptions): InstanceType<typeof usearch.Index> {
  const metric = graph === "cosine" ? usearch.MetricKind.Cos : graph === "inner-product" ? usearch.MetricKind.IP : usearch.MetricKind.L2sq;
  return new usearch.Index({ dimensions: width, metric, quantization: usearch.ScalarKind.F32, connectivity: o.connectivity, expansion_add: o.expansionAdd, expansion_search: o.expansionSearch, multi: false });
}

/**
 * Whether the items are a Euclidean space written as dot products — every row [v, −‖v‖²/2] (CML, the triplet
 * net). The MIPS → L2 reduction of such rows is badly conditioned: the last column grows as ‖v‖², and the padded
 * distances reach 10⁴–10⁵, where float32 cannot tell apart items whose scores differ by 10⁻³ (recall@10 0.83 on
 * ML-100k's triplet vectors); indexing v itself under L2 keeps full precision.
 */
function isEuclidean(V: Float32Array, n: number, d: number): boolean {
  if (d < 2 || n === 0) return false;
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let f = 0; f < d - 1; f++) sq += V[i * d + f] ** 2;
    if (Math.abs(V[i * d + d - 1] + sq / 2) > 1e-5 * Math.max(1, sq)) return false;
  }
  return true;
}

/**
 * Items grouped by identical vectors (bit for bit), groups in order of their first item, members ascending.
 * Content models give many movies the same vector (same genres and year); as separate HNSW nodes they fill each
 * other's link lists and cut the graph (recall@10 0.50–0.60 on ML-100k's triplet vectors), as one node they do not.
 */
function identicalRows(V: Float32Array, n: number, d: number): { offsets: Uint32Array; members: Int32Array } {
  const bytes = new Uint8Array(V.buffer, V.byteOffset, V.byteLength);
  const groupOf = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = Buffer.from(bytes.subarray(i * d * 4, (i + 1) * d * 4)).toString("latin1");
    const g = groupOf.get(key);
    if (g) g.push(i);
    else groupOf.set(key, [i]);
  }
  const lists = [...groupOf.values()];
  const offsets = new Uint32Array(lists.length + 1);
  lists.forEach((l, g) => (offsets[g + 1] = offsets[g] + l.length));
  return { offsets, members: Int32Array.from(lists.flat()) };
}

/**
 * An HNSW index over a model's item vectors (usearch: prebuilt binaries, save and memory-mapped view). Euclidean
 * spaces written as dot products (items [v, −‖v‖²/2], users [u, 1]) are indexed as v under L2; other dot-product
 * spaces by the MIPS → L2 reduction (Bachrach et al. 2014): items [v, √(M² − ‖v‖²)], queries [u, 0],
 * so ‖q − x‖² = ‖u‖² + M² − 2u·v and the nearest item is the best dot product; on ML-100k CML vectors this gave
 * recall@100 0.9998 against 0.9981 for an inner-product graph, with both usearch and hnswlib-node. Cosine spaces
 * use the cosine metric. Built on one thread, so the same vectors give the same graph.
 */
export class AnnIndex {
  private constructor(
    private readonly index: InstanceType<typeof usearch.Index>,
    readonly space: Pick<VectorSpace, "dim" | "nItems" | "similarity">,
    readonly options: AnnOptions,
    /** M of the reduction (0 for cosine). */
    private readonly maxNorm: number,
    readonly buildSeconds: number,
    /** Items with identical vectors share one graph node: node g holds items members[offsets[g] .. offsets[g + 1]). */
    private readonly groups: { offsets: Uint32Array; members: Int32Array },
    /** The space is a Euclidean one written as dot products (items [v, −‖v‖²/2]): the graph holds v under L2. */
    private readonly euclidean: boolean,
  ) {}

  static build(space: VectorSpace, options: Partial<AnnOptions> = {}): AnnIndex {
    const o = annOptionsSchema.parse(options);
    const { dim: d, nItems: n, itemVectors: V } = space;
    if (V.length !== n * d) throw new Error(`${space.name}: itemVectors has ${V.length} values, expected ${n} × ${d}`);
    const t = performance.now();
    const dot = space.similarity === "dot";
    let maxSq = 0;
    const sq = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < d; f++) sq[i] += V[i * d + f] ** 2;
      maxSq = Math.max(maxSq, sq[i]);
    }
    const euclidean = dot && isEuclidean(V, n, d);
    const graph = graphOf(space.similarity, euclidean, o);
    const width = widthOf(graph, d);
    const index = newIndex(width, graph, o);
    const groups = identicalRows(V, n, d);
    const nGroups = groups.offsets.length - 1;
    const rows: Float32Array[] = [];
    for (let g = 0; g < nGroups; g++) {
      const i = groups.members[groups.offsets[g]];
      const x = new Float32Array(width);
      x.set(V.subarray(i * d, i * d + Math.min(d, width)));
      if (graph === "mips-l2") x[d] = Math.sqrt(Math.max(0, maxSq - sq[i]));
      rows.push(x);
    }
    if (nGroups > 0) index.add(BigUint64Array.from({ length: nGroups }, (_, g) => BigInt(g)), rows, 1);
    return new AnnIndex(index, { dim: d, nItems: n, similarity: space.similarity }, o, Math.sqrt(maxSq), (performance.now() - t) / 1000, groups, euclidean);
  }

  /** Writes `dir/ann.usearch`, `dir/ann-groups.bin` (items per graph node) and `dir/ann.json` (beside a saved model). */
  save(dir: string): void {
    mkdirSync(dir, { recursive: true });
    this.index.save(join(dir, FILE));
    writeFileSync(join(dir, GROUPS), Buffer.concat([Buffer.from(this.groups.offsets.buffer, this.groups.offsets.byteOffset, this.groups.offsets.byteLength), Buffer.from(this.groups.members.buffer, this.groups.members.byteOffset, this.groups.members.byteLength)]));
    writeFileSync(join(dir, META), `${JSON.stringify({ format: "mle-ann/1", library: "usearch", space: this.space, options: this.options, maxNorm: this.maxNorm, buildSeconds: this.buildSeconds, nodes: this.groups.offsets.length - 1, euclidean: this.euclidean }, null, 2)}\n`);
  }

  /**
   * An index saved by `save`, memory-mapped (usearch's `view`: the graph is read from the file on demand), searching
   * with the efSearch saved beside it unless `expansionSearch` says otherwise.
   */
  static load(dir: string, o: { expansionSearch?: number } = {}): AnnIndex {
    if (!existsSync(join(dir, META)) || !existsSync(join(dir, FILE)) || !existsSync(join(dir, GROUPS))) throw new UserError(`no ANN index in ${dir} (expected ${FILE}, ${GROUPS} and ${META}); build one with the model`);
    const m = JSON.parse(readFileSync(join(dir, META), "utf8")) as { space: AnnIndex["space"]; options: AnnOptions; maxNorm: number; buildSeconds: number; nodes: number; euclidean: boolean };
    m.options = annOptionsSchema.parse({ ...m.options, ...(o.expansionSearch !== undefined ? { expansionSearch: o.expansionSearch } : {}) });
    const graph = graphOf(m.space.similarity, m.euclidean, m.options);
    const index = newIndex(widthOf(graph, m.space.dim), graph, m.options);
    index.view(join(dir, FILE));
    const bytes = readFileSync(join(dir, GROUPS));
    const raw = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const offsets = new Uint32Array(raw, 0, m.nodes + 1);
    return new AnnIndex(index, m.space, m.options, m.maxNorm, m.buildSeconds, { offsets, members: new Int32Array(raw, 4 * (m.nodes + 1), m.space.nItems) }, m.euclidean);
  }

  /** Sets the efSearch later loads of the index in `dir` use, and records why (`calibration`) in its ann.json. */
  static setExpansionSearch(dir: string, expansionSearch: number, calibration: unknown): void {
    const m = JSON.parse(readFileSync(join(dir, META), "utf8")) as { options: AnnOptions };
    m.options = annOptionsSchema.parse({ ...m.options, expansionSearch });
    writeFileSync(join(dir, META), `${JSON.stringify({ ...m, calibration }, null, 2)}\n`);
  }

  /** What the graph is built under. */
  get graph(): AnnGraph {
    return graphOf(this.space.similarity, this.euclidean, this.options);
  }

  /** Items indexed (graph nodes may be fewer: identical vectors share one). */
  get size(): number {
    return this.space.nItems;
  }

  /**
   * The approximate top-k items of a dense query, best first, `exclude` left out (the index is asked for
   * k + |exclude| and the excluded dropped, so up to k remain).
   */
  search(query: Float32Array, k: number, exclude: ArrayLike<number> = []): Int32Array {
    const { dim: d, nItems: n } = this.space;
    if (query.length !== d) throw new Error(`query has length ${query.length}, the index ${d}`);
    const want = Math.min(n, k + exclude.length);
    if (want === 0) return new Int32Array(0);
    let q = query;
    if (this.euclidean) {
      // [w, c]·[v, −‖v‖²/2] = −(c/2)‖v − w/c‖² + ‖w‖²/(2c): for c > 0 the best items are the nearest to w/c.
      const c = query[d - 1];
      if (!(c > 0)) throw new Error(`a query of a Euclidean space needs a positive last component (the user side [u, 1]); got ${c}`);
      q = Float32Array.from(query.subarray(0, d - 1), (x) => x / c);
    } else if (this.graph === "mips-l2") (q = new Float32Array(d + 1)), q.set(query);
    const skip = new Set(Array.from(exclude));
    const nodes = this.groups.offsets.length - 1;
    // Nodes stand for groups of identical items: ask for more nodes until k items survive the exclusions.
    for (let ask = Math.min(nodes, want); ; ask = Math.min(nodes, ask * 2)) {
      const found = this.index.search(q, ask, 1);
      const out: number[] = [];
      for (let j = 0; j < found.keys.length && out.length < k; j++) {
        const g = Number(found.keys[j]);
        for (let m = this.groups.offsets[g]; m < this.groups.offsets[g + 1] && out.length < k; m++) if (!skip.has(this.groups.members[m])) out.push(this.groups.members[m]);
      }
      if (out.length >= k || ask >= nodes) return Int32Array.from(out);
    }
  }
}
