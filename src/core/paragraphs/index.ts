// Paragraphs of a document: the blocks a text is made of (never cutting a fence or an environment), the
// paragraph at the cursor, and the read-only context around a selection.
export { splitBlocks, type Block, type TextRange } from './blocks';
export { paragraphAt } from './paragraph-at';
export {
  contextAround,
  estimateTokenCount,
  DEFAULT_CONTEXT_TOKENS,
  type CountTokens,
  type ContextOptions,
} from './context';
