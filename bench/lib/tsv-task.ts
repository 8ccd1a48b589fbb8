// Our side of a peer comparison: read the exported `user<TAB>item<TAB>rating<TAB>ts` files back, in the
// dense space of the training file's users and items (test rows of unknown ones dropped, as Cornac's
// exclude_unknowns and implicit's index do).
import { groupRows, type RankingTask, type TrainSet } from "@mle/core";
import { readRatings } from "@mle/data";

export async function loadTsvTask(trainFile: string, testFile: string | null, binary: boolean): Promise<{ train: TrainSet; task: RankingTask }> {
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
