export { Params, take, type Init } from "./params.ts";
export { dense, layerNorm, dropout, causalMask, selfAttention, embed, type AttentionWeights } from "./layers.ts";
export { chunkedSoftmaxCrossEntropy, multinomialNll } from "./losses.ts";
export { AdamW, clipByGlobalNorm, type AdamWOptions } from "./optim.ts";
export { tf } from "../backend.ts";
