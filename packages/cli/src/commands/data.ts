import { Command } from "commander";
import { setQuiet } from "@mle/core";
import { RELEASE_NAMES, loadDataset, release, type LoadedDataset, integrityWarnings } from "@mle/data";
import { int, pct, table } from "../format.ts";

interface DataOptions {
  mirror?: string;
  cacheDir?: string;
  offline?: boolean;
  json?: boolean;
  quiet?: boolean;
}

const withSource = (c: Command) =>
  c
    .option("--mirror <dir>", "folder holding <name>.zip or <name>/ (default $MOVIELENS_MIRROR)")
    .option("--cache-dir <dir>", "cache folder (default $MOVIELENS_CACHE or ~/.cache/movielens-embeddings)")
    .option("--offline", "never download")
    .option("-q, --quiet", "no progress output");

export function dataCommand(): Command {
  const cmd = new Command("data").description("MovieLens releases: list, prepare (download + ingest), info");
  cmd.command("list").description("the releases this tool knows").action(() => {
    const rows = RELEASE_NAMES.map((n) => {
      const r = release(n);
      return [n, r.approx.ratings, r.approx.users, r.approx.movies, r.ratingsFormat, r.files.genomeScores ? "yes" : "", r.url];
    });
    process.stdout.write(`${table(["name", "ratings", "users", "movies", "format", "genome", "url"], rows)}\n`);
  });
  withSource(cmd.command("prepare").description("fetch (mirror, cache or GroupLens) and ingest a release into the columnar cache"))
    .argument("<dataset>")
    .option("--refresh", "parse the source files again even if cached")
    .action(async (name: string, o: DataOptions & { refresh?: boolean }) => {
      if (o.quiet) setQuiet(true);
      const t = performance.now();
      const l = await loadDataset(name, { mirror: o.mirror, cacheDir: o.cacheDir, offline: o.offline, refresh: o.refresh });
      process.stdout.write(`${name}: ${l.fromCache ? "already cached" : "ingested"} in ${((performance.now() - t) / 1000).toFixed(2)} s → ${l.cacheFile}\n`);
    });
  withSource(cmd.command("info").description("counts, date range, rating distribution and provenance of a release"))
    .argument("<dataset>")
    .option("--json", "print JSON")
    .action(async (name: string, o: DataOptions) => {
      if (o.quiet) setQuiet(true);
      const l = await loadDataset(name, { mirror: o.mirror, cacheDir: o.cacheDir, offline: o.offline });
      const info = datasetInfo(l);
      process.stdout.write(o.json ? `${JSON.stringify(info)}\n` : `${formatInfo(info)}\n`);
    });
  return cmd;
}

export function datasetInfo(l: LoadedDataset) {
  const d = l.dataset;
  const rated = new Uint8Array(d.nItems);
  let tmin = Infinity;
  let tmax = 0;
  const hist = new Map<number, number>();
  for (let i = 0; i < d.nRatings; i++) {
    rated[d.ratings.item[i]] = 1;
    const t = d.ratings.timestamp[i];
    if (t < tmin) tmin = t;
    if (t > tmax) tmax = t;
    const r = d.ratings.rating[i];
    hist.set(r, (hist.get(r) ?? 0) + 1);
  }
  const ratedMovies = rated.reduce((a, b) => a + b, 0);
  const iso = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
  return {
    name: d.name,
    users: d.nUsers,
    movies: d.nItems,
    ratedMovies,
    ratings: d.nRatings,
    density: d.nRatings / (d.nUsers * ratedMovies),
    firstRating: iso(tmin),
    lastRating: iso(tmax),
    ratingHistogram: Object.fromEntries([...hist].sort((a, b) => a[0] - b[0])),
    genres: d.movies.genreNames,
    tagApplications: d.tags?.item.length ?? 0,
    links: d.links ? true : false,
    genome: d.genome ? { movies: d.genome.items.length, tags: d.genome.tagNames.length } : null,
    integrity: d.integrity,
    warnings: integrityWarnings(d),
    checksum: d.checksum,
    sources: d.sources,
    origin: l.located.origin,
    folder: l.located.dir,
    archive: l.located.archive ?? null,
    cacheFile: l.cacheFile,
  };
}

function formatInfo(i: ReturnType<typeof datasetInfo>): string {
  const hist = Object.entries(i.ratingHistogram).map(([r, n]) => `${r}★ ${pct(n / i.ratings, 1)}`).join("  ");
  return [
    `${i.name}`,
    `  users         ${int(i.users)}`,
    `  movies        ${int(i.movies)} (${int(i.ratedMovies)} with at least one rating)`,
    `  ratings       ${int(i.ratings)} (density ${pct(i.density)} of users × rated movies)`,
    `  time span     ${i.firstRating} … ${i.lastRating}`,
    `  ratings       ${hist}`,
    `  genres        ${i.genres.length}: ${i.genres.join(", ")}`,
    `  tags          ${int(i.tagApplications)} applications`,
    `  links         ${i.links ? "IMDb/TMDB ids" : "none"}`,
    `  tag genome    ${i.genome ? `${int(i.genome.movies)} movies × ${int(i.genome.tags)} tags` : "none in this release"}`,
    `  integrity     ${i.warnings.length ? i.warnings.map((w) => w.slice(i.name.length + 2)).join("\n                ") : "every rating, tag, link and genome row names a movie of the movies file"}`,
    `  sha256        ${i.checksum}`,
    ...i.sources.map((s) => `    ${s.file.padEnd(18)} ${String(s.bytes).padStart(11)} B  ${s.sha256}`),
    `  source        ${i.origin}: ${i.folder}${i.archive ? ` (archive sha256 ${i.archive.sha256})` : ""}`,
    `  cache         ${i.cacheFile}`,
  ].join("\n");
}
