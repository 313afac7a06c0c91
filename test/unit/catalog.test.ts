// The recommended models pass the same checks as a typed spec, and a bad entry is refused in the same
// words the input box and the engine use.
import assert from 'node:assert/strict';
import {
  MODEL_CATALOG,
  catalogEntryProblem,
  catalogSpec,
  modelSpecProblem,
  plainHttpRefusal,
} from '../../src/core/engine';

describe('model catalog', () => {
  it('every entry is an hf: URI or https: URL the engine accepts, with a unique id', () => {
    for (const m of MODEL_CATALOG) {
      assert.equal(catalogEntryProblem(m), undefined, m.label);
      assert.equal(modelSpecProblem(catalogSpec(m)), undefined, m.label);
      assert.match(m.spec, /^(hf:|https:\/\/)/);
      if (m.sha256) assert.match(m.sha256, /^[0-9a-f]{64}$/);
    }
    assert.equal(new Set(MODEL_CATALOG.map((m) => m.id)).size, MODEL_CATALOG.length);
  });

  it('an entry with a plain http: URL or a malformed pin gets the same refusal as the input box', () => {
    const http = { id: 'x', label: 'X', spec: 'http://mirror.example/x.gguf', approxSize: '1 GB', cptTuned: false };
    assert.equal(catalogEntryProblem(http), `X: ${plainHttpRefusal(http.spec)}`);
    assert.equal(catalogEntryProblem(http), `X: ${modelSpecProblem(http.spec)}`);
    const badPin = { ...http, spec: 'https://mirror.example/x.gguf', sha256: 'abc' };
    assert.equal(catalogEntryProblem(badPin), `X: ${modelSpecProblem(catalogSpec(badPin))}`);
    assert.equal(
      catalogSpec({ ...badPin, sha256: 'AB'.repeat(32) }),
      `https://mirror.example/x.gguf#sha256=${'ab'.repeat(32)}`,
    );
  });

  it('a file path is not a catalog entry', () => {
    assert.match(
      catalogEntryProblem({ id: 'f', label: 'F', spec: '/models/f.gguf', approxSize: '', cptTuned: false }) ?? '',
      /hf: URI or an https: URL/,
    );
  });
});
