import assert from 'node:assert/strict';
import { UsageError, CliError } from '../../src/cli/command';
import { BackendInstallError } from '../../src/core/engine/backends';
import { EngineError } from '../../src/core/engine/types';
import { EndpointError } from '../../src/core/endpoint/errors';
import { CptError, TooLongError, isCancelled, tooLongOf } from '../../src/core/errors';
import { EvalConfigError } from '../../src/core/eval/run-types';
import { GenerateConfigError } from '../../src/core/generate/config';
import { JudgeCancelledError, JudgeError } from '../../src/core/judge';

describe('CptError and isCancelled', () => {
  it('every product error is a CptError with a stable code and its own name', () => {
    const cases: [Error, string, string][] = [
      [new UsageError('u'), 'USAGE', 'UsageError'],
      [new CliError('c', 3), 'CLI', 'CliError'],
      [new EngineError('MODEL_LOAD_FAILED', 'e'), 'MODEL_LOAD_FAILED', 'EngineError'],
      [new EndpointError('TIMEOUT', 't', 504), 'TIMEOUT', 'EndpointError'],
      [new BackendInstallError('BAD_PACKAGE', 'b'), 'BAD_PACKAGE', 'BackendInstallError'],
      [new EvalConfigError('x'), 'EVAL_CONFIG', 'EvalConfigError'],
      [new GenerateConfigError('/d', ['r']), 'GENERATE_CONFIG', 'GenerateConfigError'],
      [new JudgeError('j'), 'JUDGE', 'JudgeError'],
      [new JudgeCancelledError(), 'CANCELLED', 'JudgeCancelledError'],
      [new TooLongError(10, 8), 'TOO_LONG', 'TooLongError'],
    ];
    for (const [err, code, name] of cases) {
      assert.ok(err instanceof CptError, name);
      assert.equal((err as CptError).code, code, name);
      assert.equal(err.name, name);
    }
    assert.equal(new CliError('c', 3).exitCode, 3);
    assert.equal(new EndpointError('TIMEOUT', 't', 504).status, 504);
  });

  it('recognises every way a job ends early, and nothing else', () => {
    const ac = new AbortController();
    ac.abort();
    const cancelled: unknown[] = [
      new EngineError('CANCELLED', 'load cancelled'),
      new BackendInstallError('CANCELLED', 'install cancelled'),
      new JudgeCancelledError(),
      ac.signal.reason,
      new DOMException('stopped', 'AbortError'),
      Object.assign(new Error('copy of core'), { code: 'CANCELLED' }),
    ];
    for (const err of cancelled) assert.equal(isCancelled(err), true, String(err));
    const failed: unknown[] = [
      new EngineError('ENGINE_CRASHED', 'crash'),
      new JudgeError('no score'),
      new Error('CANCELLED'),
      'CANCELLED',
      { code: 'CANCELLED' },
      undefined,
    ];
    for (const err of failed) assert.equal(isCancelled(err), false, String(err));
  });

  it('tooLongOf reads the numbers of a too-long prompt from the error, never from its message', () => {
    assert.deepEqual(tooLongOf(new TooLongError(1500, 1024)), { tokens: 1500, contextSize: 1024 });
    assert.equal(new TooLongError(1500, 1024).message, 'the prompt is 1500 tokens, too long for a 1024-token context');
    assert.equal(new TooLongError(3, 2, 'mine').message, 'mine');
    // A look-alike from a second copy of core counts, by shape.
    const copy = Object.assign(new Error('x'), { code: 'TOO_LONG', tokens: 9, contextSize: 4 });
    assert.deepEqual(tooLongOf(copy), { tokens: 9, contextSize: 4 });
    const not: unknown[] = [
      // The old engine message, which callers used to parse: no longer read.
      new EngineError('INTERNAL', 'The prompt is too long for the context: 1500 tokens, context size 1024.'),
      Object.assign(new Error('x'), { code: 'TOO_LONG' }),
      Object.assign(new Error('x'), { code: 'TOO_LONG', tokens: '9', contextSize: 4 }),
      { code: 'TOO_LONG', tokens: 9, contextSize: 4 },
      undefined,
    ];
    for (const err of not) assert.equal(tooLongOf(err), undefined, String(err));
  });
});
