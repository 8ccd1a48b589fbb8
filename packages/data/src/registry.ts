/** The MovieLens releases GroupLens publishes, and how each one is laid out. */

export type RatingsFormat = "csv" | "dat" | "udata";

export interface Release {
  name: ReleaseName;
  /** Archive on GroupLens; a `.md5` file is published beside it. */
  url: string;
  /** Folder the zip extracts to (ml-10m's differs from its name). */
  folder: string;
  ratingsFormat: RatingsFormat;
  files: {
    ratings: string;
    movies: string;
    tags?: string;
    links?: string;
    genomeScores?: string;
    genomeTags?: string;
    users?: string;
  };
  /** Published size, for `data info` before download. */
  approx: { ratings: number; users: number; movies: number };
  /** The mission's dataset changes between releases: verify against what is published now. */
  evolving?: boolean;
}

const GROUPLENS = "https://files.grouplens.org/datasets/movielens";
const CSV_FILES = { ratings: "ratings.csv", movies: "movies.csv", tags: "tags.csv", links: "links.csv" };
const GENOME = { genomeScores: "genome-scores.csv", genomeTags: "genome-tags.csv" };

const RELEASES = {
  "ml-latest": {
    folder: "ml-latest", ratingsFormat: "csv", evolving: true,
    files: { ...CSV_FILES, ...GENOME },
    approx: { ratings: 33_832_162, users: 330_975, movies: 86_537 },
  },
  "ml-latest-small": {
    folder: "ml-latest-small", ratingsFormat: "csv", evolving: true,
    files: CSV_FILES,
    approx: { ratings: 100_836, users: 610, movies: 9_742 },
  },
  "ml-100k": {
    folder: "ml-100k", ratingsFormat: "udata",
    files: { ratings: "u.data", movies: "u.item", users: "u.user" },
    approx: { ratings: 100_000, users: 943, movies: 1_682 },
  },
  "ml-1m": {
    folder: "ml-1m", ratingsFormat: "dat",
    files: { ratings: "ratings.dat", movies: "movies.dat", users: "users.dat" },
    approx: { ratings: 1_000_209, users: 6_040, movies: 3_883 },
  },
  "ml-10m": {
    folder: "ml-10M100K", ratingsFormat: "dat",
    files: { ratings: "ratings.dat", movies: "movies.dat", tags: "tags.dat" },
    approx: { ratings: 10_000_054, users: 69_878, movies: 10_681 },
  },
  "ml-20m": {
    folder: "ml-20m", ratingsFormat: "csv",
    files: { ...CSV_FILES, ...GENOME },
    approx: { ratings: 20_000_263, users: 138_493, movies: 27_278 },
  },
  "ml-25m": {
    folder: "ml-25m", ratingsFormat: "csv",
    files: { ...CSV_FILES, ...GENOME },
    approx: { ratings: 25_000_095, users: 162_541, movies: 62_423 },
  },
  "ml-32m": {
    folder: "ml-32m", ratingsFormat: "csv",
    files: CSV_FILES,
    approx: { ratings: 32_000_204, users: 200_948, movies: 87_585 },
  },
} as const satisfies Record<string, Omit<Release, "name" | "url">>;

export type ReleaseName = keyof typeof RELEASES;
export const RELEASE_NAMES = Object.keys(RELEASES) as ReleaseName[];

export function isReleaseName(name: string): name is ReleaseName {
  return Object.hasOwn(RELEASES, name);
}

/** Base URL can be redirected (a proxy, or a loopback server in tests) with MOVIELENS_BASE_URL. */
export function release(name: ReleaseName, baseUrl = process.env.MOVIELENS_BASE_URL ?? GROUPLENS): Release {
  const r: Omit<Release, "name" | "url"> = RELEASES[name];
  return { ...r, name, url: `${baseUrl.replace(/\/$/, "")}/${name}.zip` };
}
