import assert from 'node:assert/strict';
import { contextOverflow } from '../../src/core/endpoint';

describe('endpoint: a refusal as too long for the context', () => {
  it("reads llama.cpp server's fields, whatever its message says", () => {
    assert.deepEqual(
      contextOverflow({ type: 'exceed_context_size_error', n_prompt_tokens: 5120, n_ctx: 4096 }, 'any words'),
      { tokens: 5120, contextSize: 4096 },
    );
  });

  it('reads the sentences OpenAI-style servers and llama.cpp write', () => {
    assert.deepEqual(
      contextOverflow(
        { code: 'context_length_exceeded' },
        "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
      ),
      { tokens: 9000, contextSize: 8192 },
    );
    assert.deepEqual(
      contextOverflow(
        undefined,
        "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens " +
          '(4000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.',
      ),
      { tokens: 4000, contextSize: 4096 },
      'the prompt is the messages part, not the completion the request allowed',
    );
    assert.deepEqual(contextOverflow({}, 'request (4476 tokens) exceeds the available context size (4096 tokens)'), {
      tokens: 4476,
      contextSize: 4096,
    });
  });

  it('guesses no number: a refusal without both sizes, or with ones that are not whole counts, is not read', () => {
    assert.equal(contextOverflow({}, 'This model maximum context length is 4096 tokens'), undefined);
    assert.equal(contextOverflow({}, 'messages resulted in 9000 tokens'), undefined);
    assert.equal(contextOverflow({ n_prompt_tokens: 5120.5, n_ctx: 4096 }, ''), undefined);
    assert.equal(contextOverflow({ n_prompt_tokens: '5120', n_ctx: -1 }, ''), undefined);
    assert.equal(contextOverflow({ n_prompt_tokens: 1e12, n_ctx: 4096 }, ''), undefined);
    assert.equal(contextOverflow(null, "Unsupported parameter: 'response_format'"), undefined);
  });
});
