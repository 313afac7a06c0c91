import * as assert from 'node:assert/strict';
import type { Rubric } from '../../src/core/rubrics/types';
import { isHostToWebview, type ModelStatusView } from '../../src/shared/protocol';
import { cleanModelStatus, cleanStats, toModelStatusView, toRubricView } from '../../src/vscode/sidebar/views';

const rubric: Rubric = {
  id: 'warmth',
  title: 'Warmth',
  summary: 'How warm.',
  levels: ['Cold', 'Cool', 'Even', 'Warm', 'Glowing'],
  criteria: [{ name: 'Tone', weight: 100, levels: ['a', 'b', 'c', 'd', 'e'] }],
  scoring: 'judge notes',
  directives: { 2: 'Be cool.', 4: 'Be warm.' },
  source: { file: '/abs/rubrics/warmth.yaml', builtin: false },
  hash: '0123456789abcdef',
};

describe('sidebar view mapping', () => {
  it('maps a rubric to a view that validates, without its file path, hash or judge notes', () => {
    const view = toRubricView(rubric);
    assert.deepEqual(view, {
      id: 'warmth',
      title: 'Warmth',
      summary: 'How warm.',
      levels: rubric.levels,
      criteria: [{ name: 'Tone', weight: 100, levels: ['a', 'b', 'c', 'd', 'e'] }],
      directives: { 2: 'Be cool.', 4: 'Be warm.' },
      builtin: false,
    });
    assert.equal(isHostToWebview({ type: 'rubrics', rubrics: [view], problems: [], promptMode: 'rubric' }), true);
    // A copy: changing the view leaves the loaded rubric alone.
    view.levels[0] = 'changed';
    assert.equal(rubric.levels[0], 'Cold');
  });

  it('makes non-finite stats 0 so a finished rewrite view still validates', () => {
    const raw = {
      promptTokens: 12.4,
      reusedPromptTokens: -3,
      outputTokens: 0,
      timeToFirstTokenMs: NaN,
      tokensPerSecond: Infinity,
      totalMs: 5,
    };
    const view = { id: 'r', rubricId: 'formality', level: 3, phase: 'done', text: '' } as const;
    const bad = { type: 'rewrite', rewrite: { ...view, stats: raw } };
    assert.equal(isHostToWebview(bad), false, 'the raw stats must fail, or this test proves nothing');
    const stats = cleanStats(raw);
    assert.deepEqual(stats, {
      promptTokens: 12,
      reusedPromptTokens: 0,
      outputTokens: 0,
      timeToFirstTokenMs: 0,
      tokensPerSecond: 0,
      totalMs: 5,
    });
    assert.equal(isHostToWebview({ type: 'rewrite', rewrite: { ...view, stats } }), true);
  });

  it('cleans a model status: drops unknown and undefined keys, clamps percent, rounds layers', () => {
    const raw = {
      state: 'loading',
      name: 'm',
      percent: 140,
      gpuLayers: 3.6,
      warning: undefined,
      extra: 'x',
    } as unknown as ModelStatusView;
    assert.equal(isHostToWebview({ type: 'model', model: raw, promptMode: 'rubric' }), false);
    const clean = cleanModelStatus(raw);
    assert.deepEqual(clean, { state: 'loading', name: 'm', percent: 100, gpuLayers: 4 });
    assert.equal(isHostToWebview({ type: 'model', model: clean, promptMode: 'rubric' }), true);
    assert.deepEqual(cleanModelStatus({ state: 'loading', percent: NaN }), { state: 'loading', percent: 0 });
    assert.deepEqual(cleanModelStatus({ state: 'error', error: 'bad file' }), { state: 'error', error: 'bad file' });
  });

  it(
    "shows the model service's status as a view: unloaded as none with its name, loading in percent, " +
      'ready with its warnings',
    () => {
      assert.deepEqual(toModelStatusView({ state: 'none' }), { state: 'none' });
      assert.deepEqual(toModelStatusView({ state: 'unloaded', spec: '/m/a.gguf', name: 'a.gguf' }), {
        state: 'none',
        name: 'a.gguf',
      });
      assert.deepEqual(
        toModelStatusView({ state: 'loading', spec: 'hf:o/r:Q4', name: 'r', phase: 'download', fraction: 0.426 }),
        { state: 'loading', name: 'r', percent: 43 },
      );
      assert.deepEqual(toModelStatusView({ state: 'error', spec: 's', name: 'n', message: 'not a GGUF file' }), {
        state: 'error',
        name: 'n',
        error: 'not a GGUF file',
      });
      const model = {
        name: 'Tiny',
        file: '/m/t.gguf',
        sizeBytes: 1,
        trainedContextSize: 1,
        architecture: 'llama',
        cptTuned: false,
      };
      const ready = toModelStatusView({
        state: 'ready',
        spec: model.file,
        name: model.name,
        model,
        backend: 'cuda',
        gpuLayers: 3,
        totalLayers: 4,
        testModel: true,
        gpuFallback: 'only 3 layers fit',
      });
      assert.deepEqual(ready, {
        state: 'ready',
        name: 'Tiny',
        backend: 'cuda',
        gpuLayers: 3,
        totalLayers: 4,
        warning: 'random-weight test model: its output is gibberish; GPU fallback: only 3 layers fit',
      });
      assert.equal(isHostToWebview({ type: 'model', model: cleanModelStatus(ready), promptMode: 'rubric' }), true);
      assert.equal(
        toModelStatusView({
          state: 'ready',
          spec: model.file,
          name: model.name,
          model,
          backend: 'cpu',
          gpuLayers: 0,
          totalLayers: 4,
          testModel: false,
        }).warning,
        undefined,
      );
    },
  );
});
