/** Plain-text tables and numbers for terminal output. */
export const int = (n: number): string => n.toLocaleString("en-US");
export const pct = (x: number, digits = 2): string => `${(100 * x).toFixed(digits)}%`;

/** Columns are right-aligned except those marked "l" (the first one by default). */
export function table(header: string[], rows: (string | number)[][], align: ("l" | "r")[] = ["l"]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === "number" ? int(c) : c)))];
  const width = header.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? "").length)));
  const line = (r: string[]) => r.map((c, j) => ((align[j] ?? "r") === "l" ? c.padEnd(width[j]) : c.padStart(width[j]))).join("  ").trimEnd();
  return [line(cells[0]), width.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}
