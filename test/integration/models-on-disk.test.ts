// Select Model… offering the models already on this computer: a fixture Ollama store, LM Studio folder,
// Hugging Face hub cache and llama.cpp cache under a temporary HOME (the extension host is this process,
// so pointing HOME and the sources' variables at the fixture points the picker's scan there too).
import * as assert from 'assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CptWriterTestApi } from '../../src/vscode/api';
import { findLocalModels } from '../../src/core/models';
import { onDiskItems } from '../../src/vscode/model/select-model';
import { buildModelStores, SOURCE_ENV_CLEARED, type ModelStores } from '../fixtures/model-stores/build';
import { cleanUp, getApi, setSetting, testModelPath, useScriptedEngine, waitFor } from './helpers';

describe('Select Model… with models already on disk', function () {
  this.timeout(90_000);
  let api: CptWriterTestApi;
  let dir: string;
  let stores: ModelStores;
  let emptyModels: string;
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    api = await getApi();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-on-disk-'));
    stores = await buildModelStores(path.join(dir, 'home'));
    emptyModels = path.join(dir, 'empty-models');
    await fs.mkdir(emptyModels, { recursive: true });
    for (const key of ['HOME', ...Object.keys(SOURCE_ENV_CLEARED)]) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
    process.env.HOME = stores.home;
    await setSetting('modelsDirectory', emptyModels);
  });
  after(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await setSetting('modelsDirectory', undefined);
    await setSetting('model', testModelPath());
    await api.testing.setEngineFactory(undefined);
    await cleanUp(api);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('lists the fixture layouts grouped by source, with the files it could not use', async () => {
    const scan = await findLocalModels({ modelsDirectory: emptyModels });
    const items = onDiskItems(scan, stores.expected['tiny:q4'].path, () => undefined);
    assert.deepStrictEqual(
      items.map((i) => (i.kind === vscode.QuickPickItemKind.Separator ? `# ${i.label}` : i.label)),
      [
        '# On this computer: Ollama',
        '$(check) tiny:q4',
        'someone/styler:latest',
        '# On this computer: LM Studio',
        'lmstudio-community/Tiny-GGUF/Tiny-Q4_K_S.gguf',
        '# On this computer: Hugging Face cache',
        'owner/Tiny-GGUF/tiny-Q5_K_M.gguf',
        '# On this computer: llama.cpp cache',
        'owner_Tiny-GGUF_tiny-IQ4_XS.gguf',
        '$(warning) 2 model files on this computer could not be used',
      ],
    );
    const styler = items.find((i) => i.label === 'someone/styler:latest');
    assert.match(styler?.description ?? '', /^Q6_K · \d+(\.\d)? (B|KB)$/);
    assert.strictEqual(styler?.detail, stores.expected['someone/styler:latest'].path);
  });

  it('runs in the workspace extension host, next to the files and models, as package.json declares', () => {
    const ext = vscode.extensions.getExtension('cpt-writer.cpt-writer');
    assert.deepStrictEqual((ext?.packageJSON as { extensionKind?: string[] }).extensionKind, ['workspace']);
    assert.strictEqual(ext?.extensionKind, vscode.ExtensionKind.Workspace);
  });

  it('picking one uses its file in place and saves cptWriter.model where it takes effect, saying where', async () => {
    const engine = await useScriptedEngine(api, {});
    const from = api.testing.messages().length;
    const running = vscode.commands.executeCommand<boolean>('cptWriter.selectModel');
    let settled = false;
    void running.then(() => (settled = true));
    // The picker opens at once and fills when the scan is done (Enter does nothing before); Enter then
    // takes its first entry, the first model on disk.
    await waitFor(
      'the model picker to be answered with Enter',
      () => {
        if (settled || engine.loads.length > 0) return true;
        void vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return false;
      },
      30_000,
    );
    assert.strictEqual(await running, true);
    const blob = stores.expected['tiny:q4'].path;
    assert.strictEqual(vscode.workspace.getConfiguration('cptWriter').get('model'), blob);
    assert.deepStrictEqual(engine.loads, [blob], 'the Ollama blob was not loaded in place');
    assert.deepStrictEqual(await fs.readdir(emptyModels), [], 'something was copied into the models folder');

    // code-server is a remote host: the machine-scoped setting lives in the Remote (Machine) settings.
    const remote = vscode.env.remoteName;
    assert.ok(remote, 'the test host is expected to be a remote window');
    const told = api.testing
      .messages()
      .slice(from)
      .find((m) => m.message.includes('cptWriter.model'));
    assert.ok(told, 'the writer was not told where the model was saved');
    assert.strictEqual(told.message, `Model saved as cptWriter.model in Remote settings (${remote}): ${blob}`);
    const runDir = process.env.CPT_HOST_RUN_DIR;
    assert.ok(runDir, 'CPT_HOST_RUN_DIR is not set by the harness');
    const machine = await fs.readFile(path.join(path.dirname(runDir), 'user-data', 'Machine', 'settings.json'), 'utf8');
    assert.ok(machine.includes(JSON.stringify(blob)), `the Machine settings do not hold the model:\n${machine}`);
  });
});
