export * from './llama-model';
export {
  BPE_TOKENIZERS,
  CHAT_TEMPLATES,
  buildBpeVocab,
  type BpeTokenizerName,
  type BpeVocab,
  type ChatTemplateName,
} from './bpe-vocab';
export { writeGguf, toF16, GgufType, GgmlType, GGUF_MAGIC } from './gguf-writer';
export type { GgufTensorSpec, GgufValue } from './gguf-writer';
