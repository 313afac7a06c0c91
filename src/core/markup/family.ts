// Which markup a document's language carries, and the comment syntax of code languages.
import type { MarkupFamily } from './types';

const FAMILIES: Record<string, MarkupFamily> = {
  markdown: 'markdown',
  mdx: 'markdown',
  quarto: 'markdown',
  rmd: 'markdown',
  latex: 'latex',
  tex: 'latex',
  context: 'latex',
  doctex: 'latex',
  'latex-expl3': 'latex',
  bibtex: 'latex',
  html: 'html',
  xhtml: 'html',
  xml: 'html',
  svg: 'html',
  restructuredtext: 'rst',
  plaintext: 'plain',
  text: 'plain',
  '': 'plain',
  asciidoc: 'plain',
};

/** The markup family of a VS Code language id; any language not listed is code, whose comments are rewritten. */
export function markupFamily(languageId: string | undefined): MarkupFamily {
  return FAMILIES[(languageId ?? '').toLowerCase()] ?? 'comment';
}

export interface CommentSyntax {
  /** Line-comment markers, longest first (so `///` wins over `//`). */
  line: string[];
  /** Block delimiters as [open, close] pairs. */
  block: [string, string][];
}

const C_LIKE: CommentSyntax = { line: ['///', '//!', '//'], block: [['/*', '*/']] };
const HASH: CommentSyntax = { line: ['##', '#'], block: [] };
const SYNTAX: Record<string, CommentSyntax> = {
  python: {
    line: ['##', '#'],
    block: [
      ['"""', '"""'],
      ["'''", "'''"],
    ],
  },
  ruby: { line: ['##', '#'], block: [['=begin', '=end']] },
  perl: HASH,
  shellscript: HASH,
  r: HASH,
  yaml: HASH,
  toml: HASH,
  dockerfile: HASH,
  makefile: HASH,
  powershell: { line: ['#'], block: [['<#', '#>']] },
  coffeescript: HASH,
  julia: HASH,
  elixir: HASH,
  nim: HASH,
  properties: { line: ['#', '!'], block: [] },
  ini: { line: [';', '#'], block: [] },
  lua: { line: ['--'], block: [['--[[', ']]']] },
  sql: { line: ['--'], block: [['/*', '*/']] },
  haskell: { line: ['--'], block: [['{-', '-}']] },
  elm: { line: ['--'], block: [['{-', '-}']] },
  ada: { line: ['--'], block: [] },
  lisp: { line: [';;', ';'], block: [] },
  clojure: { line: [';;', ';'], block: [] },
  scheme: { line: [';;', ';'], block: [] },
  matlab: { line: ['%%', '%'], block: [['%{', '%}']] },
  erlang: { line: ['%%', '%'], block: [] },
  prolog: { line: ['%'], block: [['/*', '*/']] },
  vim: { line: ['"'], block: [] },
  bat: { line: ['REM', '::'], block: [] },
  css: { line: [], block: [['/*', '*/']] },
  php: { line: ['//', '#'], block: [['/*', '*/']] },
};
const GENERIC: CommentSyntax = { line: ['///', '//', '##', '#', '--', ';;', ';', '%'], block: [['/*', '*/']] };
const C_LANGUAGES = [
  'c',
  'cpp',
  'csharp',
  'java',
  'javascript',
  'typescript',
  'javascriptreact',
  'typescriptreact',
  'go',
  'rust',
  'swift',
  'kotlin',
  'scala',
  'dart',
  'objective-c',
  'objective-cpp',
  'groovy',
  'jsonc',
  'scss',
  'less',
  'cuda-cpp',
  'hlsl',
  'glsl',
  'zig',
  'proto3',
  'solidity',
];

/** The comment syntax of a code language; an unknown language accepts the common markers. */
export function commentSyntax(languageId: string | undefined): CommentSyntax {
  const id = (languageId ?? '').toLowerCase();
  if (C_LANGUAGES.includes(id)) return C_LIKE;
  return SYNTAX[id] ?? GENERIC;
}
