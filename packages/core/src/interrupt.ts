/**
 * Long loops are synchronous JavaScript, and a signal (Ctrl-C) reaches a Node program only when its
 * event loop turns. Loops that run for seconds call `yieldToEvents()` between blocks (evaluation blocks,
 * epochs), so an interrupt handler runs within one block, not at the end of the run.
 */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
