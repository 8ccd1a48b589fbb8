import type { RankingTask } from "@mle/core";

/** 1 for the items with at most `maxTrainRatings` training interactions: the candidates cold targets are ranked among. */
export function coldItemMask(task: RankingTask, maxTrainRatings: number): Uint8Array {
  return Uint8Array.from(task.itemTrainUsers, (count) => (count <= maxTrainRatings ? 1 : 0));
}

/**
 * The task restricted to cold targets: items with at most `maxTrainRatings` training interactions
 * (`itemTrainUsers`). Histories are unchanged — the user's whole history folds in and stays excluded —
 * and users left with no cold target are dropped. What cold-start models (content) are measured on.
 */
export function coldTargetsTask(task: RankingTask, maxTrainRatings: number): RankingTask {
  const keptUsers: number[] = [];
  const histOffsets = [0];
  const targetOffsets = [0];
  const hItems: number[] = [];
  const hRatings: number[] = [];
  const hTimes: number[] = [];
  const tItems: number[] = [];
  const tRatings: number[] = [];
  for (let u = 0; u < task.users.length; u++) {
    const before = tItems.length;
    for (let j = task.targetOffsets[u]; j < task.targetOffsets[u + 1]; j++) {
      const i = task.targetItems[j];
      if (task.itemTrainUsers[i] <= maxTrainRatings) tItems.push(i), tRatings.push(task.targetRatings[j]);
    }
    if (tItems.length === before) continue;
    keptUsers.push(task.users[u]);
    for (let j = task.historyOffsets[u]; j < task.historyOffsets[u + 1]; j++) hItems.push(task.historyItems[j]), hRatings.push(task.historyRatings[j]), hTimes.push(task.historyTimestamps[j]);
    histOffsets.push(hItems.length);
    targetOffsets.push(tItems.length);
  }
  return {
    ...task, users: Int32Array.from(keptUsers),
    historyOffsets: Uint32Array.from(histOffsets), historyItems: Int32Array.from(hItems), historyRatings: Float32Array.from(hRatings), historyTimestamps: Uint32Array.from(hTimes),
    targetOffsets: Uint32Array.from(targetOffsets), targetItems: Int32Array.from(tItems), targetRatings: Float32Array.from(tRatings),
  };
}
