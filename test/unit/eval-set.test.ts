// The project's own evaluation set (samples/eval/texts.jsonl, the default of `cpt-writer eval --texts`):
// every line a passage with the fields eval reads, ids unique, the registers the set promises, language ids
// the markup guard knows, and markup that the guard reads the way the passage means it (each \cite, each
// $...$, each link), so a rewrite that drops any of it is caught.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { commentSyntax, extractMarkup, markupFamily, type MarkupFamily, type MarkupToken } from '../../src/core/markup';
import { analyzeComment } from '../../src/core/markup/scan-comment';
import { repoRoot } from '../fixtures/rubrics/paths';

const TEXTS = path.join(repoRoot, 'samples', 'eval', 'texts.jsonl');
const FIELDS = ['id', 'languageId', 'register', 'text'];

/** Each register, the markup family its passages must have, and how many passages it needs at least. */
const REGISTERS: Record<string, { family: MarkupFamily; min: number }> = {
  email: { family: 'plain', min: 3 },
  blog: { family: 'plain', min: 3 },
  academic: { family: 'latex', min: 3 },
  markdown: { family: 'markdown', min: 3 },
  'code-comment': { family: 'comment', min: 3 },
  fiction: { family: 'plain', min: 0 },
  report: { family: 'plain', min: 0 },
  chat: { family: 'plain', min: 0 },
};

interface Passage {
  id: string;
  register: string;
  languageId: string;
  text: string;
}

function readPassages(): Passage[] {
  const lines = readFileSync(TEXTS, 'utf8').split('\n');
  assert.equal(lines.pop(), '', 'the file ends with one newline');
  return lines.map((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      assert.fail(`line ${i + 1} is not JSON: ${(err as Error).message}`);
    }
    assert.ok(value && typeof value === 'object' && !Array.isArray(value), `line ${i + 1} is not an object`);
    const record = value as Record<string, unknown>;
    assert.deepEqual(Object.keys(record).sort(), FIELDS, `line ${i + 1} has exactly the fields ${FIELDS.join(', ')}`);
    for (const f of FIELDS)
      assert.ok(typeof record[f] === 'string' && record[f] !== '', `line ${i + 1}: ${f} is a non-empty string`);
    return record as unknown as Passage;
  });
}

/**
 * A language id the markup guard treats on purpose: a prose family it lists, or a code language whose comments it
 * knows.
 */
function isKnownLanguage(id: string): boolean {
  if (id !== id.toLowerCase() || id === '') return false;
  if (markupFamily(id) !== 'comment') return true;
  return commentSyntax(id) !== commentSyntax('no-such-language-id');
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
const tokens = (p: Passage, kind: MarkupToken['kind']) =>
  extractMarkup(p.text, p.languageId).filter((t) => t.kind === kind);
const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

describe('evaluation set (samples/eval/texts.jsonl)', () => {
  const passages = readPassages();
  const of = (register: string) => passages.filter((p) => p.register === register);

  it('has at least 30 passages with unique kebab-case ids that name their register', () => {
    assert.ok(passages.length >= 30, `${passages.length} passages`);
    const ids = passages.map((p) => p.id);
    assert.deepEqual(
      ids.filter((id, i) => ids.indexOf(id) !== i),
      [],
      'duplicate ids',
    );
    for (const p of passages) {
      assert.match(p.id, /^[a-z]+(-[a-z0-9]+)*$/, p.id);
      assert.ok(p.id.startsWith(`${p.register}-`), `${p.id} starts with its register ${p.register}`);
    }
  });

  it('uses only the listed registers, each of the main ones at least three times', () => {
    for (const p of passages) assert.ok(p.register in REGISTERS, `${p.id}: unknown register ${p.register}`);
    for (const [register, { min }] of Object.entries(REGISTERS)) {
      assert.ok(of(register).length >= min, `${register}: ${of(register).length} passages, at least ${min} wanted`);
    }
    assert.ok(
      of('fiction').length + of('report').length + of('chat').length >= 3,
      'a few fiction, report or chat passages',
    );
  });

  it('gives every passage a language id the markup guard knows, of the family its register needs', () => {
    for (const p of passages) {
      assert.ok(
        isKnownLanguage(p.languageId),
        `${p.id}: language id ${p.languageId} is not one the markup guard knows`,
      );
      assert.equal(
        markupFamily(p.languageId),
        REGISTERS[p.register].family,
        `${p.id}: ${p.languageId} for a ${p.register} passage`,
      );
    }
    assert.ok(
      new Set(of('code-comment').map((p) => p.languageId)).size >= 3,
      'code comments in at least three languages',
    );
  });

  it('keeps every passage short: 40 to 120 words, no surrounding whitespace', () => {
    for (const p of passages) {
      const n = words(p.text);
      assert.ok(n >= 40 && n <= 120, `${p.id}: ${n} words`);
      assert.equal(p.text, p.text.trim(), `${p.id}: surrounding whitespace`);
    }
  });

  it('academic passages carry LaTeX the guard reads whole: math, citations, references, emphasis', () => {
    for (const p of of('academic')) {
      const commands = tokens(p, 'command').map((t) => t.text);
      const cites = commands.filter((c) => /^\\cite[a-z]*\{/.test(c));
      const refs = commands.filter((c) => /^\\ref\{/.test(c));
      assert.equal(cites.length, count(p.text, /\\cite[a-z]*\{/g), `${p.id}: every \\cite read with its keys`);
      assert.equal(refs.length, count(p.text, /\\ref\{/g), `${p.id}: every \\ref read with its label`);
      assert.ok(cites.length >= 1 && refs.length >= 1, `${p.id}: has a \\cite and a \\ref`);
      assert.ok(
        commands.some((c) => c.startsWith('\\emph{')),
        `${p.id}: has an \\emph`,
      );
      const dollars = count(p.text.replace(/\\\$/g, ''), /\$/g);
      assert.ok(dollars >= 2 && dollars % 2 === 0, `${p.id}: inline math in pairs of $`);
      assert.equal(tokens(p, 'math').length, dollars / 2, `${p.id}: every $...$ read as math`);
      assert.equal(count(p.text, /\{/g), count(p.text, /\}/g), `${p.id}: balanced braces`);
      assert.equal(count(p.text, /(^|[^\\])%/g), 0, `${p.id}: no stray % comment`);
    }
  });

  it('Markdown passages carry links, inline code and bold that the guard reads whole', () => {
    for (const p of of('markdown')) {
      const links = tokens(p, 'link');
      assert.ok(links.length >= 1, `${p.id}: has a link`);
      assert.equal(links.length, count(p.text, /\]\(/g), `${p.id}: every [text](url) read as a link`);
      for (const l of links)
        assert.match(
          l.text,
          /\]\(https:\/\/example\.(org|com|net)\//,
          `${p.id}: links point at reserved example domains`,
        );
      const ticks = count(p.text, /`/g);
      assert.ok(ticks >= 2 && ticks % 2 === 0, `${p.id}: backticks in pairs`);
      assert.equal(tokens(p, 'code').length, ticks / 2, `${p.id}: every \`code\` span read as code`);
      assert.ok(count(p.text, /\*\*/g) >= 2 && count(p.text, /\*\*/g) % 2 === 0, `${p.id}: **bold** in pairs`);
    }
  });

  it('code comments are whole comments as they sit in source, every line a comment line', () => {
    for (const p of of('code-comment')) {
      const analysis = analyzeComment(p.text, p.languageId);
      assert.ok(analysis.marked, `${p.id}: starts with a comment marker of ${p.languageId}`);
      const code = analysis.lines.filter((l) => l.kind === 'code');
      assert.deepEqual(
        code.map((l) => l.text),
        [],
        `${p.id}: no line outside the comment`,
      );
      const markers = extractMarkup(p.text, p.languageId).filter((t) => t.kind === 'comment-marker').length;
      assert.equal(markers % 2, 0, `${p.id}: block delimiters open and close`);
    }
  });
});
