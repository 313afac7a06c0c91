export * from './llama-model';
export { writeGguf, toF16, GgufType, GgmlType, GGUF_MAGIC } from './gguf-writer';
export type { GgufTensorSpec, GgufValue } from './gguf-writer';
