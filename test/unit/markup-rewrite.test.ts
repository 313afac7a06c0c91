// The markup guard, note, context and rewriting in parts as the rewrite use case, the feedback log and
// Build Preference Pairs see them. A scripted generator gives predictable text for the exact checks;
// the same paths run against the real node-llama-cpp at the end.
import assert from 'node:assert/strict';
import type { GenerateRequest, GenerateResult, TextGenerator } from '../../src/core/engine';
import {
  createDecisionEvent,
  createRewriteEvent,
  validateFeedbackEvent,
  type RewriteEvent,
} from '../../src/core/feedback';
import { buildPairs, formatPairsReport } from '../../src/core/pairs';
import { TEXT_END, TEXT_START } from '../../src/core/prompts';
import { loadRubrics, type Rubric } from '../../src/core/rubrics';
import {
  createPartsPrinter,
  partBudget,
  planParts,
  rewriteInParts,
  rewritePrompt,
  rewritePromptPrefix,
  runRewrite,
  type PartEvent,
  type PartsJob,
} from '../../src/core/rewrite';
import { decide, rewrite } from '../fixtures/feedback/events';

/** The text between the text tags of a rewrite's user message. */
function textOf(user: string): string {
  const open = `\n${TEXT_START}\n`;
  const from = user.indexOf(open) + open.length;
  return user.slice(from, user.indexOf(`\n${TEXT_END}`, from));
}

/** A generator that answers with transform(text), streamed in 3-character pieces; it records every request. */
function scripted(transform: (text: string) => string, onPiece?: (req: GenerateRequest, n: number) => void) {
  const requests: GenerateRequest[] = [];
  const generator: TextGenerator = {
    async generate(req) {
      requests.push(req);
      const out = transform(textOf(req.user));
      let text = '';
      let n = 0;
      for (let i = 0; i < out.length; i += 3) {
        if (req.signal?.aborted) break;
        const piece = out.slice(i, i + 3);
        text += piece;
        req.onToken?.(piece);
        onPiece?.(req, n++);
      }
      const stopReason = req.signal?.aborted ? 'aborted' : 'eos';
      return {
        text,
        stopReason,
        promptTokens: req.user.length,
        reusedPromptTokens: 0,
        outputTokens: n,
        timeToFirstTokenMs: 1,
        tokensPerSecond: 10,
        totalMs: 10,
      } satisfies GenerateResult;
    },
  };
  return { generator, requests };
}

const words = (t: string) => (t.trim() ? t.trim().split(/\s+/).length : 0);

let rubric: Rubric;
before(async () => {
  rubric = (await loadRubrics()).rubrics.find((r) => r.id === 'formality') as Rubric;
});

const baseJob = () => ({
  style: { rubric, level: 4 as const },
  promptMode: 'directive' as const,
  model: { name: 'scripted', file: '/m/s.gguf' },
  sampling: { temperature: 0, maxTokens: 200 },
});

describe('rewrite prompt: context and note', () => {
  const combos = [
    {},
    { note: 'British spelling' },
    { context: { before: 'Earlier paragraph.' } },
    { context: { after: 'Later paragraph.' } },
    { context: { before: 'Earlier.', after: 'Later.' }, note: 'keep it under 50 words' },
  ];

  it('keeps the prewarmed prefix a prefix of every user message', () => {
    for (const languageId of ['markdown', 'latex', 'plaintext', 'python', undefined]) {
      const { system, userPrefix } = rewritePromptPrefix(baseJob().style, 'rubric', languageId);
      for (const extra of combos) {
        const prompt = rewritePrompt('Some text.', baseJob().style, 'rubric', languageId, extra);
        assert.equal(prompt.system, system);
        assert.ok(prompt.user.startsWith(userPrefix), `${languageId} ${JSON.stringify(extra)}`);
        assert.ok(userPrefix.length > 100);
      }
    }
  });

  it('without context or note the message is the prefix and the tagged text, nothing more', () => {
    const { userPrefix } = rewritePromptPrefix(baseJob().style, 'directive', 'markdown');
    assert.equal(
      rewritePrompt('Hi.', baseJob().style, 'directive', 'markdown').user,
      `${userPrefix}${TEXT_START}\nHi.\n${TEXT_END}`,
    );
    assert.equal(
      rewritePrompt('Hi.', baseJob().style, 'directive', 'markdown', { note: ' \n ', context: { before: '  ' } }).user,
      `${userPrefix}${TEXT_START}\nHi.\n${TEXT_END}`,
    );
  });

  it(
    'puts the context in its own tags around the text, the note after it, and says only the tagged ' +
      'text is rewritten',
    () => {
      const user = rewritePrompt('THE TEXT', baseJob().style, 'directive', 'plaintext', {
        context: { before: 'BEFORE PARA', after: 'AFTER PARA' },
        note: 'keep it\nshort',
      }).user;
      const at = (s: string) => user.indexOf(s);
      assert.ok(at('<context-before>\nBEFORE PARA\n</context-before>') > 0);
      assert.ok(at('<context-before>') < at(`${TEXT_START}\nTHE TEXT\n${TEXT_END}`));
      assert.ok(at(`${TEXT_END}`) < at('<context-after>\nAFTER PARA\n</context-after>'));
      assert.ok(at('</context-after>') < at("The writer's note for this rewrite"));
      assert.ok(user.includes(': keep it short'), 'the note is one line');
      assert.match(user, /Rewrite only the text between <text> and <\/text>; the context is there to read/);
      assert.equal(textOf(user), 'THE TEXT');
      assert.equal(user.split(`\n${TEXT_START}\n`).length, 2, 'one text block');
    },
  );
});

describe('runRewrite: markup guard, note and context in the outcome and the record', () => {
  it('reports lost markup in the outcome and the record, and [] when all survived', async () => {
    const text = 'As \\cite{knuth84} shows, see \\ref{fig:a}.';
    const lossy = scripted((t) => t.replace('\\cite{knuth84}', 'Knuth'));
    const out = await runRewrite(lossy.generator, {
      ...baseJob(),
      text,
      source: { languageId: 'latex', path: 'p.tex' },
    });
    assert.equal(out.status, 'done');
    if (out.status !== 'done') return;
    assert.deepEqual(out.markupLost, ['lost: \\cite{knuth84}']);
    assert.deepEqual(out.record.markupLost, ['lost: \\cite{knuth84}']);
    const kept = await runRewrite(
      scripted((t) =>
        t.toUpperCase().replace('\\CITE{KNUTH84}', '\\cite{knuth84}').replace('\\REF{FIG:A}', '\\ref{fig:a}'),
      ).generator,
      { ...baseJob(), text, source: { languageId: 'latex', path: 'p.tex' } },
    );
    assert.deepEqual(kept.status === 'done' && kept.record.markupLost, []);
  });

  it("judges markup by the document's language", async () => {
    const gen = scripted((t) => t.replace(/`/g, ''));
    const md = await runRewrite(gen.generator, {
      ...baseJob(),
      text: 'Run `make` now.',
      source: { languageId: 'markdown' },
    });
    assert.deepEqual(md.status === 'done' && md.markupLost, ['lost: `make`']);
    const tex = await runRewrite(gen.generator, {
      ...baseJob(),
      text: 'Run `make` now.',
      source: { languageId: 'latex' },
    });
    assert.deepEqual(tex.status === 'done' && tex.markupLost, [], 'backticks are quotes in LaTeX');
  });

  it('logs the note and context it sent, and they are in the logged user message', async () => {
    const gen = scripted((t) => `${t}!`);
    const out = await runRewrite(gen.generator, {
      ...baseJob(),
      text: 'Hello there.',
      note: '  British spelling ',
      context: { before: ' Before. ', after: '' },
    });
    assert.equal(out.status, 'done');
    if (out.status !== 'done') return;
    assert.equal(out.record.note, 'British spelling');
    assert.deepEqual(out.record.context, { before: 'Before.', after: '' });
    assert.ok(
      out.record.user.includes('British spelling') &&
        out.record.user.includes('<context-before>\nBefore.\n</context-before>'),
    );
    assert.equal(gen.requests[0].user, out.record.user);
    const event = createRewriteEvent(out.record);
    assert.equal(validateFeedbackEvent(JSON.parse(JSON.stringify(event))).ok, true);
    const plain = await runRewrite(gen.generator, { ...baseJob(), text: 'Hello there.' });
    assert.ok(plain.status === 'done' && !('note' in plain.record) && !('context' in plain.record));
  });
});

describe('feedback log: the new rewrite fields', () => {
  const good = rewrite('r1', 'a', 'b');
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['markupLost', { markupLost: 'lost: x' }, /markupLost must be a list of strings/],
    ['markupLost entry', { markupLost: ['ok', 3] }, /markupLost must be a list of strings/],
    ['note', { note: 5 }, /note must be a string/],
    ['context', { context: { before: 'x' } }, /context\.after must be a string/],
    [
      'part index',
      { part: { index: 2, count: 2, group: 'g' } },
      /part\.index must be a whole number below part\.count/,
    ],
    ['part count', { part: { index: 0, count: 0, group: 'g' } }, /part\.count must be a whole number of at least 1/],
    ['part group', { part: { index: 0, count: 2, group: '' } }, /part\.group must not be empty/],
  ];
  for (const [name, patch, reason] of cases) {
    it(`rejects a bad ${name}`, () => {
      const result = validateFeedbackEvent({ ...good, ...patch });
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.reason, reason);
    });
  }
  it('accepts old events without the fields and new ones with them', () => {
    assert.ok(!('markupLost' in good));
    assert.equal(validateFeedbackEvent(good).ok, true);
    const full = {
      ...good,
      markupLost: ['lost: \\cite{a}'],
      note: 'n',
      context: { before: 'b', after: '' },
      part: { index: 1, count: 2, group: 'abc' },
    };
    assert.equal(validateFeedbackEvent(full).ok, true);
  });
});

describe('Build Preference Pairs: lost markup is never chosen', () => {
  const tex = (
    id: string,
    original: string,
    output: string,
    level: 1 | 2 | 3 | 4 | 5,
    markupLost?: string[],
  ): RewriteEvent => {
    const r = rewrite(id, original, output, level);
    return createRewriteEvent({
      ...r,
      document: { languageId: 'latex', path: 'p.tex' },
      ...(markupLost ? { markupLost } : {}),
    });
  };
  const original = 'As \\cite{knuth84} shows.';

  it('a rejection followed by an accepted rewrite that lost markup gives no pair', () => {
    const events = [
      tex('bad', original, 'As \\cite{knuth84} shows it.', 3, []),
      decide('d1', 'bad', 'rejected', 'x'),
      tex('lossy', original, 'As Knuth shows.', 3, ['lost: \\cite{knuth84}']),
      decide('d2', 'lossy', 'accepted', 'As Knuth shows.'),
    ];
    const result = buildPairs(events);
    assert.deepEqual(result.pairs, []);
    assert.equal(result.keptOutForMarkup, 1);
    assert.deepEqual(
      result.unpaired.map((k) => [k.id, k.label]),
      [['bad', false]],
      'the lossy acceptance is no positive KTO example either',
    );
    assert.match(
      formatPairsReport({ logs: [], result }),
      /Kept out of chosen for lost markup: 1 accepted or edited rewrite\./,
    );
  });

  it('checks logs written before the guard, and edits, by the text itself', () => {
    const oldLossy = tex('old', original, 'As Knuth shows.', 3);
    assert.ok(!('markupLost' in oldLossy));
    const r1 = buildPairs([
      tex('bad', original, 'Nope \\cite{knuth84}.', 3),
      decide('d1', 'bad', 'rejected', 'x'),
      oldLossy,
      decide('d2', 'old', 'accepted', 'As Knuth shows.'),
    ]);
    assert.equal(r1.pairs.length, 0);
    assert.equal(r1.keptOutForMarkup, 1);
    // An edit that dropped the citation is not chosen; one that put it back is.
    const dropped = buildPairs([
      tex('e1', original, 'As \\cite{knuth84} shows!', 3, []),
      decide('d3', 'e1', 'edited', 'As Knuth shows!'),
    ]);
    assert.deepEqual(dropped.pairs, []);
    const fixed = buildPairs([
      tex('e2', original, 'As Knuth shows.', 3, ['lost: \\cite{knuth84}']),
      decide('d4', 'e2', 'edited', 'As \\cite{knuth84} shows!'),
    ]);
    assert.deepEqual(
      fixed.pairs.map((p) => [p.source, p.chosen[0].content, p.rejected[0].content]),
      [['edit', 'As \\cite{knuth84} shows!', 'As Knuth shows.']],
    );
    assert.equal(fixed.keptOutForMarkup, 0);
  });

  it('keeps the contrast pair whose chosen side kept the markup, and only that direction', () => {
    const events = [
      tex('low', original, 'As \\cite{knuth84} says.', 1, []),
      decide('d1', 'low', 'accepted', 'As \\cite{knuth84} says.'),
      tex('high', original, 'As Knuth demonstrates.', 5, ['lost: \\cite{knuth84}']),
      decide('d2', 'high', 'accepted', 'As Knuth demonstrates.'),
    ];
    const { pairs } = buildPairs(events);
    assert.deepEqual(
      pairs.map((p) => [p.source, p.level, p.chosen[0].content]),
      [['contrast', 1, 'As \\cite{knuth84} says.']],
    );
  });

  it('pairs carry the logged user message, with the note and the context', async () => {
    const gen = scripted((t) => `${t} Indeed.`);
    const extra = { note: 'keep it short', context: { before: 'The paragraph before.', after: 'The one after.' } };
    const a = await runRewrite(gen.generator, { ...baseJob(), text: 'It works.', ...extra });
    const b = await runRewrite(scripted((t) => `${t} Truly.`).generator, { ...baseJob(), text: 'It works.', ...extra });
    assert.ok(a.status === 'done' && b.status === 'done');
    if (a.status !== 'done' || b.status !== 'done') return;
    const events = [
      createRewriteEvent({ ...a.record, id: 'ra' }),
      createDecisionEvent({ rewriteId: 'ra', decision: 'rejected', final: a.text, id: 'da' }),
      createRewriteEvent({ ...b.record, id: 'rb' }),
      createDecisionEvent({ rewriteId: 'rb', decision: 'accepted', final: b.text, id: 'db' }),
    ];
    const { pairs } = buildPairs(events);
    assert.equal(pairs.length, 1);
    assert.equal(pairs[0].prompt[1].content, b.record.user);
    for (const s of ['keep it short', 'The paragraph before.', 'The one after.'])
      assert.ok(pairs[0].prompt[1].content.includes(s), s);
  });
});

describe('rewriteInParts (scripted generator)', () => {
  const doc =
    [
      'First paragraph has six words here.',
      '```py\nx = 1\n\ny = 2\n```',
      'Second paragraph, also short, \\cite{a}.',
      'Third and last paragraph of the text.',
    ].join('\n\n') + '\n';
  const job = (extra: Partial<PartsJob> = {}): PartsJob => ({
    ...baseJob(),
    text: doc,
    source: { languageId: 'markdown', path: 'd.md' },
    countTokens: words,
    contextTokens: 4,
    ...extra,
  });

  it('rewrites a text that fits in one part exactly as runRewrite does', async () => {
    const a = scripted((t) => t.toUpperCase());
    const b = scripted((t) => t.toUpperCase());
    const whole = await rewriteInParts(
      a.generator,
      job({ contextSize: 100_000, text: 'One short text.', contextTokens: 0 }),
    );
    const single = await runRewrite(b.generator, {
      ...baseJob(),
      text: 'One short text.',
      source: { languageId: 'markdown', path: 'd.md' },
    });
    assert.equal(whole.status, 'done');
    if (whole.status !== 'done' || single.status !== 'done') return;
    assert.equal(whole.text, single.text);
    assert.deepEqual(whole.records, [single.record]);
    assert.deepEqual(
      a.requests.map((r) => r.user),
      b.requests.map((r) => r.user),
    );
  });

  it(
    'plans parts at paragraph breaks, never inside a fence, splitting an oversized paragraph into ' + 'sentences',
    async () => {
      const ranges = await planParts(doc, 'markdown', 8, words);
      assert.deepEqual(
        ranges.map((r) => doc.slice(r.start, r.end)),
        [
          'First paragraph has six words here.',
          '```py\nx = 1\n\ny = 2\n```',
          'Second paragraph, also short, \\cite{a}.',
          'Third and last paragraph of the text.',
        ],
      );
      assert.deepEqual(
        (await planParts(doc, 'markdown', 1000, words)).map((r) => [r.start, r.end]),
        [[0, doc.length]],
      );
      const long = 'One two three. Four five six. Seven eight nine.';
      assert.deepEqual(
        (await planParts(long, 'plaintext', 6, words)).map((r) => long.slice(r.start, r.end)),
        ['One two three. Four five six.', 'Seven eight nine.'],
      );
      const twoGroups = await planParts(doc, 'markdown', 14, words);
      assert.equal(
        doc.slice(twoGroups[0].start, twoGroups[0].end),
        'First paragraph has six words here.\n\n```py\nx = 1\n\ny = 2\n```',
      );
    },
  );

  it(
    'the budget shrinks with the note and the context, and never exceeds what maxTokens lets a ' + 'rewrite be',
    async () => {
      const plain = await partBudget(job({ contextTokens: 0 }), 20_000);
      assert.equal(plain, Math.floor(200 / 1.25), 'maxTokens 200 bounds it');
      const small = await partBudget(job({ contextTokens: 0 }), 500);
      const withNote = await partBudget(
        job({ contextTokens: 0, note: 'a long note with quite a few words in it to count' }),
        500,
      );
      const withContext = await partBudget(job({ contextTokens: 20 }), 500);
      assert.ok(
        withNote < small && withContext < small && small < plain,
        `${withNote} ${withContext} ${small} ${plain}`,
      );
    },
  );

  it('rewrites a long text part by part into one proposal with the layout kept, one record per part', async () => {
    const gen = scripted((t) => t.toUpperCase().replace('\\CITE{A}', '\\cite{a}'));
    const events: PartEvent[] = [];
    const pieces: [string, number][] = [];
    const budget = await partBudget(job(), 1);
    assert.equal(budget, 32, 'a tiny context still leaves the minimum part budget');
    const out = await rewriteInParts(
      gen.generator,
      job({ contextSize: 1, onPart: (e) => events.push(e), onToken: (p, i) => pieces.push([p, i]) }),
    );
    assert.equal(out.status, 'done');
    if (out.status !== 'done') return;
    // With a 32-word budget the whole text (29 words) would fit; force parts with a smaller budget instead.
    assert.equal(out.parts.length, 1);
    const parts = await rewriteInParts(
      gen.generator,
      job({ contextSize: 1, countTokens: (t) => words(t) * 4, onPart: (e) => events.push(e) }),
    );
    assert.equal(parts.status, 'done');
    if (parts.status !== 'done') return;
    assert.ok(parts.parts.length >= 3, `${parts.parts.length} parts`);
    assert.equal(
      parts.text,
      doc.toUpperCase().replace('\\CITE{A}', '\\cite{a}'),
      'separators and the trailing newline kept',
    );
    // The upper-cased fence is caught on the whole text and in its part's record.
    assert.deepEqual(parts.markupLost, ['altered: ```py x = 1 y = 2 ``` → ```PY X = 1 Y = 2 ```']);
    assert.deepEqual(
      parts.records.flatMap((r) => r.markupLost),
      parts.markupLost,
    );
    const fence = parts.parts.find((p) => p.outcome.status === 'done' && p.outcome.record.original.includes('```'));
    assert.ok(
      fence && /^```py[\s\S]*```$/.test(doc.slice(fence.range.start, fence.range.end)),
      'the fence is one part, whole',
    );
    assert.equal(parts.records.length, parts.parts.length);
    const group = parts.records[0].part?.group;
    assert.ok(group && group.length === 16);
    parts.records.forEach((r, i) => assert.deepEqual(r.part, { index: i, count: parts.parts.length, group }));
    for (const p of parts.parts) assert.equal(parts.text.slice(p.proposalRange!.start, p.proposalRange!.end), p.text);
    // Every part after the first read its predecessor as context; the last read nothing after it.
    assert.ok(parts.records[1].context?.before === '…here.', JSON.stringify(parts.records[1].context));
    assert.equal(parts.records[parts.records.length - 1].context?.after ?? '', '');
    assert.ok(pieces.every(([, i]) => i === 0));
  });

  it(
    'streams through the printer exactly the combined proposal, keeping a part the model left empty ' + 'as written',
    async () => {
      const gen = scripted((t) => (t.startsWith('Second') ? '   ' : `<${t}>`));
      let printed = '';
      const printer = createPartsPrinter(doc);
      const out = await rewriteInParts(
        gen.generator,
        job({
          contextSize: 1,
          countTokens: (t) => words(t) * 4,
          onPart: (e) => {
            printed += printer.part(e);
          },
          onToken: (p) => {
            printed += printer.token(p);
          },
        }),
      );
      printed += printer.finish();
      assert.equal(out.status, 'done');
      if (out.status !== 'done') return;
      assert.equal(printed, out.text);
      assert.ok(
        out.text.includes('\n\nSecond paragraph, also short, \\cite{a}.\n\n'),
        'the empty part kept its original',
      );
      assert.equal(out.records.length, out.parts.length - 1, 'no record for the part with no proposal');
      const all = await rewriteInParts(
        scripted(() => '').generator,
        job({ contextSize: 1, countTokens: (t) => words(t) * 4 }),
      );
      assert.equal(all.status, 'empty');
    },
  );

  it('cancel stops the running part and starts no other', async () => {
    const ac = new AbortController();
    const gen = scripted(
      (t) => t,
      (req, n) => {
        if (textOf(req.user).startsWith('```') && n === 1) ac.abort();
      },
    );
    let printed = '';
    const printer = createPartsPrinter(doc);
    const out = await rewriteInParts(
      gen.generator,
      job({
        contextSize: 1,
        countTokens: (t) => words(t) * 4,
        signal: ac.signal,
        onPart: (e) => {
          printed += printer.part(e);
        },
        onToken: (p) => {
          printed += printer.token(p);
        },
      }),
    );
    printed += printer.finish();
    assert.equal(out.status, 'cancelled');
    assert.equal(gen.requests.length, 2);
    assert.equal(out.parts.length, 2);
    assert.ok(doc.startsWith(printed) && printed.startsWith('First paragraph'), JSON.stringify(printed));
  });
});
