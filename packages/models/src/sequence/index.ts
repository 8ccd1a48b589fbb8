import type { ModelState } from "@mle/core";
import { Params } from "../engine/nn/index.ts";
import { trainingSchema, type TrainingConfig } from "../engine/training.ts";
import type { ModelFamily, ModelNotes } from "../family.ts";
import { sequenceConfigSchema, type Bert4RecConfig, type ContentHistoryConfig, type SasRecConfig, type SequenceConfig } from "./config.ts";
import { bert4RecModel, fitBert4Rec } from "./bert4rec.ts";
import { contentHistoryModel, fitContentHistory } from "./content-history.ts";
import { fitSasRec, sasRecModel } from "./sasrec.ts";

const training = trainingSchema({ epochs: 200, learningRate: 1e-3, batchSize: 128, earlyStopping: { patience: 20 } });

function sasNotes(c: SasRecConfig, t: TrainingConfig): ModelNotes {
  return {
    architecture: `SASRec (Kang & McAuley 2018): the user's last ${c.maxLength} items in time order, item embeddings × √d plus learned positions, ${c.blocks} pre-layer-norm blocks of ${c.heads}-head causal self-attention and a ReLU feed-forward (dropout ${c.dropout}), a final layer norm. The item vectors are the (tied) input embeddings; a user's vector is the encoder's output at the last position, so ranking by dot product is the model's own next-item score and any history folds in with one forward pass.`,
    why: "Attention over order: what a user watched last says most about what comes next, and self-attention learns which earlier items matter for each position instead of a fixed window. Trained with the full softmax over the catalogue, SASRec matches or beats BERT4Rec (Klenitskiy & Vasilev 2023); the original one-negative BCE is kept to show the gap.",
    training: `${c.loss === "ce" ? "Full softmax cross-entropy over the whole catalogue at every position (computed in chunks of rows when the logits would not fit)" : c.loss === "bce" ? "Binary cross-entropy with one sampled unseen item per position (the original)" : `Softmax over the true next item and ${c.negatives} sampled unseen items per position`}, averaged over real (unpadded) positions; each epoch ${c.windows === "all" ? `every user's history, cut into windows of ${c.maxLength + 1} items from the latest back, gives` : `every user's last ${c.maxLength + 1} training items give`} (prefix, next item) pairs, the causal mask keeping each prediction from seeing later items. Adam (learning rate ${t.learningRate}) in batches of ${t.batchSize} windows, at most ${t.epochs} epochs${t.earlyStopping?.patience ? `; with a validation part, training stops after ${t.earlyStopping.patience} epochs without improvement and keeps the best epoch's weights` : ""}.`,
  };
}

function bertNotes(c: Bert4RecConfig, t: TrainingConfig): ModelNotes {
  return {
    architecture: `BERT4Rec (Sun et al. 2019): the user's last ${c.maxLength} items in time order through the same encoder as SASRec (${c.blocks} pre-layer-norm blocks, ${c.heads} heads, d = ${c.factors}, dropout ${c.dropout}) but bidirectional — every position sees the whole window. A user's vector is the output at a mask token appended after their last ${c.maxLength - 1} items; the item vectors are the tied embeddings, so the dot product is the model's own cloze prediction.`,
    why: "The masked-item (cloze) objective trains every position to use context on both sides. The reproducibility literature (Petrov & Macdonald 2022) found it needs long training to reach its published numbers, and Klenitskiy & Vasilev (2023) that SASRec with the same full softmax beats it: it is here to check that ordering on our data.",
    training: `Each epoch, every window of ${c.maxLength} items has each position masked with probability ${c.maskProbability} (at least one per window); the masked items are predicted by the full softmax over the catalogue. Adam (learning rate ${t.learningRate}) in batches of ${t.batchSize} windows, at most ${t.epochs} epochs${t.earlyStopping?.patience ? `; with a validation part, training stops after ${t.earlyStopping.patience} epochs without improvement and keeps the best epoch's weights` : ""}.`,
  };
}

function contentNotes(c: ContentHistoryConfig, t: TrainingConfig): ModelNotes {
  return {
    architecture: `The content history encoder of write-ups 001 and 003: each movie the user rated is a token — its standardised content (genres, year${c.popularity ? ", mean training rating, log training count" : ""}${c.tags ? `, its ${c.tags} most-applied tags as TF-IDF` : ""}${c.genome ? ", the tag genome where the release has it" : ""}) projected to d = ${c.factors}, plus its rating times a learned vector — through ${c.blocks} bidirectional attention blocks (${c.heads} heads, dropout ${c.dropout}), averaged over the last ${c.maxLength} movies into the user vector. Items are their projected content, so the user vector lives in the item content space; ${c.objective === "cosine" ? "compared by cosine" : "compared by dot product"}.`,
    why: "No embedding belongs to a movie id or a user id: a movie nobody rated and a user never seen are served like any other, and the tag text the write-ups encoded with a pretrained BERT enters as tag features learned from scratch (no model hub is reachable here).",
    training: `${c.objective === "cosine" ? "Write-up 001's objective: the user's highest-rated movie (the latest of ties) is held out of the input and the loss is 1 − cos(user vector, its vector)" : "Each epoch one movie per user is held out of the input and predicted by the softmax over the whole catalogue's projected content"}; Adam (learning rate ${t.learningRate}) in batches of ${t.batchSize} users, at most ${t.epochs} epochs${t.earlyStopping?.patience ? `; with a validation part, training stops after ${t.earlyStopping.patience} epochs without improvement and keeps the best epoch's weights` : ""}.`,
  };
}

/** Sequence models over a user's time-ordered history: SASRec (full softmax, BCE or sampled softmax) and BERT4Rec. */
export const sequenceFamily: ModelFamily<SequenceConfig, ModelState> = {
  family: "sequence",
  summary: "transformers over the history: SASRec, BERT4Rec, the content history encoder",
  config: sequenceConfigSchema,
  training: () => training,
  describe: (c) => (c.variant === "bert4rec" ? `BERT4Rec (d = ${c.factors}, L = ${c.maxLength})` : c.variant === "content-history" ? `content history encoder (${c.objective}, d = ${c.factors})` : `SASRec-${c.loss.toUpperCase()} (d = ${c.factors}, L = ${c.maxLength})`),
  notes: (c, t) => (c.variant === "bert4rec" ? bertNotes(c, t) : c.variant === "content-history" ? contentNotes(c, t) : sasNotes(c, t)),
  fit: (train, c, ctx) => (c.variant === "bert4rec" ? fitBert4Rec(train, c, ctx) : c.variant === "content-history" ? fitContentHistory(train, c, ctx) : fitSasRec(train, c, ctx)),
  restore: (s, c) => {
    if (c.variant === "content-history") return contentHistoryModel(s, c);
    const p = Params.fromState(s);
    return c.variant === "bert4rec" ? bert4RecModel(p, c, p.get("item").shape[0] - 2) : sasRecModel(p, c, p.get("item").shape[0] - 1);
  },
  examples: [
    { family: "sequence", variant: "sasrec", factors: 8, blocks: 1, maxLength: 6 },
    { family: "sequence", variant: "sasrec", factors: 8, blocks: 1, maxLength: 6, loss: "bce" },
    { family: "sequence", variant: "bert4rec", factors: 8, blocks: 1, heads: 2, maxLength: 6 },
    { family: "sequence", variant: "content-history", factors: 8, blocks: 1, heads: 2, maxLength: 6, tags: 0 },
    { family: "sequence", variant: "content-history", factors: 8, blocks: 1, heads: 2, maxLength: 6, tags: 0, objective: "cosine" },
  ],
};
