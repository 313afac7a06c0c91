// Paragraph structure for "rewrite the paragraph at the cursor", long texts and the context around a
// selection: blocks never cut a fence or an environment, comment blocks in code, capped context.
import assert from 'node:assert/strict';
import { contextAround, paragraphAt, splitBlocks } from '../../src/core/paragraphs';

/** The paragraph at the position of the first `|` (removed from the text). */
function at(marked: string, languageId: string): string | undefined {
  const offset = marked.indexOf('|');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  const range = paragraphAt(text, offset, languageId);
  return range && text.slice(range.start, range.end);
}

describe('paragraphAt', () => {
  it('prose: the lines between blank lines, indentation included, line breaks excluded', () => {
    assert.equal(
      at('First para.\n\n  Second |line one\n  line two.\n\nThird.', 'plaintext'),
      '  Second line one\n  line two.',
    );
    assert.equal(at('One.\n\nTwo|\n', 'plaintext'), 'Two');
    assert.equal(at('|One.\n\nTwo.', 'plaintext'), 'One.');
  });

  it('nothing on a blank line', () => {
    assert.equal(at('One.\n|\nTwo.', 'markdown'), undefined);
    assert.equal(at('One.\n\n  |  \n\nTwo.', 'markdown'), undefined);
  });

  it('Markdown: a fence with blank lines inside is one paragraph, wherever the cursor is in it', () => {
    const doc = 'Intro.\n\n```py\ndef f():\n\n|    return 1\n```\n\nAfter.';
    assert.equal(at(doc, 'markdown'), '```py\ndef f():\n\n    return 1\n```');
    assert.equal(at('Intro.\n\n```py\ndef f():\n\n    return 1\n```\n\n|After.', 'markdown'), 'After.');
  });

  it(
    'LaTeX: an environment with blank lines is not cut, but the document environment does not swallow ' + 'the page',
    () => {
      const doc =
        '\\begin{document}\n\nFirst ' +
        '|para.\n\n\\begin{abstract}\nOne.\n\nTwo.\n\\end{abstract}\n\nLast.\n\\end{document}';
      assert.equal(at(doc, 'latex'), 'First para.');
      const inAbstract = doc.replace('First |para', 'First para').replace('Two.', '|Two.');
      assert.equal(at(inAbstract, 'latex'), '\\begin{abstract}\nOne.\n\nTwo.\n\\end{abstract}');
      // A % comment mentioning \begin does not open anything.
      assert.equal(at('A % see \\begin{x}\n\n|B.', 'latex'), 'B.');
      // Inside verbatim, a \begin is text.
      assert.equal(
        at('\\begin{verbatim}\n\\begin{x}\n\n|y\n\\end{verbatim}\n\nZ.', 'latex'),
        '\\begin{verbatim}\n\\begin{x}\n\ny\n\\end{verbatim}',
      );
    },
  );

  it('reStructuredText: a literal block after :: holds its blank lines', () => {
    const doc = 'Example::\n\n    a = 1\n\n    |b = 2\n\nNext paragraph.';
    assert.equal(at(doc, 'restructuredtext'), 'Example::\n\n    a = 1\n\n    b = 2');
    assert.equal(at('Example::\n\n    a = 1\n\n|Next paragraph.', 'restructuredtext'), 'Next paragraph.');
  });

  it('HTML: a comment with blank lines is one block', () => {
    assert.equal(at('<p>A</p>\n\n<!-- one\n\n|two -->\n\n<p>B</p>', 'html'), '<!-- one\n\ntwo -->');
  });

  it('code: the contiguous comment block, not the code around it', () => {
    const py = 'import os\n\n# Compute the\n# |value.\nx = 1\n';
    assert.equal(at(py, 'python'), '# Compute the\n# value.');
    assert.equal(
      at('int x;\n/**\n * Does a thing.\n *\n * |More.\n */\nint y;', 'c'),
      '/**\n * Does a thing.\n *\n * More.\n */',
    );
    assert.equal(at('x = 1\n|y = 2  # why\n', 'python'), undefined, 'on code, outside its trailing comment');
    assert.equal(at('y = 2  # why |this\n', 'python'), '# why this');
    assert.equal(at('    // one\n    // |two\n\n    // three', 'typescript'), '    // one\n    // two');
  });

  it('a cursor outside the text gives nothing', () => {
    assert.equal(paragraphAt('abc', 10, 'plaintext'), undefined);
    assert.equal(paragraphAt('abc', -1, 'plaintext'), undefined);
  });
});

describe('splitBlocks', () => {
  it('marks blocks holding a construct as atomic and keeps only blank lines between blocks', () => {
    const text = 'A\nB\n\n```\nx\n\ny\n```\n\n\nC';
    const blocks = splitBlocks(text, 'markdown');
    assert.deepEqual(
      blocks.map((b) => [text.slice(b.start, b.end), b.atomic]),
      [
        ['A\nB', false],
        ['```\nx\n\ny\n```', true],
        ['C', false],
      ],
    );
    for (let k = 1; k < blocks.length; k++) assert.equal(text.slice(blocks[k - 1].end, blocks[k].start).trim(), '');
  });

  it('handles CRLF line ends', () => {
    const text = 'One\r\n\r\nTwo\r\n';
    assert.deepEqual(
      splitBlocks(text, 'plaintext').map((b) => text.slice(b.start, b.end)),
      ['One', 'Two'],
    );
  });
});

describe('contextAround', () => {
  const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
  const countWords = (t: string) => (t.trim() ? t.trim().split(/\s+/).length : 0);

  it('takes whole paragraphs nearest the selection that fit the cap', async () => {
    const before = 'Far away paragraph with many words in it.\n\nNear one.\n\nThe start of the selected para ';
    const after = ' rest of it.\n\nNext one here.\n\nMuch later paragraph with several words.';
    const c = await contextAround(before, after, { maxTokens: 9, countTokens: countWords });
    assert.equal(c.before, 'Near one.\n\nThe start of the selected para');
    assert.equal(c.after, 'rest of it.\n\nNext one here.');
  });

  it('cuts the nearest paragraph at a word when even it does not fit, marking the cut', async () => {
    const c = await contextAround(`${words(20)} `, ` ${words(20)}`, { maxTokens: 5, countTokens: countWords });
    assert.equal(c.before, '…w15 w16 w17 w18 w19');
    assert.equal(c.after, 'w0 w1 w2 w3 w4…');
    assert.ok(countWords(c.before) <= 5 && countWords(c.after) <= 5);
  });

  it('gives nothing with a cap of 0 or no text, and accepts an async counter', async () => {
    assert.deepEqual(await contextAround('a b', 'c d', { maxTokens: 0 }), { before: '', after: '' });
    assert.deepEqual(await contextAround('', '  \n', { maxTokens: 50 }), { before: '', after: '' });
    const c = await contextAround('One two.\n\nThree four.', 'Five.', {
      maxTokens: 2,
      countTokens: async (t) => countWords(t),
    });
    assert.deepEqual(c, { before: 'Three four.', after: 'Five.' });
  });

  it('never cuts a fence: a fence that does not fit is cut at a word like any paragraph', async () => {
    const before = '```\ncode line one\n\ncode line two\n```\n\n';
    const c = await contextAround(before, '', { maxTokens: 4, countTokens: countWords, languageId: 'markdown' });
    assert.equal(c.before, '…code line two\n```');
  });
});
