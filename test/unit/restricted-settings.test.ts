// Which restricted settings a workspace settings file sets. VS Code drops them from an untrusted workspace's
// configuration (inspect() does not show them), so the extension reads the file to tell the writer.
import assert from 'node:assert/strict';
import { plainJson, restrictedKeysIn } from '../../src/vscode/common/restricted-settings';

describe('restricted settings in a workspace settings file', () => {
  it('finds flat, nested and language-block keys, in the list order, and ignores the rest', () => {
    const text = `{
      // a comment with "quotes", and a comma,
      "cptWriter.maxTokens": 7,
      "cptWriter": { "judgeModel": "https://127.0.0.1:1/j.gguf", "context": { "maxTokens": 3 } },
      "[markdown]": { "cptWriter.bestOf": 4, },
      /* block */ "cptWriter.temperature": 0.1,
      "editor.fontSize": 12,
    }`;
    assert.deepEqual(restrictedKeysIn(text), ['judgeModel', 'bestOf', 'maxTokens', 'context.maxTokens']);
  });

  it("reads a .code-workspace file's settings property only", () => {
    const text = '{ "folders": [{ "path": "." }], "cptWriter.bestOf": 3, "settings": { "cptWriter.threads": 64 } }';
    assert.deepEqual(restrictedKeysIn(text, 'settings'), ['threads']);
  });

  it('sets nothing for text that is not JSON, or not an object', () => {
    assert.deepEqual(restrictedKeysIn('{ "cptWriter.bestOf": '), []);
    assert.deepEqual(restrictedKeysIn('["cptWriter.bestOf"]'), []);
    assert.deepEqual(restrictedKeysIn(''), []);
  });

  it('keeps strings whole: comment marks and ",}" inside them are text', () => {
    const text = '{ "a": "// not a comment, }", "b": "/* nor this */", "c": "x\\\\", "d": [1, 2,], }';
    assert.deepEqual(JSON.parse(plainJson(text)), {
      a: '// not a comment, }',
      b: '/* nor this */',
      c: 'x\\',
      d: [1, 2],
    });
  });
});
