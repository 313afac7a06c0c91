// Layout kept: a rewrite laid out like the text it replaces (hard wraps, comment markers, indentation).
export { joinLineBreaks, layoutLike } from './layout';
export { lineFrame, type LineFrame } from './lines';
export { unbreakableWords } from './words';
