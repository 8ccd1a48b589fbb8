import type { Dataset } from "@mle/data";

/** What a person sees of a movie. */
export interface Movie {
  movieId: number;
  title: string;
  /** 0 when the title carries no year. */
  year: number;
  genres: string[];
}

/**
 * The model's items as movies: item i is `movieIds[i]` (the raw MovieLens id saved with the model), with the
 * title, year and genres of the release it was trained on.
 */
export class Catalogue {
  private readonly itemOf = new Map<number, number>();
  readonly movies: Movie[];

  constructor(dataset: Dataset, readonly movieIds: Int32Array) {
    const row = new Map<number, number>();
    dataset.itemIds.forEach((id, k) => row.set(id, k));
    const { title, year, genres, genreNames } = dataset.movies;
    const G = genreNames.length;
    this.movies = Array.from(movieIds, (movieId, i) => {
      this.itemOf.set(movieId, i);
      const k = row.get(movieId);
      if (k === undefined) return { movieId, title: `movie ${movieId}`, year: 0, genres: [] };
      return { movieId, title: title[k], year: year[k], genres: genreNames.filter((_, g) => genres[k * G + g] === 1) };
    });
  }

  get size(): number {
    return this.movies.length;
  }

  /** The model's item index of a raw movie id, or undefined when the model has no such item. */
  item(movieId: number): number | undefined {
    return this.itemOf.get(movieId);
  }

  /**
   * Movies whose title contains `query` (case-insensitive, accents kept), best first: titles that start with it,
   * then shorter titles (the closer match), then by id.
   */
  search(query: string, limit = 20): Movie[] {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    const hits: [Movie, number][] = [];
    for (const m of this.movies) {
      const at = m.title.toLowerCase().indexOf(q);
      if (at >= 0) hits.push([m, at === 0 ? 0 : 1]);
    }
    hits.sort((a, b) => a[1] - b[1] || a[0].title.length - b[0].title.length || a[0].movieId - b[0].movieId);
    return hits.slice(0, limit).map(([m]) => m);
  }
}
