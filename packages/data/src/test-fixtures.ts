import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Small synthetic releases with the exact layout of the ones that cannot be obtained here
 * (ml-latest with its tag genome, ml-10m's `::` files with tags.dat). Test support only.
 */
export function writeSyntheticLatest(mirror: string, folder = "ml-latest"): void {
  const dir = join(mirror, folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "ratings.csv"), "userId,movieId,rating,timestamp\n1,1,4.0,1000\n1,5,3.5,1001\n2,1,5.0,1002\n3,200,0.5,1003\n");
  writeFileSync(join(dir, "movies.csv"),
    'movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n5,"Father of the Bride Part II, The (1995)",Comedy\n7,No Year Movie,(no genres listed)\n200,Babylon 5 (1994–1998),Sci-Fi\n');
  writeFileSync(join(dir, "tags.csv"), 'userId,movieId,tag,timestamp\n1,1,pixar,1500\n9,5,"funny, warm",1501\n');
  writeFileSync(join(dir, "links.csv"), "movieId,imdbId,tmdbId\n1,0114709,862\n5,0113041,\n7,1,2\n200,3,4\n");
  writeFileSync(join(dir, "genome-tags.csv"), "tagId,tag\n1,007\n2,animated\n");
  writeFileSync(join(dir, "genome-scores.csv"), "movieId,tagId,relevance\n1,1,0.02\n1,2,0.98\n5,1,0.5\n5,2,0.25\n");
}

export function writeSynthetic10m(mirror: string): void {
  const dir = join(mirror, "ml-10m");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "ratings.dat"), "1::122::5::838985046\n1::185::4.5::838983525\n2::122::3::838983392\n");
  writeFileSync(join(dir, "movies.dat"), "122::Boomerang (1992)::Comedy|Romance\n185::Net, The (1995)::Action|Crime|Thriller\n");
  writeFileSync(join(dir, "tags.dat"), "15::185::excellent!::1215184630\n");
}

/** A mirror where `ml-1m/` is the real ML-1M sample (its ratings.dat is the first 43,745 lines). */
export function linkMl1mSample(realMirror: string, mirror: string): void {
  symlinkSync(join(realMirror, "ml-1m-sample"), join(mirror, "ml-1m"));
}

/** A Dataset from literal rows [user, item, rating, timestamp] with dense ids already. */
export function tinyDataset(rows: [number, number, number, number][], nUsers?: number, nItems?: number): import("./dataset.ts").Dataset {
  const nu = nUsers ?? Math.max(...rows.map((r) => r[0])) + 1;
  const ni = nItems ?? Math.max(...rows.map((r) => r[1])) + 1;
  return {
    name: "tiny", checksum: "tiny", sources: [], nUsers: nu, nItems: ni, nRatings: rows.length,
    userIds: Int32Array.from({ length: nu }, (_, i) => i + 1), itemIds: Int32Array.from({ length: ni }, (_, i) => i + 1),
    ratings: {
      user: Int32Array.from(rows, (r) => r[0]), item: Int32Array.from(rows, (r) => r[1]),
      rating: Float32Array.from(rows, (r) => r[2]), timestamp: Uint32Array.from(rows, (r) => r[3]),
    },
    movies: { title: Array.from({ length: ni }, (_, i) => `movie ${i + 1}`), year: new Int16Array(ni), genreNames: [], genres: new Uint8Array(0) },
    integrity: { ratingsOfUnlistedMovies: 0, unlistedRatedMovies: 0, tagsOfUnlistedMovies: 0, linksOfUnlistedMovies: 0, genomeRowsOfUnlistedMovies: 0 },
  };
}
