/**
 * Catalogue coverage@K: the share of all items that appear in at least one evaluated user's top K.
 * A property of the whole recommendation run, not of one user.
 */
export class CoverageCounter {
  private readonly seen: Uint8Array;
  private count = 0;
  constructor(readonly nItems: number) {
    this.seen = new Uint8Array(nItems);
  }
  add(items: Int32Array, length: number, k: number): void {
    const n = Math.min(k, length);
    for (let r = 0; r < n; r++) {
      if (!this.seen[items[r]]) {
        this.seen[items[r]] = 1;
        this.count++;
      }
    }
  }
  coverage(): number {
    return this.count / this.nItems;
  }
}
