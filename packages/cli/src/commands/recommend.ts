import { Command, InvalidArgumentError } from "commander";
import { UserError, setQuiet } from "@mle/core";
import { initBackend } from "@mle/models";
import { localModelPath } from "./model-source.ts";
import { openModel, parseHistoryList, readHistoryFile, type Movie, type OpenedModel, type Rated, type Recommendation } from "@mle/serve";

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};

interface ModelOptions {
  model: string;
  seed?: number;
  mirror?: string;
  json?: boolean;
}

/** Opens `--model` on the configured backend (quiet under --json, so stdout stays one JSON document). */
async function open(o: ModelOptions): Promise<OpenedModel> {
  if (o.json) setQuiet(true);
  await initBackend();
  return openModel(await localModelPath(o.model), { seed: o.seed, mirror: o.mirror });
}

const movieLine = (m: Movie) => `${m.title} — ${m.genres.join("|") || "(no genres)"}`;

/** `pnpm recommend`: a user's (or a given history's) top movies from a saved model. */
export function recommendCommand(): Command {
  return new Command("recommend")
    .description("recommend movies from a saved model for a known user or any history (folded in, seen movies excluded)")
    .requiredOption("--model <path>", "a run folder (runs/<experiment>/<name>), one of its seed-N folders, a model folder, an MLflow run id or models:/<name>/<version> ($MLFLOW_TRACKING_URI)")
    .option("--seed <n>", "which seed of a run folder (default: the first)", int("--seed"))
    .option("--user <userId>", "a user of the run's split: their interactions are the history", int("--user"))
    .option("--history <list>", "\"<movieId>:<rating>,…\" (a new user, folded in)")
    .option("--history-file <csv>", "a CSV with movieId,rating[,timestamp] columns")
    .option("-k, --k <n>", "how many", int("--k"), 10)
    .option("--exact", "score every movie instead of asking the HNSW index")
    .option("--explain", "for each recommendation, the user's rated movies nearest to it")
    .option("--mirror <dir>", "where the MovieLens release is (default: the run's, then $MOVIELENS_MIRROR)")
    .option("--json", "print JSON")
    .action(async (o: ModelOptions & { user?: number; history?: string; historyFile?: string; k: number; exact?: boolean; explain?: boolean }) => {
      const given = [o.user !== undefined, o.history !== undefined, o.historyFile !== undefined].filter(Boolean).length;
      if (given !== 1) throw new UserError("give exactly one of --user, --history and --history-file", "e.g. --history \"1:5,260:4.5\"");
      const rated: Rated[] | null = o.history !== undefined ? parseHistoryList(o.history) : o.historyFile !== undefined ? readHistoryFile(o.historyFile) : null;
      const served = await open(o);
      const r = served.recommender;
      const { history, unknown, belowThreshold } = r.history(rated ?? served.knownHistory(o.user!));
      if (!history.items.length) throw new UserError(`none of the history's ${unknown.length + belowThreshold.length} movies is usable (${unknown.length} not in the model's catalogue, ${belowThreshold.length} rated under the model's threshold)`);
      const t = performance.now();
      const { search: path, recommendations: recs } = r.recommendWithSearch(history, { k: o.k, exact: o.exact, explain: o.explain });
      const ms = performance.now() - t;
      if (o.json) return void process.stdout.write(`${JSON.stringify({ model: r.model.name, search: path, history: history.items.length, unknown, belowThreshold, milliseconds: ms, recommendations: recs }, null, 2)}\n`);
      const who = o.user !== undefined ? `user ${o.user}` : "this history";
      process.stdout.write(`${r.model.name}: top ${recs.length} for ${who} (${history.items.length} rated movies folded in; ${path === "candidates" ? "the first stage's candidates re-ranked" : `${path} search`}, ${ms.toFixed(1)} ms)\n`);
      if (unknown.length) process.stdout.write(`left out, not in the model's catalogue: ${unknown.join(", ")}\n`);
      if (belowThreshold.length && served.data.feedback.kind === "implicit") process.stdout.write(`left out, rated under ${served.data.feedback.minRating} (the model learned from ratings ≥ ${served.data.feedback.minRating}): ${belowThreshold.join(", ")}\n`);
      recs.forEach((m: Recommendation, k) => {
        process.stdout.write(`${String(k + 1).padStart(3)}. ${movieLine(m)}  [${m.movieId}, score ${m.score.toFixed(4)}]\n`);
        if (m.because) process.stdout.write(`     because you rated: ${m.because.map((b) => `${b.title} (${b.similarity.toFixed(2)})`).join("; ")}\n`);
      });
    });
}

/** `pnpm similar`: a movie's nearest neighbours in a saved model's item space. */
export function similarCommand(): Command {
  return new Command("similar")
    .description("the movies nearest a movie in a saved model's item space (cosine)")
    .requiredOption("--model <path>", "a run, seed-N or model folder, an MLflow run id or models:/<name>/<version>")
    .requiredOption("--movie <id or title>", "a movieId, or part of a title")
    .option("--seed <n>", "which seed of a run folder (default: the first)", int("--seed"))
    .option("-k, --k <n>", "how many", int("--k"), 10)
    .option("--mirror <dir>", "where the MovieLens release is")
    .option("--json", "print JSON")
    .action(async (o: ModelOptions & { movie: string; k: number }) => {
      const served = await open(o);
      const r = served.recommender;
      const movie = /^\d+$/.test(o.movie.trim()) ? r.catalogue.movies[r.catalogue.item(Number(o.movie)) ?? -1] : r.catalogue.search(o.movie)[0];
      if (!movie) throw new UserError(`no movie in the model's catalogue matches "${o.movie}"`, "a movieId, or a part of its title such as \"toy story\"");
      const near = r.similar(movie.movieId, o.k);
      if (o.json) return void process.stdout.write(`${JSON.stringify({ model: r.model.name, movie, similar: near }, null, 2)}\n`);
      process.stdout.write(`${r.model.name}: the ${near.length} movies nearest ${movieLine(movie)} [${movie.movieId}]\n`);
      near.forEach((m, k) => process.stdout.write(`${String(k + 1).padStart(3)}. ${movieLine(m)}  [${m.movieId}, cosine ${m.similarity.toFixed(3)}]\n`));
    });
}
