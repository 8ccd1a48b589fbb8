// Our side of a peer comparison: read the exported `user<TAB>item<TAB>rating<TAB>ts` files back, in the
// dense space of the training file's users and items (test rows of unknown ones dropped, as Cornac's
// exclude_unknowns and implicit's index do). With a `historyFile` (strong generalisation), the evaluated
// users are the ones in that file, unseen in training: their histories are its rows, folded in.
import { groupRows, type RankingTask, type TrainSet } from "@mle/core";
import { readRatings } from "@mle/data";

export async function loadTsvTask(trainFile: string, testFile: string | null, binary: boolean, historyFile?: string): Promise<{ train: TrainSet; task: RankingTask }> {
  const tr = await readRatings(trainFile, "udata");
  const users = new Map<number, number>();
  const items = new Map<number, number>();
  for (let k = 0; k < tr.rows; k++) {
    if (!users.has(tr.user[k])) users.set(tr.user[k], users.size);
    if (!items.has(tr.movie[k])) items.set(tr.movie[k], items.size);
  }
  const train: TrainSet = {
    nUsers: users.size, nItems: items.size, user: Int32Array.from(tr.user, (u) => users.get(u)!), item: Int32Array.from(tr.movie, (m) => items.get(m)!),
    rating: binary ? new Float32Array(tr.rows).fill(1) : tr.rating, timestamp: tr.timestamp,
  };
  const te = testFile ? await readRatings(testFile, "udata") : { rows: 0, user: new Int32Array(0), movie: new Int32Array(0), rating: new Float32Array(0) };
  if (historyFile) return { train, task: await heldOutTask(train, items, await readRatings(historyFile, "udata"), te, binary) };
  const testRows: number[] = [];
  for (let k = 0; k < te.rows; k++) if (users.has(te.user[k]) && items.has(te.movie[k])) testRows.push(k);
  const testUser = Int32Array.from(testRows, (k) => users.get(te.user[k])!);
  // Evaluated users: those with a test row, in dense order; histories are their training rows in file order.
  const slot = new Int32Array(users.size).fill(-1);
  const evalUsers = [...new Set(testUser)].sort((a, b) => a - b);
  evalUsers.forEach((u, k) => (slot[u] = k));
  const histRows = Array.from(train.user.keys()).filter((k) => slot[train.user[k]] >= 0);
  const h = groupRows(Int32Array.from(histRows, (k) => slot[train.user[k]]), evalUsers.length);
  const t = groupRows(Int32Array.from(testUser, (u) => slot[u]), evalUsers.length);
  const itemTrainUsers = new Uint32Array(items.size);
  for (let k = 0; k < tr.rows; k++) itemTrainUsers[train.item[k]]++;
  const task: RankingTask = {
    nItems: items.size, users: Int32Array.from(evalUsers),
    historyOffsets: h.offsets, historyItems: Int32Array.from(h.rows, (j) => train.item[histRows[j]]), historyRatings: Float32Array.from(h.rows, (j) => train.rating[histRows[j]]),
    historyTimestamps: Uint32Array.from(h.rows, (j) => train.timestamp[histRows[j]]),
    targetOffsets: t.offsets, targetItems: Int32Array.from(t.rows, (j) => items.get(te.movie[testRows[j]])!), targetRatings: Float32Array.from(t.rows, (j) => (binary ? 1 : te.rating[testRows[j]])),
    itemTrainUsers, nTrainUsers: users.size,
  };
  return { train, task };
}

type Rows = Awaited<ReturnType<typeof readRatings>>;

/** Held-out users (ids after the training users'): histories from their fold-in rows, targets from the test rows. */
async function heldOutTask(train: TrainSet, items: Map<number, number>, fold: Rows, te: Pick<Rows, "rows" | "user" | "movie" | "rating">, binary: boolean): Promise<RankingTask> {
  const users = new Map<number, number>();
  const keep = (r: Pick<Rows, "rows" | "user" | "movie">) => Array.from({ length: r.rows }, (_, k) => k).filter((k) => items.has(r.movie[k]));
  const foldRows = keep(fold);
  for (const k of foldRows) if (!users.has(fold.user[k])) users.set(fold.user[k], users.size);
  const testRows = keep(te).filter((k) => users.has(te.user[k]));
  const h = groupRows(Int32Array.from(foldRows, (k) => users.get(fold.user[k])!), users.size);
  const t = groupRows(Int32Array.from(testRows, (k) => users.get(te.user[k])!), users.size);
  const itemTrainUsers = new Uint32Array(train.nItems);
  for (let k = 0; k < train.item.length; k++) itemTrainUsers[train.item[k]]++;
  return {
    nItems: train.nItems, users: Int32Array.from({ length: users.size }, (_, k) => train.nUsers + k),
    historyOffsets: h.offsets, historyItems: Int32Array.from(h.rows, (j) => items.get(fold.movie[foldRows[j]])!),
    historyRatings: Float32Array.from(h.rows, (j) => (binary ? 1 : fold.rating[foldRows[j]])), historyTimestamps: Uint32Array.from(h.rows, (j) => fold.timestamp[foldRows[j]]),
    targetOffsets: t.offsets, targetItems: Int32Array.from(t.rows, (j) => items.get(te.movie[testRows[j]])!), targetRatings: Float32Array.from(t.rows, (j) => (binary ? 1 : te.rating[testRows[j]])),
    itemTrainUsers, nTrainUsers: train.nUsers,
  };
}
