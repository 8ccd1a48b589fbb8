/** A titled plain-text table: first column left-aligned, the rest right-aligned. */
export function printTable(title: string, head: string[], rows: string[][]): void {
  const w = head.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? "").length)));
  const fmt = (r: string[]) => r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join("  ");
  console.log(`\n${title}\n${fmt(head)}`);
  for (const r of rows) console.log(fmt(r));
}
