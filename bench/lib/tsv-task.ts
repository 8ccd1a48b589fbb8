// Our side of a peer comparison: read the exported `user<TAB>item<TAB>rating<TAB>ts` files back, in the
// dense space of the training file's users and items (test rows of unknown ones dropped, as Cornac's
// exclude_unknowns and implicit's index do).
import { readRatings } from "@mle/data";
import type { RankingTask } from "@mle/metrics";
import type { TrainSet } from "@mle/models";

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
    rating: binary ? new Float32Array(tr.rows).fill(1) : tr.rating,
  };
  const te = testFile ? await readRatings(testFile, "udata") : { rows: 0, user: new Int32Array(0), movie: new Int32Array(0), rating: new Float32Array(0) };
  const targets = new Map<number, [number, number][]>();
  for (let k = 0; k < te.rows; k++) {
    const u = users.get(te.user[k]);
    const i = items.get(te.movie[k]);
    if (u === undefined || i === undefined) continue;
    if (!targets.has(u)) targets.set(u, []);
    targets.get(u)!.push([i, binary ? 1 : te.rating[k]]);
  }
  const evalUsers = [...targets.keys()].sort((a, b) => a - b);
  const slot = new Int32Array(users.size).fill(-1);
  evalUsers.forEach((u, k) => (slot[u] = k));
  const hist = evalUsers.map(() => [] as [number, number][]);
  for (let k = 0; k < tr.rows; k++) if (slot[train.user[k]] >= 0) hist[slot[train.user[k]]].push([train.item[k], train.rating[k]]);
  const csr = (lists: [number, number][][]) => {
    const offsets = new Uint32Array(lists.length + 1);
    lists.forEach((l, k) => (offsets[k + 1] = offsets[k] + l.length));
    const flat = lists.flat();
    return { offsets, items: Int32Array.from(flat, (p) => p[0]), ratings: Float32Array.from(flat, (p) => p[1]) };
  };
  const h = csr(hist);
  const t = csr(evalUsers.map((u) => targets.get(u)!));
  const itemTrainUsers = new Uint32Array(items.size);
  for (let k = 0; k < tr.rows; k++) itemTrainUsers[train.item[k]]++;
  const task: RankingTask = {
    nItems: items.size, users: Int32Array.from(evalUsers), historyOffsets: h.offsets, historyItems: h.items, historyRatings: h.ratings,
    targetOffsets: t.offsets, targetItems: t.items, targetRatings: t.ratings, itemTrainUsers, nTrainUsers: users.size,
  };
  return { train, task };
}
