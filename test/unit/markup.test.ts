// The markup guard on hand-made cases: for each document type, markup that is kept, moved, lost or
// altered, and the tricky cases (escaped \$, nested braces, URLs inside links, fences holding LaTeX-like
// text, HTML comments). Each case names the exact report lines it expects, so any drift fails it.
import assert from 'node:assert/strict';
import { checkMarkup, extractMarkup, markupFamily, markupLost } from '../../src/core/markup';

interface Case {
  name: string;
  lang: string;
  original: string;
  proposal: string;
  expect: string[];
}

const cases: Case[] = [
  // A LaTeX-style command outside LaTeX is named as typed, not as a {placeholder}
  {
    name: 'Markdown: a lost \\cite is named whole',
    lang: 'markdown',
    original: 'Control codes \\cite{keskar2019ctrl} steer the style.',
    proposal: 'Control codes steer the style.',
    expect: ['lost: \\cite{keskar2019ctrl}'],
  },
  {
    name: 'Markdown: \\cite kept with other spacing after its comma; \\ref altered',
    lang: 'markdown',
    original: 'See \\cite{a,b} and \\ref{fig:1}.',
    proposal: 'As \\cite{a, b} shows (\\ref{fig:2}).',
    expect: ['altered: \\ref{fig:1} → \\ref{fig:2}'],
  },
  {
    name: 'plain text names the command with its optional argument',
    lang: 'plaintext',
    original: 'As shown in \\citep[p. 3]{knuth84}.',
    proposal: 'As shown by Knuth.',
    expect: ['lost: \\citep[p. 3]{knuth84}'],
  },
  {
    name: 'a comment keeps naming a lost \\cite whole',
    lang: 'python',
    original: '# Follows \\cite{vaswani2017}.',
    proposal: '# Follows the transformer paper.',
    expect: ['lost: \\cite{vaswani2017}'],
  },
  // LaTeX
  {
    name: 'kept citation in reworded prose',
    lang: 'latex',
    original: 'See \\cite{knuth84} for details.',
    proposal: 'For details, see \\cite{knuth84}.',
    expect: [],
  },
  {
    name: 'moved \\label, \\ref and \\eqref',
    lang: 'latex',
    original: '\\label{sec:a} Intro with \\ref{fig:1} and \\eqref{eq:2}.',
    proposal: 'Intro: \\eqref{eq:2}, then \\ref{fig:1}. \\label{sec:a}',
    expect: [],
  },
  {
    name: 'lost \\cite',
    lang: 'latex',
    original: 'As \\cite{knuth84} shows, it works.',
    proposal: 'It works.',
    expect: ['lost: \\cite{knuth84}'],
  },
  {
    name: 'altered citation key',
    lang: 'latex',
    original: 'As shown in \\cite{knuth84}.',
    proposal: 'As \\cite{knuth1984} shows.',
    expect: ['altered: \\cite{knuth84} → \\cite{knuth1984}'],
  },
  {
    name: 'two \\cite{a} in, one out',
    lang: 'latex',
    original: '\\cite{a} and again \\cite{a}.',
    proposal: 'Only \\cite{a}.',
    expect: ['lost: \\cite{a}'],
  },
  {
    name: 'two \\cite{a} in, none out',
    lang: 'latex',
    original: '\\cite{a} and again \\cite{a}.',
    proposal: 'Nothing cited.',
    expect: ['lost: \\cite{a} (×2)'],
  },
  {
    name: 'spacing after commas in keys does not matter',
    lang: 'latex',
    original: 'Both \\cite{a, b}.',
    proposal: 'Both \\cite{a,b}.',
    expect: [],
  },
  {
    name: 'a dropped optional argument alters the command',
    lang: 'latex',
    original: 'See \\cite[p.~3]{knuth84}.',
    proposal: 'See \\cite{knuth84}.',
    expect: ['altered: \\cite[p.~3]{knuth84} → \\cite{knuth84}'],
  },
  {
    name: '\\emph may wrap new words',
    lang: 'latex',
    original: 'This is \\emph{very} important.',
    proposal: 'This matters \\emph{a great deal}.',
    expect: [],
  },
  {
    name: '\\emph dropped',
    lang: 'latex',
    original: 'This is \\emph{very} important.',
    proposal: 'This is truly important.',
    expect: ['lost: \\emph{very}'],
  },
  {
    name: 'nested braces inside a footnote keep the inner \\cite',
    lang: 'latex',
    original: 'Text.\\footnote{See \\cite{x} and {grouped {deep}} text.}',
    proposal: 'Text.\\footnote{Compare \\cite{x}.}',
    expect: [],
  },
  {
    name: 'a \\cite lost from inside a footnote',
    lang: 'latex',
    original: 'Text.\\footnote{See \\cite{x} and {grouped {deep}} text.}',
    proposal: 'Text.\\footnote{Compare it.}',
    expect: ['lost: \\cite{x}'],
  },
  {
    name: 'escaped \\$ is not math',
    lang: 'latex',
    original: 'It costs \\$5 and \\$10 when $x$ holds \\cite{a}.',
    proposal: 'It costs \\$5 when $x$ holds \\cite{a}.',
    expect: [],
  },
  {
    name: 'altered inline math',
    lang: 'latex',
    original: 'where $x^2 + y$ holds',
    proposal: 'where $x^3+y$ holds',
    expect: ['altered: $x^2 + y$ → $x^3+y$'],
  },
  {
    name: 'spacing inside math does not matter',
    lang: 'latex',
    original: 'so $a + b = c$ and \\(\\alpha x\\)',
    proposal: 'so $a+b=c$ and \\( \\alpha x \\)',
    expect: [],
  },
  {
    name: 'lost display math',
    lang: 'latex',
    original: 'We get \\[ E = mc^2 \\] here.',
    proposal: 'We get this.',
    expect: ['lost: \\[ E = mc^2 \\]'],
  },
  {
    name: 'equation environment with a label, respaced',
    lang: 'latex',
    original: '\\begin{equation}\\label{eq:1} a = b \\end{equation}',
    proposal: '\\begin{equation}\n  \\label{eq:1}\n  a=b\n\\end{equation}',
    expect: [],
  },
  {
    name: 'lost % comment',
    lang: 'latex',
    original: 'Text here. % TODO fix\nMore.',
    proposal: 'Text here.\nMore.',
    expect: ['lost: % TODO fix'],
  },
  {
    name: '\\% is not a comment',
    lang: 'latex',
    original: 'We saw 50\\% growth \\cite{a}.',
    proposal: 'Growth was half \\cite{a}.',
    expect: [],
  },
  {
    name: 'environment changed',
    lang: 'latex',
    original: '\\begin{itemize}\n\\item one\n\\end{itemize}',
    proposal: '\\begin{enumerate}\n\\item one\n\\end{enumerate}',
    expect: ['altered: \\begin{itemize} → \\begin{enumerate}', 'altered: \\end{itemize} → \\end{enumerate}'],
  },
  {
    name: '\\href keeps its URL, not its text',
    lang: 'latex',
    original: 'Visit \\href{https://a.org}{the site}.',
    proposal: 'Visit \\href{https://a.org}{this website}.',
    expect: [],
  },
  {
    name: '\\href URL altered',
    lang: 'latex',
    original: 'Visit \\href{https://a.org}{the site}.',
    proposal: 'Visit \\href{https://b.org}{the site}.',
    expect: ['altered: \\href{https://a.org}{the site} → \\href{https://b.org}{the site}'],
  },
  {
    name: 'verbatim holding $ and % is one token',
    lang: 'latex',
    original: 'Run:\n\\begin{verbatim}\n$x % y\n\\end{verbatim}',
    proposal: 'Type this:\n\\begin{verbatim}\n$x % y\n\\end{verbatim}',
    expect: [],
  },
  {
    name: 'accents are orthography, not markup',
    lang: 'latex',
    original: "Erd\\H{o}s and Poincar\\'e proved it \\cite{p}.",
    proposal: 'Erdős and Poincaré showed it \\cite{p}.',
    expect: [],
  },

  // Markdown
  {
    name: 'link text may change',
    lang: 'markdown',
    original: 'Read [the docs](https://example.org/docs) first.',
    proposal: 'First, read [our documentation](https://example.org/docs).',
    expect: [],
  },
  {
    name: 'link URL altered',
    lang: 'markdown',
    original: 'See [docs](https://a.org).',
    proposal: 'See [docs](https://b.org).',
    expect: ['altered: [docs](https://a.org) → [docs](https://b.org)'],
  },
  {
    name: 'link flattened to text',
    lang: 'markdown',
    original: 'See [docs](https://a.org).',
    proposal: 'See the docs.',
    expect: ['lost: [docs](https://a.org)'],
  },
  {
    name: 'balanced parentheses inside a link URL',
    lang: 'markdown',
    original: 'See [Foo](https://en.wikipedia.org/wiki/Foo_(bar)).',
    proposal: 'Look at [the Foo page](https://en.wikipedia.org/wiki/Foo_(bar)).',
    expect: [],
  },
  {
    name: 'a bare URL made into a link still has its URL',
    lang: 'markdown',
    original: 'Visit https://a.org today.',
    proposal: 'Visit [the site](https://a.org) today.',
    expect: [],
  },
  {
    name: 'a URL as the text of its own link',
    lang: 'markdown',
    original: 'Go to [https://a.org](https://a.org).',
    proposal: 'Go to https://a.org.',
    expect: ['lost: [https://a.org](https://a.org)'],
  },
  {
    name: 'inline code altered',
    lang: 'markdown',
    original: 'Call `foo()` now.',
    proposal: 'Now call `bar()`.',
    expect: ['altered: `foo()` → `bar()`'],
  },
  {
    name: 'a fence with LaTeX-like text inside is kept whole',
    lang: 'markdown',
    original: 'Intro.\n\n```latex\n\\cite{x} $y$ % z\n```\n',
    proposal: 'An intro.\n\n```latex\n\\cite{x} $y$ % z\n```\n',
    expect: [],
  },
  {
    name: 'a fence whose content changed',
    lang: 'markdown',
    original: '```py\nx = 1\n```',
    proposal: '```py\nx = 2\n```',
    expect: ['altered: ```py x = 1 ``` → ```py x = 2 ```'],
  },
  {
    name: 'HTML comment lost, with the link inside it',
    lang: 'markdown',
    original: 'Text <!-- keep [me](https://u.org) --> more.',
    proposal: 'More text.',
    expect: ['lost: <!-- keep [me](https://u.org) -->'],
  },
  {
    name: 'inline HTML tags lost',
    lang: 'markdown',
    original: 'Press <kbd>Ctrl</kbd> now.',
    proposal: 'Now press Ctrl.',
    expect: ['lost: <kbd>', 'lost: </kbd>'],
  },
  {
    name: 'prices are not math',
    lang: 'markdown',
    original: 'It costs $5 and $10, see $x$.',
    proposal: 'It costs $5.',
    expect: ['lost: $x$'],
  },
  {
    name: 'heading level altered',
    lang: 'markdown',
    original: '## Setup\n\nInstall it.',
    proposal: '# Setup\n\nInstall it first.',
    expect: ['altered: ## → #'],
  },
  {
    name: 'image alt text may change',
    lang: 'markdown',
    original: '![a cat](cat.png)',
    proposal: '![one cat](cat.png)',
    expect: [],
  },
  {
    name: 'reference link kept, footnote lost',
    lang: 'markdown',
    original: 'See [docs][ref].[^1]',
    proposal: 'See [the documentation][ref].',
    expect: ['lost: [^1]'],
  },
  {
    name: 'escaped backticks are not code',
    lang: 'markdown',
    original: 'Use \\`not code\\` here.',
    proposal: 'Use this here.',
    expect: [],
  },
  {
    name: 'placeholders with and without inner spaces',
    lang: 'markdown',
    original: 'Hello {name}, you have {{ count }} items.',
    proposal: 'Hi {name}: {{count}} items.',
    expect: [],
  },

  // HTML
  {
    name: 'attribute value altered',
    lang: 'html',
    original: '<p>See <a href="https://a.org">this</a>.</p>',
    proposal: '<p>See <a href="https://b.org">this</a>.</p>',
    expect: ['altered: <a href="https://a.org"> → <a href="https://b.org">'],
  },
  {
    name: 'quoting and alt text do not matter',
    lang: 'html',
    original: '<img src="a.png" alt="a cat">',
    proposal: '<img src=\'a.png\' alt="one cat"/>',
    expect: [],
  },
  {
    name: '<pre> content altered',
    lang: 'html',
    original: '<pre>x = 1</pre><p>Text</p>',
    proposal: '<pre>x=1</pre><p>New text</p>',
    expect: ['altered: <pre>x = 1</pre> → <pre>x=1</pre>'],
  },
  {
    name: 'emphasis tags lost',
    lang: 'html',
    original: '<p>One <em>two</em></p>',
    proposal: '<p>One two</p>',
    expect: ['lost: <em>', 'lost: </em>'],
  },

  // reStructuredText
  {
    name: 'role target altered',
    lang: 'restructuredtext',
    original: 'See :ref:`intro`.',
    proposal: 'See :ref:`overview`.',
    expect: ['altered: :ref:`intro` → :ref:`overview`'],
  },
  {
    name: 'embedded link keeps its URL',
    lang: 'restructuredtext',
    original: 'Visit `Python <https://python.org>`_.',
    proposal: 'Visit `the Python site <https://python.org>`_.',
    expect: [],
  },
  {
    name: 'inline literal lost',
    lang: 'restructuredtext',
    original: 'Run ``make`` first.',
    proposal: 'Run make first.',
    expect: ['lost: ``make``'],
  },
  {
    name: 'literal block lost with its ::',
    lang: 'restructuredtext',
    original: 'Example::\n\n    code here\n\nMore.',
    proposal: 'For example:\n\n    code here\n\nMore.',
    expect: ['lost: code here'],
  },
  {
    name: 'longer title with a longer adornment',
    lang: 'restructuredtext',
    original: 'Title\n=====\n\nText with |sub| and [1]_.',
    proposal: 'A longer title\n==============\n\nText, [1]_ and |sub|.',
    expect: [],
  },

  // Code comments
  {
    name: 'a comment reflowed to fewer lines',
    lang: 'python',
    original: '# Compute the value\n# and return it.\n',
    proposal: '# Computes and returns the value.\n',
    expect: [],
  },
  {
    name: 'comment markers lost',
    lang: 'python',
    original: '# Compute the value\n# and return it.\n',
    proposal: 'Computes and returns\nthe value.\n',
    expect: ['lost: # at the start of 2 lines ("Computes and returns")'],
  },
  {
    name: 'closing block delimiter lost',
    lang: 'c',
    original: '/* Old comment\n   text. */',
    proposal: '/* New comment text.',
    expect: ['lost: */'],
  },
  {
    name: 'JSDoc block kept with reworded lines',
    lang: 'typescript',
    original: '/**\n * Does a thing.\n * @param name the name\n */',
    proposal: '/**\n * Does one thing well.\n * @param name what to call it\n */',
    expect: [],
  },
  {
    name: 'JSDoc @param renamed and a star lost',
    lang: 'typescript',
    original: '/**\n * Does a thing.\n * @param name the name\n */',
    proposal: '/**\n Does a thing.\n * @param nom the name\n */',
    expect: [
      'altered: @param name → @param nom',
      'lost: * at the start of a line of a block comment ("Does a thing.")',
    ],
  },
  {
    name: 'code line altered next to its comment',
    lang: 'javascript',
    original: '// Set x.\nconst x = 1;',
    proposal: '// Sets x.\nconst x = 2;',
    expect: ['altered: const x = 1; → const x = 2;'],
  },
  {
    name: 'trailing comment reworded, code kept',
    lang: 'python',
    original: 'x = 1  # the count\n',
    proposal: 'x = 1  # how many there are\n',
    expect: [],
  },
  {
    name: 'a selection inside a comment has no markers to keep',
    lang: 'rust',
    original: 'Compute the value and pass `foo` on.',
    proposal: 'Computes the value; passes `foo` on.',
    expect: [],
  },
  {
    name: 'docstring delimiters and URL kept',
    lang: 'python',
    original: '"""Return the sum.\n\nSee https://x.org.\n"""',
    proposal: '"""Returns the sum (https://x.org)."""',
    expect: [],
  },

  // Plain text
  {
    name: 'e-mail, URL and printf placeholder moved',
    lang: 'plaintext',
    original: 'Write to help@example.org or see https://example.org/faq. Hi %s.',
    proposal: 'See https://example.org/faq or write to help@example.org. Hi %s!',
    expect: [],
  },
  {
    name: 'sentence punctuation is not part of a URL',
    lang: 'plaintext',
    original: 'See https://a.org/x.',
    proposal: 'Details: https://a.org/x',
    expect: [],
  },
  {
    name: 'placeholder lost',
    lang: 'plaintext',
    original: 'Dear {name}, thanks.',
    proposal: 'Dear friend, thanks.',
    expect: ['lost: {name}'],
  },
];

describe('markup guard: hand-made cases', () => {
  for (const c of cases) {
    it(`${c.lang}: ${c.name}`, () => {
      assert.deepEqual(markupLost(c.original, c.proposal, c.lang), c.expect);
    });
  }
  it('has at least 40 cases across every document type', () => {
    assert.ok(cases.length >= 40);
    assert.deepEqual(
      new Set(cases.map((c) => markupFamily(c.lang))),
      new Set(['latex', 'markdown', 'html', 'rst', 'comment', 'plain']),
    );
  });
});

describe('markup guard: extraction', () => {
  const kinds = (text: string, lang: string) => extractMarkup(text, lang).map((t) => `${t.kind} ${t.text}`);

  it('finds nothing inside a fence, and nothing in prose dollars', () => {
    assert.deepEqual(kinds('Costs $5 and $10.\n\n```\n\\cite{x} [a](b) `c`\n```', 'markdown'), [
      'code-block ```\n\\cite{x} [a](b) `c`\n```',
    ]);
  });

  it('takes a link and the code inside its text, in text order', () => {
    assert.deepEqual(kinds('A [`x` here](https://a.org/(b)) and <https://c.org>.', 'markdown'), [
      'link [`x` here](https://a.org/(b))',
      'code `x`',
      'url <https://c.org>',
    ]);
  });

  it('takes a wrapper, its nested citation and a math environment from LaTeX', () => {
    assert.deepEqual(kinds('\\textbf{see \\cite{a}} \\begin{align}x&=1\\end{align} \\\\ 5\\%', 'latex'), [
      'command \\textbf{see \\cite{a}}',
      'command \\cite{a}',
      'math \\begin{align}x&=1\\end{align}',
      'command \\\\',
    ]);
  });

  it('maps VS Code language ids to families', () => {
    assert.equal(markupFamily('markdown'), 'markdown');
    assert.equal(markupFamily('latex'), 'latex');
    assert.equal(markupFamily('restructuredtext'), 'rst');
    assert.equal(markupFamily('html'), 'html');
    assert.equal(markupFamily('plaintext'), 'plain');
    assert.equal(markupFamily(undefined), 'plain');
    assert.equal(markupFamily('python'), 'comment');
    assert.equal(markupFamily('some-new-language'), 'comment');
  });

  it('reports problems as structured data too', () => {
    const check = checkMarkup('See \\cite{a} and \\ref{b}.', 'See \\ref{c}.', 'latex');
    assert.equal(check.family, 'latex');
    assert.deepEqual(
      check.problems.map((p) => [p.kind, p.token.text, p.replacement?.text]),
      [
        ['lost', '\\cite{a}', undefined],
        ['altered', '\\ref{b}', '\\ref{c}'],
      ],
    );
  });

  it('cuts long tokens to a readable length on one line', () => {
    const url = `https://example.org/${'a'.repeat(100)}`;
    const [line] = markupLost(`See ${url}.`, 'See nothing.', 'plaintext');
    assert.ok(
      line.startsWith('lost: https://example.org/aaa') && line.endsWith('…') && line.length === 'lost: '.length + 60,
      line,
    );
  });
});
