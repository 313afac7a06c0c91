// What activate() hands to other extensions. The test seams (swap the engine, read the services) exist
// only in ExtensionMode.Test; test/e2e/api.e2e.ts checks the same on an installed VSIX from a second
// extension, as any other extension would see it.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { extensionApi } from '../../src/vscode/api';
import type { CptWriterTesting } from '../../src/vscode/api';
import { getApi } from './helpers';

describe('extension API', () => {
  it(
    'in Production and Development mode is { version: 1 } alone, frozen, and never builds the test ' + 'seams',
    async () => {
      const seams = (await getApi()).testing;
      for (const mode of [vscode.ExtensionMode.Production, vscode.ExtensionMode.Development]) {
        let built = false;
        const api = extensionApi(mode, (): CptWriterTesting => {
          built = true;
          return seams;
        });
        assert.deepStrictEqual(api, { version: 1 }, vscode.ExtensionMode[mode]);
        assert.deepStrictEqual(Reflect.ownKeys(api), ['version'], vscode.ExtensionMode[mode]);
        assert.ok(Object.isFrozen(api), `${vscode.ExtensionMode[mode]}: another extension could add to the API object`);
        assert.strictEqual(built, false, `${vscode.ExtensionMode[mode]}: the test seams were built`);
      }
    },
  );

  it('in Test mode, which this host gives the extension, carries the seams the in-host tests use', async () => {
    const api = await getApi();
    const exports = vscode.extensions.getExtension('cpt-writer.cpt-writer')!.exports as object;
    assert.strictEqual(exports, api);
    assert.deepStrictEqual(Reflect.ownKeys(api).sort(), ['testing', 'version']);
    assert.strictEqual(typeof api.testing.setEngineFactory, 'function');
    assert.strictEqual(extensionApi(vscode.ExtensionMode.Test, () => api.testing).testing, api.testing);
  });
});
