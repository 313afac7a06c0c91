import * as assert from 'node:assert/strict';
import {
  describeMessage,
  isHostToWebview,
  isSidebarState,
  isWebviewToHost,
  type HostToWebview,
  type RubricView,
  type SidebarState,
  type WebviewToHost,
} from '../../src/shared/protocol';
import { applyHostMessage, awaitingDecision } from '../../webview/state';

const rubric: RubricView = {
  id: 'formality',
  title: 'Formality',
  summary: 'How formal the text sounds.',
  levels: ['Chatty', 'Casual', 'Neutral', 'Professional', 'Ceremonial'],
  criteria: [{ name: 'Register', weight: 100, levels: ['a', 'b', 'c', 'd', 'e'] }],
  directives: { 1: 'Be chatty.', 5: 'Be ceremonial.' },
  builtin: true,
};

const stats = {
  promptTokens: 10,
  reusedPromptTokens: 4,
  outputTokens: 3,
  timeToFirstTokenMs: 5,
  tokensPerSecond: 12.5,
  totalMs: 300,
};

const state: SidebarState = {
  rubrics: [rubric],
  problems: [
    { file: '.cpt-writer/rubrics/bad.yaml', line: 3, col: 1, message: 'levels: expected 5 names', severity: 'error' },
  ],
  style: { rubricId: 'formality', level: 3 },
  promptMode: 'rubric',
  model: { state: 'ready', name: 'tiny', backend: 'cpu', gpuLayers: 0, totalLayers: 2, warning: 'random weights' },
  history: [
    {
      id: 'r1',
      time: '2026-01-01T00:00:00.000Z',
      rubricId: 'formality',
      level: 2,
      original: 'x',
      output: 'y',
      decision: 'accepted',
    },
  ],
  rewrite: { id: 'r1', rubricId: 'formality', level: 2, phase: 'done', text: 'y', stats },
};

const validFromWebview: WebviewToHost[] = [
  { type: 'ready' },
  { type: 'setStyle', style: { rubricId: 'formality', level: 1 } },
  { type: 'setStyle', style: { rubricId: 'x', level: 5 } },
  { type: 'rewrite' },
  { type: 'cancel' },
  { type: 'accept', id: 'r1' },
  { type: 'reject', id: 'r1' },
  { type: 'selectModel' },
  { type: 'newRubric' },
  { type: 'openProblem', index: 0 },
  { type: 'stepCandidate', id: 'r1', step: 1 },
];

const validFromHost: HostToWebview[] = [
  { type: 'state', state },
  { type: 'state', state: { ...state, rewrite: undefined, history: [], problems: [], rubrics: [] } },
  { type: 'rubrics', rubrics: [rubric], problems: state.problems, promptMode: 'directive' },
  { type: 'style', style: { rubricId: 'formality', level: 4 }, promptMode: 'rubric' },
  { type: 'style', style: { rubricId: '', level: 3 }, promptMode: 'rubric' },
  { type: 'model', model: { state: 'none' }, promptMode: 'rubric' },
  { type: 'model', model: { state: 'loading', name: 'm', percent: 42.5 }, promptMode: 'rubric' },
  { type: 'model', model: { state: 'error', error: 'not a GGUF file' }, promptMode: 'rubric' },
  { type: 'history', history: state.history },
  { type: 'rewrite', rewrite: { id: 'r2', rubricId: 'formality', level: 5, phase: 'streaming', text: 'He' } },
  { type: 'rewrite', rewrite: { id: 'r2', rubricId: 'formality', level: 5, phase: 'done', text: 'Hello', stats } },
  { type: 'rewrite', rewrite: { id: 'r2', rubricId: 'formality', level: 5, phase: 'error', text: '', error: 'x' } },
  { type: 'rewrite', rewrite: { id: 'r2', rubricId: 'formality', level: 5, phase: 'cancelled', text: 'He' } },
  {
    type: 'rewrite',
    rewrite: {
      id: 'r2',
      rubricId: 'formality',
      level: 5,
      phase: 'done',
      text: 'Hi',
      note: 'n',
      markupLost: ['lost: \\cite{k}'],
      cutOff: 'Cut off.',
      candidate: { index: 2, count: 3, score: 72, target: 70, critique: '' },
    },
  },
  {
    type: 'state',
    state: {
      ...state,
      rewrite: { ...state.rewrite!, candidate: { index: 0, count: 2, score: 10, target: 30, critique: 'x' } },
    },
  },
];

/** A streaming rewrite view with some fields replaced: each malformed view differs from a valid one there. */
function view(fields: Record<string, unknown>): unknown {
  return { type: 'rewrite', rewrite: { id: 'r', rubricId: 'a', level: 3, phase: 'streaming', text: 'x', ...fields } };
}

/** A deep copy with one change applied, so each malformed case differs from a valid one in one place. */
function mutate<T>(value: T, change: (copy: Record<string, unknown>) => void): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  change(copy);
  return copy;
}

describe('protocol guards (isWebviewToHost, isHostToWebview, isSidebarState)', () => {
  describe('webview → host', () => {
    for (const m of validFromWebview) {
      it(`accepts ${JSON.stringify(m)}`, () => assert.equal(isWebviewToHost(m), true));
    }

    const malformed: [string, unknown][] = [
      ['undefined', undefined],
      ['null', null],
      ['a string', 'ready'],
      ['a number', 1],
      ['an array', [{ type: 'ready' }]],
      ['no type', {}],
      ['a non-string type', { type: 1 }],
      ['an unknown type', { type: 'deleteEverything' }],
      ['a prototype key as type', { type: 'toString' }],
      ['a host message type', { type: 'state', state }],
      ['an extra key', { type: 'ready', extra: true }],
      ['setStyle without style', { type: 'setStyle' }],
      ['setStyle with level 0', { type: 'setStyle', style: { rubricId: 'a', level: 0 } }],
      ['setStyle with level 6', { type: 'setStyle', style: { rubricId: 'a', level: 6 } }],
      ['setStyle with level 2.5', { type: 'setStyle', style: { rubricId: 'a', level: 2.5 } }],
      ['setStyle with level "3"', { type: 'setStyle', style: { rubricId: 'a', level: '3' } }],
      ['setStyle with an empty rubric id', { type: 'setStyle', style: { rubricId: '', level: 3 } }],
      ['setStyle with a numeric rubric id', { type: 'setStyle', style: { rubricId: 7, level: 3 } }],
      ['setStyle with an extra style key', { type: 'setStyle', style: { rubricId: 'a', level: 3, x: 1 } }],
      ['setStyle with an array style', { type: 'setStyle', style: ['a', 3] }],
      ['accept without id', { type: 'accept' }],
      ['accept with an empty id', { type: 'accept', id: '' }],
      ['reject with a numeric id', { type: 'reject', id: 5 }],
      ['openProblem with a negative index', { type: 'openProblem', index: -1 }],
      ['openProblem with a fractional index', { type: 'openProblem', index: 0.5 }],
      ['openProblem with a file path', { type: 'openProblem', file: '/etc/passwd' }],
      ['openProblem with NaN', { type: 'openProblem', index: Number.NaN }],
      [
        'a class instance',
        new (class Msg {
          type = 'ready';
        })(),
      ],
    ];
    for (const [name, m] of malformed) {
      it(`rejects ${name}`, () => assert.equal(isWebviewToHost(m), false));
    }

    it('rejects a message whose prototype carries the type', () => {
      assert.equal(isWebviewToHost(Object.create({ type: 'ready' })), false);
    });
  });

  describe('host → webview', () => {
    for (const m of validFromHost) {
      it(`accepts ${m.type}${m.type === 'rewrite' ? `/${m.rewrite.phase}` : ''}`, () =>
        assert.equal(isHostToWebview(m), true));
    }

    const base = validFromHost[0];
    const malformed: [string, unknown][] = [
      ['null', null],
      ['an unknown type', { type: 'nope' }],
      ['a webview message type', { type: 'ready' }],
      ['state without state', { type: 'state' }],
      [
        'state missing rubrics',
        mutate(base, (c) => {
          delete (c.state as Record<string, unknown>).rubrics;
        }),
      ],
      [
        'state with an unknown key',
        mutate(base, (c) => {
          (c.state as Record<string, unknown>).secret = 1;
        }),
      ],
      [
        'a rubric with 4 level names',
        mutate(base, (c) => {
          ((c.state as SidebarState).rubrics[0].levels as string[]).pop();
        }),
      ],
      [
        'a rubric with a numeric title',
        mutate(base, (c) => {
          ((c.state as SidebarState).rubrics[0] as unknown as Record<string, unknown>).title = 3;
        }),
      ],
      [
        'a criterion with a string weight',
        mutate(base, (c) => {
          ((c.state as SidebarState).rubrics[0].criteria[0] as unknown as Record<string, unknown>).weight = '100';
        }),
      ],
      [
        'a criterion with 6 levels',
        mutate(base, (c) => {
          (c.state as SidebarState).rubrics[0].criteria[0].levels.push('f');
        }),
      ],
      [
        'a directive for level 6',
        mutate(base, (c) => {
          ((c.state as SidebarState).rubrics[0].directives as Record<string, string>)['6'] = 'x';
        }),
      ],
      [
        'a problem with a string line',
        mutate(base, (c) => {
          ((c.state as SidebarState).problems[0] as unknown as Record<string, unknown>).line = '3';
        }),
      ],
      [
        'a problem with an unknown severity',
        mutate(base, (c) => {
          ((c.state as SidebarState).problems[0] as unknown as Record<string, unknown>).severity = 'fatal';
        }),
      ],
      [
        'a model in an unknown state',
        mutate(base, (c) => {
          ((c.state as SidebarState).model as unknown as Record<string, unknown>).state = 'sleeping';
        }),
      ],
      [
        'a model with an unknown backend',
        mutate(base, (c) => {
          ((c.state as SidebarState).model as unknown as Record<string, unknown>).backend = 'tpu';
        }),
      ],
      [
        'a model with negative gpu layers',
        mutate(base, (c) => {
          (c.state as SidebarState).model.gpuLayers = -1;
        }),
      ],
      [
        'a history entry with decision "maybe"',
        mutate(base, (c) => {
          ((c.state as SidebarState).history[0] as unknown as Record<string, unknown>).decision = 'maybe';
        }),
      ],
      [
        'a history entry without output',
        mutate(base, (c) => {
          delete ((c.state as SidebarState).history[0] as unknown as Record<string, unknown>).output;
        }),
      ],
      [
        'a rewrite in an unknown phase',
        mutate(base, (c) => {
          ((c.state as SidebarState).rewrite as unknown as Record<string, unknown>).phase = 'paused';
        }),
      ],
      [
        'a rewrite with stats missing a field',
        mutate(base, (c) => {
          delete ((c.state as SidebarState).rewrite!.stats as unknown as Record<string, unknown>).totalMs;
        }),
      ],
      [
        'a prompt mode of "auto"',
        mutate(base, (c) => {
          (c.state as Record<string, unknown>).promptMode = 'auto';
        }),
      ],
      ['a style with level 9', { type: 'style', style: { rubricId: 'a', level: 9 }, promptMode: 'rubric' }],
      ['style without promptMode', { type: 'style', style: { rubricId: 'a', level: 1 } }],
      ['history that is not an array', { type: 'history', history: {} }],
      ['rewrite without a view', { type: 'rewrite' }],
      ['a rewrite event (the old shape)', { type: 'rewrite', event: { type: 'token', id: 'r', text: 'a' } }],
      ['a view in an unknown phase', view({ phase: 'paused' })],
      ['a view with numeric text', view({ text: 1 })],
      ['a view with an empty id', view({ id: '' })],
      ['a view at level 0', view({ level: 0 })],
      ['a view with an unknown key', view({ original: 'x' })],
      ['stats with infinite tokens/s', view({ phase: 'done', stats: { ...stats, tokensPerSecond: Infinity } })],
      ['markup lost that is not a list', view({ markupLost: 'lost' })],
      ['markup lost with a number', view({ markupLost: [1] })],
      [
        'a candidate scored in words',
        view({ candidate: { index: 0, count: 2, score: 'high', target: 70, critique: '' } }),
      ],
      ['an oversized text', view({ text: 'x'.repeat(10_000_001) })],
    ];
    it('accepts the unmutated JSON copy the malformed cases start from', () => {
      assert.equal(isHostToWebview(mutate(base, () => {})), true);
    });
    for (const [name, m] of malformed) {
      it(`rejects ${name}`, () => assert.equal(isHostToWebview(m), false));
    }

    it('isSidebarState accepts a full state and rejects a stale shape', () => {
      assert.equal(isSidebarState(state), true);
      assert.equal(isSidebarState({ rubrics: [], style: { rubricId: 'a', level: 3 } }), false);
      assert.equal(isSidebarState(undefined), false);
    });
  });

  it('describeMessage names the type but never echoes content', () => {
    assert.equal(describeMessage({ type: 'nope', secret: 'password' }), 'type "nope"');
    assert.equal(describeMessage(null), 'null');
    assert.equal(describeMessage([1]), 'an array');
    assert.equal(describeMessage('hello'), 'a string');
    assert.ok(!describeMessage({ type: 'x'.repeat(100) }).includes('x'.repeat(41)));
  });
});

describe('webview applyHostMessage and awaitingDecision', () => {
  const fresh: SidebarState = { ...state, rewrite: undefined, history: [] };

  it('ignores partial updates before the first full state', () => {
    assert.equal(applyHostMessage(undefined, { type: 'history', history: [] }), undefined);
    assert.deepEqual(applyHostMessage(undefined, { type: 'state', state: fresh }), fresh);
  });

  it('replaces the rewrite with each view the host posts, and offers a decision only on an undecided preview', () => {
    let s: SidebarState | undefined = fresh;
    const streaming = { id: 'a', rubricId: 'formality', level: 4, phase: 'streaming', text: 'Hel' } as const;
    s = applyHostMessage(s, { type: 'rewrite', rewrite: streaming });
    assert.deepEqual(s?.rewrite, streaming);
    assert.equal(awaitingDecision(s!), false, 'no decision while streaming');
    const done = { ...streaming, phase: 'done', text: 'Hello!', stats } as const;
    s = applyHostMessage(s, { type: 'rewrite', rewrite: done });
    assert.deepEqual(s?.rewrite, done);
    assert.equal(awaitingDecision(s!), true);
    s = applyHostMessage(s, {
      type: 'history',
      history: [
        { id: 'a', time: 't', rubricId: 'formality', level: 4, original: 'hi', output: 'Hello!', decision: 'accepted' },
      ],
    });
    assert.equal(awaitingDecision(s!), false, 'decided rewrites offer no Accept/Reject');
  });
});

describe("the sidebar's note", () => {
  it("carries the note from the sidebar's field to the host, and nothing but a string", () => {
    assert.equal(isWebviewToHost({ type: 'rewrite', note: 'keep it short' }), true);
    assert.equal(isWebviewToHost({ type: 'rewrite' }), true);
    assert.equal(isWebviewToHost({ type: 'rewrite', note: 5 }), false);
    assert.equal(isWebviewToHost({ type: 'rewrite', note: 'x', extra: true }), false);
  });
});
