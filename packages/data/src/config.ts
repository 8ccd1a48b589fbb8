import { z } from "zod";
import { RELEASE_NAMES } from "./registry.ts";

/** The `data:` section of an experiment config. */
export const dataConfigSchema = z.strictObject({
  dataset: z.enum(RELEASE_NAMES as [string, ...string[]]),
  /** Folder with `<dataset>.zip` or `<dataset>/`; overrides $MOVIELENS_MIRROR. */
  mirror: z.string().optional(),
  cacheDir: z.string().optional(),
  feedback: z
    .discriminatedUnion("kind", [
      z.strictObject({ kind: z.literal("explicit") }),
      z.strictObject({ kind: z.literal("implicit"), minRating: z.number().min(0).max(5).default(0) }),
    ])
    .default({ kind: "explicit" }),
  kCore: z.strictObject({ users: z.number().int().min(0).default(0), items: z.number().int().min(0).default(0) }).default({ users: 0, items: 0 }),
  duplicates: z.enum(["keep-last", "keep-first", "error"]).default("keep-last"),
});
export type DataConfig = z.infer<typeof dataConfigSchema>;
