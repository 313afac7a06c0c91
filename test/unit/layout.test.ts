// Layout kept: a proposal laid out like its original. Each case names the exact text expected, and every
// case also checks that the wording comes out word for word (only whitespace and prefixes may change).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { layoutLike } from '../../src/core/layout';

const root = path.resolve(__dirname, '..', '..', '..');
const words = (s: string, strip: RegExp = /^$/) =>
  s
    .split('\n')
    .map((l) => l.replace(strip, ''))
    .join(' ')
    .split(/\s+/)
    .filter(Boolean);
const maxWidth = (s: string) => Math.max(...s.split('\n').map((l) => l.length));

describe('layoutLike', () => {
  it('Markdown: the blog post paragraph (98, 99, 55 characters) is re-wrapped at its own width', () => {
    const lines = readFileSync(path.join(root, 'samples', 'blog-post.md'), 'utf8').split('\n');
    const original = lines.slice(9, 12).join('\n');
    assert.deepEqual(
      original.split('\n').map((l) => l.length),
      [98, 99, 55],
    );
    const proposal =
      'We keep a running changelog beside the code. Whoever lands a change adds one line saying what ' +
      'changed and why it matters to people outside the team. Each week a rotating editor trims the list ' +
      'and posts it in the team channel, so nobody has to write a report on a Friday afternoon.';
    const laid = layoutLike(original, proposal, 'markdown');
    assert.equal(
      laid,
      'We keep a running changelog beside the code. Whoever lands a change adds one line saying what\n' +
        'changed and why it matters to people outside the team. Each week a rotating editor trims the list\n' +
        'and posts it in the team channel, so nobody has to write a report on a Friday afternoon.',
    );
    assert.ok(maxWidth(laid) <= 99);
    assert.deepEqual(words(laid), words(proposal));
    // Greedy: no line could have taken the next line's first word.
    const out = laid.split('\n');
    for (let i = 0; i + 1 < out.length; i++) assert.ok(out[i].length + 1 + out[i + 1].split(' ')[0].length > 99);
  });

  it("the same original and proposal give the same text, whatever the proposal's own line breaks", () => {
    const original = 'One two three four five six seven\neight nine ten eleven twelve.';
    const a = layoutLike(original, 'Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu.', 'plaintext');
    const b = layoutLike(
      original,
      'Alpha beta gamma\ndelta epsilon zeta eta theta\niota kappa lambda mu.',
      'plaintext',
    );
    assert.equal(a, b);
    // The original's widest line has 33 characters.
    assert.equal(a, 'Alpha beta gamma delta epsilon\nzeta eta theta iota kappa lambda\nmu.');
  });

  it('LaTeX: a \\cite{…} near the margin is never broken, and \\cite stays with its key', () => {
    const original =
      'Controllable generation has a long history in language\n' +
      'modelling, from control codes to plug-and-play methods.';
    const proposal =
      'Controllable text generation has a long history, from the control codes of \\cite{keskar2019ctrl, ' +
      'dathathri2020plug} to later methods.';
    const laid = layoutLike(original, proposal, 'latex');
    assert.equal(
      laid,
      'Controllable text generation has a long history, from\n' +
        'the control codes of\n' +
        '\\cite{keskar2019ctrl, dathathri2020plug} to later\n' +
        'methods.',
    );
    assert.ok(laid.includes('\\cite{keskar2019ctrl, dathathri2020plug}'));
  });

  it("a // comment block: markers and indentation put back, re-wrapped at the block's width", () => {
    const original =
      '    // Reads the whole file before parsing, because the parser needs to\n' +
      '    // look ahead across line breaks; see `parseAll` for the limits.';
    const proposal =
      'The whole file is read before parsing since the parser looks ahead across line breaks. ' +
      'See `parseAll` for the limits.';
    const laid = layoutLike(original, proposal, 'typescript');
    assert.equal(
      laid,
      '    // The whole file is read before parsing since the parser looks\n' +
        '    // ahead across line breaks. See `parseAll` for the limits.',
    );
    assert.ok(maxWidth(laid) <= maxWidth(original));
    // A proposal that kept its markers (on other line breaks) comes out the same.
    const marked =
      '// The whole file is read before parsing since the parser\n' +
      '// looks ahead across line breaks. See `parseAll` for the limits.';
    assert.equal(layoutLike(original, marked, 'typescript'), laid);
  });

  it('a /** … */ block keeps its frame and its * lines', () => {
    const original = '/**\n * Opens the log for appending and\n * creates it when missing.\n */';
    const proposal = '/**\n * Opens the log to append to it, creating the file when it does not exist yet.\n */';
    assert.equal(
      layoutLike(original, proposal, 'javascript'),
      '/**\n * Opens the log to append to it,\n * creating the file when it does\n * not exist yet.\n */',
    );
  });

  it('Python # comments and a blank comment line between paragraphs', () => {
    const original = '# First part of the note that\n# wraps here.\n#\n# Second part.';
    const proposal = '# The first part of the note, which wraps.\n#\n# The second part.';
    assert.equal(
      layoutLike(original, proposal, 'python'),
      '# The first part of the note,\n# which wraps.\n#\n# The second part.',
    );
  });

  it('a list: markers kept, long items wrapped with a hanging indent, blank lines kept', () => {
    const original =
      'Three things changed:\n\n- The changelog is written when the details are fresh, not\n' +
      '  reconstructed on a Friday.\n' +
      '- Readers get one digest.';
    const proposal =
      'Three things changed:\n\n- The changelog gets written while the details are still fresh rather than ' +
      'pieced together on a Friday.\n- Readers get a single digest.\n- Newcomers can read the history.';
    const laid = layoutLike(original, proposal, 'markdown');
    assert.equal(
      laid,
      'Three things changed:\n\n' +
        '- The changelog gets written while the details are still\n' +
        '  fresh rather than pieced together on a Friday.\n' +
        '- Readers get a single digest.\n' +
        '- Newcomers can read the history.',
    );
    assert.deepEqual(words(laid), words(proposal));
  });

  it('Markdown: a link with spaces in its text and `inline code` are never broken', () => {
    const original = 'A short paragraph that was\nwrapped at thirty.';
    const proposal = 'See [the project guide on wrapping](https://example.org/guide) and `npm run build --watch` now.';
    const laid = layoutLike(original, proposal, 'markdown');
    assert.equal(
      laid,
      'See\n[the project guide on wrapping](https://example.org/guide)\nand\n`npm run build --watch`\nnow.',
    );
  });

  it('a one-line original gives a one-line proposal', () => {
    const original = 'The cache is cleared on every restart.';
    assert.equal(
      layoutLike(original, 'The cache is emptied\nwhenever the server\nrestarts.', 'markdown'),
      'The cache is emptied whenever the server restarts.',
    );
    const long = 'word '.repeat(60).trim();
    assert.equal(layoutLike(original, long, 'markdown'), long);
  });

  it('one sentence a line stays one sentence a line', () => {
    const original = 'The first sentence is short.\nThe second one is a little longer than that.';
    assert.equal(
      layoutLike(
        original,
        'Sentence one is brief. Sentence two runs on for a while, longer than the first.',
        'markdown',
      ),
      'Sentence one is brief.\nSentence two runs on for a while, longer than the first.',
    );
  });

  it('never starts a line with what Markdown would read as a list marker or a heading', () => {
    const original = 'aaaa bbbb cccc\ndddd.';
    const laid = layoutLike(original, 'aaaa bbbb cccc - dddd # eeee', 'markdown');
    for (const line of laid.split('\n')) assert.doesNotMatch(line, /^(?:-|#) /);
    assert.deepEqual(words(laid), words('aaaa bbbb cccc - dddd # eeee'));
  });

  it("keeps the outer whitespace of the proposal and the original's indentation", () => {
    const original = '\n  Indented paragraph that\n  wraps at a narrow width.\n';
    const laid = layoutLike(original, '\n  An indented paragraph, wrapping at a narrow width.\n', 'markdown');
    assert.equal(laid, '\n  An indented paragraph,\n  wrapping at a narrow\n  width.\n');
  });

  it('a selection that starts inside a line keeps its first line and indents the rest', () => {
    const original = 'starts mid-line and goes\n    on to an indented line.';
    assert.equal(
      layoutLike(original, 'begins in the middle of a line and continues onto the next', 'markdown'),
      'begins in the middle of a\n    line and continues onto\n    the next',
    );
  });

  it('leaves alone what it cannot lay out safely: a fence, \\begin, a code line among comments', () => {
    const fence = 'Text before\n```\ncode\n```';
    assert.equal(layoutLike(fence, 'Text\nbefore\n```\ncode\n```', 'markdown'), 'Text\nbefore\n```\ncode\n```');
    const env = 'Some text here\n\\begin{itemize}\n\\item one\n\\end{itemize}';
    const p = 'Some text\n\\begin{itemize}\n\\item one two\n\\end{itemize}';
    assert.equal(layoutLike(env, p, 'latex'), p);
    const code = 'x = 1  # the count of\n# things seen so far';
    assert.equal(
      layoutLike(code, 'x = 1  # how many things we have seen', 'python'),
      'x = 1  # how many things we have seen',
    );
    const percent = 'Text with a % comment\nthat wraps.';
    assert.equal(layoutLike(percent, 'Text % c\nwrapping.', 'latex'), 'Text % c\nwrapping.');
  });

  it('keeps Windows line ends when the proposal has them', () => {
    const original = 'alpha beta gamma\ndelta.';
    assert.equal(layoutLike(original, 'one two three four five\r\nsix', 'plaintext'), 'one two three\r\nfour five six');
  });
});
