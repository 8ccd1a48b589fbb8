import { UserError, isSparse, type EmbeddingModel, type History, type UserVector } from "@mle/core";
import { AnnIndex } from "@mle/ann";
import { scoreBlock, scoringSpace, topK, type ScoringSpace } from "@mle/metrics";
import type { Catalogue, Movie } from "./catalogue.ts";
import { NotFound } from "./errors.ts";

/** One rated movie of a history, as a person gives it. */
export interface Rated {
  movieId: number;
  rating: number;
  /** Unix seconds; without them the history's order is the order given. */
  timestamp?: number;
}

export interface Recommendation extends Movie {
  score: number;
  /** With `explain`: the user's rated movies nearest to this one in the model's item space (cosine). */
  because?: (Movie & { similarity: number })[];
}

export interface RecommendOptions {
  k?: number;
  /** Score every item (the evaluator's path) instead of asking the HNSW index. */
  exact?: boolean;
  explain?: boolean;
}

/** What the model was trained on that a history must respect: implicit feedback keeps ratings ≥ minRating. */
export type Feedback = { kind: "explicit" } | { kind: "implicit"; minRating: number };

export const MAX_K = 1000;

/** How a recommendation's items were found. */
export type SearchPath = "hnsw" | "exact" | "candidates";

/**
 * A trained model answering for any history, the way it was evaluated: the user vector is the model's fold-in
 * of the history, every item is scored by the same similarity, the history is excluded. The HNSW index (when
 * the item space has one) answers dense user vectors approximately; `exact` and sparse user vectors (EASE)
 * score the whole catalogue. A two-stage model ranks its first stage's candidates, as in evaluation.
 */
export class Recommender {
  private readonly space: ScoringSpace;
  private readonly norms: Float32Array;

  constructor(readonly model: EmbeddingModel, readonly catalogue: Catalogue, readonly feedback: Feedback, readonly index: AnnIndex | null) {
    this.space = scoringSpace(model);
    const { dim: d, itemVectors: V } = model;
    this.norms = new Float32Array(model.nItems);
    for (let i = 0; i < model.nItems; i++) {
      let s = 0;
      for (let f = 0; f < d; f++) s += V[i * d + f] ** 2;
      this.norms[i] = Math.sqrt(s);
    }
  }

  /** A history in the model's items: unknown movies and (implicit feedback) ratings under the threshold are left out and listed. */
  history(rated: Rated[]): { history: History; unknown: number[]; belowThreshold: number[] } {
    const unknown: number[] = [];
    const belowThreshold: number[] = [];
    const kept: { item: number; rating: number; t: number }[] = [];
    rated.forEach((r, k) => {
      const item = this.catalogue.item(r.movieId);
      if (item === undefined) return void unknown.push(r.movieId);
      if (this.feedback.kind === "implicit" && r.rating < this.feedback.minRating) return void belowThreshold.push(r.movieId);
      kept.push({ item, rating: r.rating, t: r.timestamp ?? k });
    });
    kept.sort((a, b) => a.t - b.t);
    return {
      history: { items: Int32Array.from(kept, (x) => x.item), ratings: Float32Array.from(kept, (x) => x.rating), timestamps: Uint32Array.from(kept, (x) => x.t) },
      unknown, belowThreshold,
    };
  }

  /** The top k movies for a history (seen movies excluded), best first. */
  recommend(h: History, o: RecommendOptions = {}): Recommendation[] {
    return this.recommendWithSearch(h, o).recommendations;
  }

  /** `recommend`, and how the items were found: the HNSW index, every item scored, or a two-stage model's candidates. */
  recommendWithSearch(h: History, o: RecommendOptions = {}): { search: SearchPath; recommendations: Recommendation[] } {
    const k = o.k ?? 10;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new UserError(`k must be an integer from 1 to ${MAX_K}; got ${k}`);
    const user = this.model.userVector(h);
    const seen = new Set(h.items);
    const candidates = this.model.candidates?.(h);
    let items: Int32Array;
    let scores: Float32Array;
    const search: SearchPath = candidates ? "candidates" : this.index && !o.exact && !isSparse(user) ? "hnsw" : "exact";
    if (search === "hnsw") {
      items = this.index!.search(user as Float32Array, k, Array.from(seen));
      scores = Float32Array.from(items, (i) => this.score(user as Float32Array, i));
    } else [items, scores] = this.exactTop(user, k, seen, candidates);
    const recommendations = Array.from(items, (i, r) => ({ ...this.catalogue.movies[i], score: scores[r], ...(o.explain ? { because: this.nearestOf(i, h.items, 3) } : {}) }));
    return { search, recommendations };
  }

  /** The k movies nearest a movie in the model's item space (cosine), itself left out. */
  similar(movieId: number, k = 10): (Movie & { similarity: number })[] {
    const i = this.catalogue.item(movieId);
    if (i === undefined) throw new NotFound(`movie ${movieId} is not in this model's catalogue (${this.catalogue.size} movies)`, "search by title: pnpm similar --movie <title substring>");
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new UserError(`k must be an integer from 1 to ${MAX_K}; got ${k}`);
    const { dim: d, itemVectors: V, nItems } = this.model;
    // Cosine to every item in one pass, then the evaluator's heap: no sort of the catalogue per request.
    const cos = new Float32Array(nItems);
    for (let j = 0; j < nItems; j++) {
      let s = 0;
      for (let f = 0; f < d; f++) s += V[i * d + f] * V[j * d + f];
      cos[j] = this.norms[i] > 0 && this.norms[j] > 0 ? s / (this.norms[i] * this.norms[j]) : 0;
    }
    cos[i] = -Infinity;
    const [items, sims] = heapTop(cos, k);
    return Array.from(items, (j, r) => ({ ...this.catalogue.movies[j], similarity: sims[r] }));
  }

  /** Every item scored as the evaluator scores it (ties to the lower index); candidates only, for a two-stage model. */
  private exactTop(user: UserVector, k: number, seen: Set<number>, candidates?: Int32Array): [Int32Array, Float32Array] {
    let all = new Float32Array(this.model.nItems);
    scoreBlock(this.space, [user], all);
    if (candidates) {
      const only = new Float32Array(all.length).fill(-Infinity);
      for (const i of candidates) only[i] = all[i];
      all = only;
    }
    for (const i of seen) all[i] = -Infinity;
    return heapTop(all, k);
  }

  /** A dense user vector's score of item i by the model's similarity. */
  private score(user: Float32Array, i: number): number {
    const { dim: d, itemVectors: V } = this.model;
    let s = 0;
    for (let f = 0; f < d; f++) s += user[f] * V[i * d + f];
    return this.model.similarity === "cosine" ? (this.norms[i] > 0 ? s / this.norms[i] : 0) : s;
  }

  /** Of `pool`, the n items nearest item i by cosine of the item vectors. */
  private nearestOf(i: number, pool: ArrayLike<number>, n: number): (Movie & { similarity: number })[] {
    const { dim: d, itemVectors: V } = this.model;
    const cos = (j: number) => {
      let s = 0;
      for (let f = 0; f < d; f++) s += V[i * d + f] * V[j * d + f];
      return this.norms[i] > 0 && this.norms[j] > 0 ? s / (this.norms[i] * this.norms[j]) : 0;
    };
    return Array.from(pool, (j) => ({ j, c: cos(j) })).sort((a, b) => b.c - a.c || a.j - b.j).slice(0, n).map(({ j, c }) => ({ ...this.catalogue.movies[j], similarity: c }));
  }
}

/** The k best of `scores` (−∞ never), best first, ties to the lower index: the evaluator's `topK`. */
function heapTop(scores: Float32Array, k: number): [Int32Array, Float32Array] {
  const items = new Int32Array(k);
  const best = new Float32Array(k);
  const n = topK(scores, 0, scores.length, k, items, best);
  return [items.slice(0, n), best.slice(0, n)];
}
