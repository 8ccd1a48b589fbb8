/** A MovieLens release in memory: dense ids, columnar ratings, movie metadata. */
export interface Dataset {
  /** Release name, e.g. "ml-latest-small". */
  name: string;
  /** sha256 over the release's source files: the cache key and what runs record. */
  checksum: string;
  sources: SourceFile[];
  nUsers: number;
  /** The catalogue: every movie in the movies file (and any rated movie missing from it). */
  nItems: number;
  nRatings: number;
  /** Dense index → raw `userId`, ascending. */
  userIds: Int32Array;
  /** Dense index → raw `movieId`, ascending. */
  itemIds: Int32Array;
  ratings: Ratings;
  movies: Movies;
  tags?: Tags;
  links?: Links;
  genome?: Genome;
  /** Demographics (ML-100k, ML-1M), in the dense user space; users without a row get zeros. */
  users?: Users;
  /** Cross-file references that do not resolve, counted at ingest (never silent; see `integrityWarnings`). */
  integrity: Integrity;
}

/**
 * The policy for rows that name a movie the movies file does not list: ratings are kept (they are real
 * interactions; the movie becomes an untitled item of the catalogue), tags, links and genome rows of such
 * movies are dropped (they describe nothing the catalogue has). Either way the counts are reported by
 * `pnpm data info`, logged when a run loads the release, and recorded in the run's provenance.
 */
export interface Integrity {
  ratingsOfUnlistedMovies: number;
  unlistedRatedMovies: number;
  tagsOfUnlistedMovies: number;
  linksOfUnlistedMovies: number;
  genomeRowsOfUnlistedMovies: number;
}

/** One line per problem found, or none. */
export function integrityWarnings(d: { name: string; integrity?: Integrity }): string[] {
  const i = d.integrity;
  if (!i) return [];
  const n = (v: number) => v.toLocaleString("en-US");
  const out: string[] = [];
  if (i.ratingsOfUnlistedMovies) out.push(`${d.name}: ${n(i.ratingsOfUnlistedMovies)} rating(s) of ${n(i.unlistedRatedMovies)} movie(s) the movies file does not list — kept, as untitled items`);
  if (i.tagsOfUnlistedMovies) out.push(`${d.name}: ${n(i.tagsOfUnlistedMovies)} tag application(s) of movies the movies file does not list — dropped`);
  if (i.linksOfUnlistedMovies) out.push(`${d.name}: ${n(i.linksOfUnlistedMovies)} link row(s) of movies the movies file does not list — dropped`);
  if (i.genomeRowsOfUnlistedMovies) out.push(`${d.name}: genome scores of ${n(i.genomeRowsOfUnlistedMovies)} movie(s) the movies file does not list — dropped`);
  return out;
}

export interface SourceFile {
  file: string;
  bytes: number;
  sha256: string;
}

/** One row per rating, in file order; `user`/`item` are dense indices. */
export interface Ratings {
  user: Int32Array;
  item: Int32Array;
  rating: Float32Array;
  /** Seconds since the Unix epoch (UTC). */
  timestamp: Uint32Array;
}

export interface Movies {
  title: string[];
  /** Year parsed from the title; 0 when it has none. */
  year: Int16Array;
  genreNames: string[];
  /** nItems × genreNames.length, 1 where the movie has the genre. */
  genres: Uint8Array;
}

export interface Tags {
  /** Raw userId (taggers need not have rated anything). */
  rawUser: Int32Array;
  item: Int32Array;
  /** Index into `vocabulary`. */
  tag: Int32Array;
  vocabulary: string[];
  timestamp: Uint32Array;
}

/** IMDb and TMDB ids per item, -1 where unknown. */
export interface Links {
  imdbId: Int32Array;
  tmdbId: Int32Array;
}

/** The tag genome: a dense items-with-genome × tags relevance matrix. */
export interface Genome {
  tagNames: string[];
  /** Dense item indices that have genome scores, ascending. */
  items: Int32Array;
  relevance: Float32Array;
}

/** Per dense user: age (0 unknown), gender (1 female, 2 male, 0 unknown), occupation code. */
export interface Users {
  age: Int16Array;
  gender: Uint8Array;
  occupationNames: string[];
  occupation: Int16Array;
}
