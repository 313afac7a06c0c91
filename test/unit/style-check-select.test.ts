// The style check's paragraph selection per language (prose only: no front matter, code, math, tables or
// headings) and its judgement cache (memory and disk, keyed by everything that changes a judgement).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckCache, cacheKey, proseParagraphs, type CacheKeyParts } from '../../src/core/check';

const texts = (doc: string, languageId: string) => proseParagraphs(doc, languageId).map((p) => p.text);

describe('style check: prose paragraphs', () => {
  it('Markdown: front matter, headings, fences, indented code, math, tables and link definitions are left out', () => {
    const doc = [
      '---',
      'title: A post about many things',
      '',
      'tags: [one, two, three]',
      '---',
      '# The heading of the post',
      'The first paragraph sits right under its heading and is prose.',
      '',
      '```js',
      'const words = "this looks like prose but is code";',
      '',
      'const more = "still code after a blank line";',
      '```',
      '',
      '    indented code with several words in it',
      '',
      '$$',
      'a + b = c and other words here',
      '$$',
      '',
      '| one column | two column |',
      '| --- | --- |',
      '| some words here | and more words |',
      '',
      'Setext heading with words',
      '=========================',
      '',
      '[ref]: https://example.org/some/path',
      '',
      'The last paragraph spans',
      'two lines of text.',
      '',
    ].join('\n');
    const ps = proseParagraphs(doc, 'markdown');
    assert.deepEqual(
      ps.map((p) => p.text),
      [
        'The first paragraph sits right under its heading and is prose.',
        'The last paragraph spans\ntwo lines of text.',
      ],
    );
    assert.deepEqual(
      ps.map((p) => [p.line, p.endLine]),
      [
        [7, 7],
        [30, 31],
      ],
    );
    for (const p of ps) assert.equal(doc.slice(p.start, p.end), p.text);
  });

  it('LaTeX: the preamble, sectioning commands, environments and display math are left out', () => {
    const doc = [
      '\\documentclass{article}',
      '\\usepackage{amsmath}',
      '\\title{A title with several words}',
      '\\begin{document}',
      '\\maketitle',
      '',
      '\\section{Introduction}',
      'We study the problem of $x$ in some depth here.',
      '',
      '\\begin{equation}',
      '  E = mc^2 \\quad \\text{with words inside}',
      '\\end{equation}',
      '',
      '\\[ a = b \\text{ and more words here } \\]',
      '',
      '% a comment with enough words in it',
      'A closing paragraph of the paper.',
      '\\end{document}',
    ].join('\n');
    assert.deepEqual(texts(doc, 'latex'), [
      'We study the problem of $x$ in some depth here.',
      'A closing paragraph of the paper.',
    ]);
  });

  it('reStructuredText: titles, directives, literal blocks and tables are left out', () => {
    const doc = [
      '=============',
      'Document title',
      '=============',
      '',
      'Section heading here',
      '--------------------',
      '',
      'A paragraph of prose in the section.',
      '',
      '.. note::',
      '',
      '   A note body with words in it.',
      '',
      '+------------+------------+',
      '| cell words | more words |',
      '+------------+------------+',
      '',
      'The end of the document is prose too.',
    ].join('\n');
    assert.deepEqual(texts(doc, 'restructuredtext'), [
      'A paragraph of prose in the section.',
      'The end of the document is prose too.',
    ]);
  });

  it('plain text: paragraphs between blank lines; short lines and numbers are not prose', () => {
    assert.deepEqual(
      texts('Hello there, dear reader.\n\n42\n\nSigned: Me\n\nA second paragraph here.\n', 'plaintext'),
      ['Hello there, dear reader.', 'A second paragraph here.'],
    );
  });

  it('code: each comment block, judged without its markers; code and tool directives are left out', () => {
    const doc = [
      '#!/usr/bin/env python3',
      'import os',
      '',
      '# Reads the settings from the environment',
      '# and falls back to defaults.',
      'def settings():',
      '    """Return the settings as a plain dictionary."""',
      '    return dict(os.environ)  # the whole environment, as it is',
      '',
      '# noqa: E501',
    ].join('\n');
    const ps = proseParagraphs(doc, 'python');
    assert.deepEqual(
      ps.map((p) => p.text),
      [
        'Reads the settings from the environment\nand falls back to defaults.',
        'Return the settings as a plain dictionary.',
      ],
    );
    assert.deepEqual(
      ps.map((p) => p.line),
      [4, 7],
    );
    const ts = '/**\n * Adds two numbers and returns\n * their sum.\n */\nfunction add(a, b) {}\n';
    assert.deepEqual(texts(ts, 'typescript'), ['Adds two numbers and returns\ntheir sum.']);
  });

  it('empty and prose-free documents give no paragraphs', () => {
    assert.deepEqual(proseParagraphs('', 'markdown'), []);
    assert.deepEqual(proseParagraphs('\n\n  \n', 'plaintext'), []);
    assert.deepEqual(proseParagraphs('# Title\n\n```\ncode here and there\n```\n', 'markdown'), []);
    assert.deepEqual(proseParagraphs('int main() { return 0; }\n', 'c'), []);
  });

  it('Windows line endings give the same paragraphs and lines', () => {
    const unix = '# Title\nA paragraph with enough words.\n\nAnother paragraph with words.\n';
    const crlf = unix.replace(/\n/g, '\r\n');
    assert.deepEqual(texts(crlf, 'markdown'), texts(unix, 'markdown'));
    assert.deepEqual(
      proseParagraphs(crlf, 'markdown').map((p) => p.line),
      [2, 4],
    );
  });
});

describe('style check: cache', () => {
  const parts: CacheKeyParts = {
    text: 'A paragraph.',
    rubricHash: 'abc',
    judge: 'model.gguf:100:5',
    promptVersion: 1,
    critiqueChars: 300,
    temperature: 0,
  };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-check-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the key changes with every part that changes a judgement', () => {
    const k = cacheKey(parts);
    assert.equal(cacheKey({ ...parts }), k);
    for (const change of [
      { text: 'A paragraph!' },
      { rubricHash: 'abd' },
      { judge: 'model.gguf:100:6' },
      { promptVersion: 2 },
      { critiqueChars: 40 },
      { temperature: 0.5 },
      { context: 'auto' },
    ])
      assert.notEqual(cacheKey({ ...parts, ...change }), k, JSON.stringify(change));
  });

  it('persists to disk: a new cache on the same folder finds the judgement', async () => {
    const key = cacheKey(parts);
    await new CheckCache(dir).set(key, { kind: 'score', score: 72, critique: 'Formal.' });
    const fresh = new CheckCache(dir);
    assert.deepEqual(await fresh.get(key), { kind: 'score', score: 72, critique: 'Formal.' });
    assert.equal(await fresh.get(cacheKey({ ...parts, text: 'other' })), undefined);
    assert.equal(await new CheckCache().get(key), undefined);
  });

  it('a malformed, foreign or oversized file is a miss, not an error', async () => {
    const key = cacheKey(parts);
    const cache = new CheckCache(dir);
    await cache.set(key, { kind: 'score', score: 10, critique: '' });
    const sub = path.join(dir, key.slice(0, 2));
    const file = path.join(sub, readdirSync(sub)[0]);
    for (const body of [
      'not json',
      JSON.stringify({ key, outcome: { kind: 'score', score: 101, critique: '' } }),
      JSON.stringify({ key: 'other', outcome: { kind: 'score', score: 5, critique: '' } }),
      JSON.stringify({ key, outcome: { kind: 'score', score: 5, critique: 'x'.repeat(20_000) } }),
    ]) {
      writeFileSync(file, body);
      assert.equal(await new CheckCache(dir).get(key), undefined, body.slice(0, 60));
    }
  });
});
