import { z } from "zod";

/** The encoder every sequence model shares: width, depth, heads, window length, dropout (with its defaults). */
function encoderFields(d: { heads: number; maxLength: number; dropout: number }) {
  return {
    family: z.literal("sequence"),
    factors: z.number().int().min(1).default(64),
    blocks: z.number().int().min(1).max(12).default(2),
    heads: z.number().int().min(1).default(d.heads),
    maxLength: z.number().int().min(2).max(2048).default(d.maxLength),
    dropout: z.number().min(0).lt(1).default(d.dropout),
  };
}
const headsDivide: [(c: { factors: number; heads: number }) => boolean, { message: string; path: string[] }] = [
  (c) => c.factors % c.heads === 0,
  { message: "a divisor of model.factors (each head takes factors / heads dimensions)", path: ["heads"] },
];

/**
 * SASRec (Kang & McAuley 2018): causal self-attention over the last `maxLength` items of a user's time-ordered
 * history, learned positions, pre-layer-norm blocks, dropout, tied item embeddings. `loss`: `ce` — full softmax
 * over the catalogue at every position (Klenitskiy & Vasilev 2023, "SASRec+"); `bce` — the original, one sampled
 * negative per position; `sampled` — softmax over the positive and `negatives` sampled items (gSASRec without
 * its calibration).
 */
export const sasRecConfigSchema = z.strictObject({
  ...encoderFields({ heads: 1, maxLength: 200, dropout: 0.2 }),
  variant: z.literal("sasrec"),
  loss: z.enum(["ce", "bce", "sampled"]).default("ce"),
  /**
   * Training sequences per user and epoch: `all` — the history cut into windows of L + 1 items from the most
   * recent back (every transition is a target once, however long the history); `last` — only the last L + 1
   * (the original SASRec).
   */
  windows: z.enum(["all", "last"]).default("all"),
  /** Sampled items per position for `loss: sampled`. */
  negatives: z.number().int().min(1).default(256),
}).refine(...headsDivide);

/**
 * BERT4Rec (Sun et al. 2019): the same encoder without the causal mask, trained on the cloze task — a share
 * `maskProbability` of each window's items replaced by a mask token and predicted by the full softmax over the
 * catalogue; the user vector is the encoder's output at a mask appended after the history.
 */
export const bert4RecConfigSchema = z.strictObject({
  ...encoderFields({ heads: 2, maxLength: 200, dropout: 0.2 }),
  variant: z.literal("bert4rec"),
  maskProbability: z.number().gt(0).lt(1).default(0.2),
  windows: z.enum(["all", "last"]).default("all"),
}).refine(...headsDivide);

/**
 * The content history encoder of write-ups 001 and 003: a transformer over the content vectors of the movies a
 * user rated (genres, year, tag TF-IDF, the genome where the release has it), each token carrying its rating,
 * pooled into a user vector in the space of the items' projected content. `objective`: `softmax` — the held-out
 * movie against the whole catalogue's content vectors; `cosine` — write-up 001's, the vector pointing at the
 * user's highest-rated movie.
 */
export const contentHistoryConfigSchema = z.strictObject({
  ...encoderFields({ heads: 2, maxLength: 100, dropout: 0.1 }),
  variant: z.literal("content-history"),
  objective: z.enum(["softmax", "cosine"]).default("softmax"),
  /** Add each movie's mean training rating and log(1 + training count) to its content (0 and "none" for a new movie). */
  popularity: z.boolean().default(true),
  tags: z.number().int().min(0).default(100),
  genome: z.boolean().default(true),
}).refine(...headsDivide);

export type SasRecConfig = z.infer<typeof sasRecConfigSchema>;
export type ContentHistoryConfig = z.infer<typeof contentHistoryConfigSchema>;
export type Bert4RecConfig = z.infer<typeof bert4RecConfigSchema>;
export const sequenceConfigSchema = z.discriminatedUnion("variant", [sasRecConfigSchema, bert4RecConfigSchema, contentHistoryConfigSchema]);
export type SequenceConfig = SasRecConfig | Bert4RecConfig | ContentHistoryConfig;
/** What the shared encoder reads of either variant. */
export type EncoderConfig = Pick<SasRecConfig, "factors" | "blocks" | "heads" | "maxLength" | "dropout">;
