/** Row indices into `Interactions`, ascending. */
export type Rows = Uint32Array;

/** An evaluation part: the history a user vector is folded in from, and the targets to find. */
export interface HoldoutPart {
  history: Rows;
  target: Rows;
}

export interface Split {
  kind: SplitKind;
  seed: number;
  params: Record<string, unknown>;
  /** What models are fitted on. */
  train: Rows;
  valid: HoldoutPart | null;
  test: HoldoutPart;
  manifest: SplitManifest;
  /** Why this split, in a paragraph that reports quote. */
  justification: string;
}

export type SplitKind = "temporal" | "leave-last" | "user-holdout" | "random" | "folds";

export interface PartCounts {
  rows: number;
  users: number;
  items: number;
}

export interface SplitManifest {
  kind: SplitKind;
  seed: number;
  params: Record<string, unknown>;
  dataset: string;
  datasetChecksum: string;
  counts: {
    train: PartCounts;
    valid: { history: PartCounts; target: PartCounts } | null;
    test: { history: PartCounts; target: PartCounts };
  };
  /** Facts a reader should know (cold-start users, rows dropped), per split kind. */
  notes: Record<string, number>;
  /** sha256 over kind, params, seed, dataset checksum and every row list. */
  hash: string;
}
