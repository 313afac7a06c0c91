// Seeded fuzzing of the rubric loader (the rubric-YAML half of issue 15's fuzz test): mutated valid rubrics,
// random text, deep nesting and alias graphs, a few hundred cases from fixed seeds. Nothing may throw, every
// problem has the file and a line and column inside the text, and every rejected input has an error. No
// timing is asserted: each case is bounded by the loader's own limits (size, depth, aliases).
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinRubricsDir, loadRubrics, parseRubric, type RubricProblem } from '../../src/core/rubrics';
import { validRubricLines } from '../fixtures/rubrics/paths';
import { mulberry32 as rng } from '../../src/core/testmodel';

const YAML_BITS = [
  '-',
  ':',
  ' ',
  '  ',
  '\n',
  '\t',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&a',
  '*a',
  '&b ',
  '*b',
  '<<: ',
  '!',
  '!!str ',
  '|',
  '>',
  "'",
  '"',
  '#',
  '%',
  '@',
  '`',
  '?',
  '---\n',
  '...\n',
  '\ufeff',
  '\u0000',
  '\u001b[31m',
  '\\e',
  '\r',
  '\r\n',
  'é',
  '😀',
  '\ud800',
  '9',
  '1e999',
  'null',
  '~',
  'true',
];

function mutate(text: string, next: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
  let s = text;
  const n = 1 + Math.floor(next() * 5);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(next() * (s.length + 1));
    const kind = Math.floor(next() * 6);
    if (kind === 0) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(next() * 20));
    else if (kind === 1) s = s.slice(0, at) + pick(YAML_BITS) + s.slice(at);
    else if (kind === 2) s = s.slice(0, at) + String.fromCharCode(Math.floor(next() * 0x3000)) + s.slice(at);
    else {
      const lines = s.split('\n');
      const a = Math.floor(next() * lines.length);
      const b = Math.floor(next() * lines.length);
      if (kind === 3) lines.splice(b, 0, lines[a]);
      else if (kind === 4) [lines[a], lines[b]] = [lines[b], lines[a]];
      else lines[a] = ' '.repeat(Math.floor(next() * 6)) + lines[a].trimStart();
      s = lines.join('\n');
    }
  }
  return s;
}

function randomText(next: () => number): string {
  const length = Math.floor(next() * 2000);
  let s = '';
  for (let i = 0; i < length; i++)
    s += String.fromCharCode(next() < 0.7 ? 32 + Math.floor(next() * 95) : Math.floor(next() * 0x10000));
  return s;
}

function deepText(next: () => number): string {
  const depth = 20 + Math.floor(next() * 2000);
  const open = ['[', '{a: ', '- ', '{? '][Math.floor(next() * 4)];
  const close = open === '[' ? ']' : open.startsWith('{') ? '}' : '';
  const prefix = next() < 0.5 ? validRubricLines().join('\n') + '\nsummary2: ' : 'summary: ';
  return prefix + open.repeat(depth) + 'x' + close.repeat(next() < 0.8 ? depth : Math.floor(depth / 2));
}

function aliasText(next: () => number): string {
  const lines = validRubricLines();
  const names = ['a', 'b', 'c', 'd'];
  const pick = () => names[Math.floor(next() * names.length)];
  const extra: string[] = [];
  for (let i = 0; i < 4 + Math.floor(next() * 8); i++) {
    const r = next();
    if (r < 0.3)
      extra.push(
        `k${i}: &${pick()} [${Array.from({ length: 1 + Math.floor(next() * 9) }, () => `*${pick()}`).join(', ')}]`,
      );
    else if (r < 0.5) extra.push(`k${i}: &${pick()} { <<: *${pick()}, x${i}: 1 }`);
    else if (r < 0.7) extra.push(`k${i}: &${pick()} text ${i}`);
    else extra.push(`k${i}: &${pick()} { name: N${i}, weight: 50, levels: [1, 2, 3, 4, 5] }`);
  }
  const target = Math.floor(next() * lines.length);
  lines[target] = lines[target].replace(/: .*$/, `: *${pick()}`);
  return [...extra, ...lines].join('\n');
}

function checkProblems(text: string, rubric: unknown, problems: RubricProblem[], file: string, label: string): void {
  const lineCount = text.split(/\r\n?|\n/).length;
  for (const p of problems) {
    assert.equal(p.file, file, label);
    assert.ok(
      Number.isInteger(p.line) && p.line >= 1 && p.line <= lineCount + 1,
      `${label}: line ${p.line} of ${lineCount}: ${p.message}`,
    );
    assert.ok(Number.isInteger(p.col) && p.col >= 1, `${label}: col ${p.col}: ${p.message}`);
    assert.ok(p.message.length > 0 && p.message.length < 1000, `${label}: message of ${p.message.length} characters`);
  }
  if (!rubric)
    assert.ok(
      problems.some((p) => p.severity !== 'warning'),
      `${label}: rejected without an error`,
    );
  assert.ok(problems.length <= 200, `${label}: ${problems.length} problems`);
}

describe('rubric loader fuzz (seeded)', function () {
  this.timeout(120_000);
  const bases = [validRubricLines().join('\n'), readFileSync(path.join(builtinRubricsDir(), 'formality.yaml'), 'utf8')];
  const families: [string, number, (next: () => number) => string][] = [
    ['mutated', 200, (next) => mutate(bases[Math.floor(next() * bases.length)], next)],
    ['random', 60, randomText],
    ['deep', 40, deepText],
    ['aliases', 60, aliasText],
  ];

  for (const [family, cases, make] of families) {
    it(`${family}: ${cases} cases, no throw, every problem positioned`, () => {
      let rejected = 0;
      for (let seed = 1; seed <= cases; seed++) {
        const text = make(rng(seed * 7919 + family.length));
        const label = `${family} seed ${seed}`;
        const { rubric, problems } = parseRubric(text, 'fuzz.yaml');
        checkProblems(text, rubric, problems, 'fuzz.yaml', label);
        if (!rubric) rejected++;
      }
      // The generators must actually reach the error paths.
      assert.ok(rejected >= cases / 4, `${family}: only ${rejected} of ${cases} rejected`);
    });
  }

  it('random bytes and mutated rubrics on disk: every file is a rubric or a positioned problem', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-rubric-fuzz-'));
    try {
      const next = rng(424242);
      for (let i = 0; i < 40; i++) {
        const bytes =
          i % 2 === 0
            ? Buffer.from(Array.from({ length: Math.floor(next() * 3000) }, () => Math.floor(next() * 256)))
            : Buffer.from(mutate(bases[0].replace('sample', `f${i}`), next));
        await fs.writeFile(path.join(dir, `f${String(i).padStart(2, '0')}.yaml`), bytes);
      }
      const { rubrics, problems } = await loadRubrics({ extraDirs: [dir], includeBuiltin: false });
      const files = new Set(problems.filter((p) => p.severity !== 'warning').map((p) => p.file));
      for (const r of rubrics) files.add(r.source.file);
      for (let i = 0; i < 40; i++)
        assert.ok(
          files.has(path.join(dir, `f${String(i).padStart(2, '0')}.yaml`)),
          `file ${i} neither loaded nor reported`,
        );
      for (const p of problems) assert.ok(p.line >= 1 && p.col >= 1, `${p.file}: ${p.line}:${p.col}`);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
