import { progressBar, type Rng } from "@mle/core";

/** Runs `epochs` passes over rows 0..n-1, each in a fresh seeded shuffle, with a progress bar. */
export function sgdEpochs(label: string, epochs: number, n: number, rng: Rng, visit: (row: number) => void): void {
  const order = new Uint32Array(n);
  const bar = progressBar(label, epochs, { unit: "items" });
  for (let e = 0; e < epochs; e++) {
    for (let k = 0; k < n; k++) order[k] = k;
    rng.shuffle(order);
    for (let k = 0; k < n; k++) visit(order[k]);
    bar.update(e + 1);
  }
  bar.stop();
}
