// cptWriter.model set to an OpenAI-compatible server, in the host: a rewrite streamed from a loopback
// server (accepted as one undoable edit, logged with the server and model), a server that wants a key
// (told, with Set API Key…; the key kept in SecretStorage, never in settings), and the preset probe.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CptWriterTestApi } from '../../src/vscode/api';
import type { RewriteRunResult } from '../../src/vscode/preview/rewrite-controller';
import { serverItems } from '../../src/vscode/model/server-choice';
import { FakeOpenAIServer } from '../unit/helpers/openai-server';
import { cleanUp, getApi, messagesSince, openDoc, select, setSetting, waitFor } from './helpers';

const TEXT = '# Notes\n\nSo basically we just kind of stopped doing it one week.\n\nThe end.\n';
const TARGET = 'So basically we just kind of stopped doing it one week.';
const PROPOSAL = 'We discontinued the practice one week.';
const SERVED = 'served-writer-7b';

describe('OpenAI-compatible server as the model', function () {
  this.timeout(60_000);
  let api: CptWriterTestApi;
  let server: FakeOpenAIServer;
  let dir: string;
  let feedbackFile: string;
  let previousModel: string | undefined;

  before(async () => {
    api = await getApi();
    previousModel = vscode.workspace.getConfiguration('cptWriter').get<string>('model');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpt-endpoint-'));
    feedbackFile = path.join(dir, 'feedback.jsonl');
    await setSetting('feedback.path', feedbackFile);
    await setSetting('feedback.enabled', true);
  });

  beforeEach(async () => {
    server = new FakeOpenAIServer();
    server.models = [SERVED, 'another-model'];
    server.reply = () => PROPOSAL;
    await server.start();
  });

  afterEach(async () => {
    await cleanUp(api);
    await server.close();
  });

  after(async () => {
    await setSetting('endpointModel', undefined);
    await setSetting('model', previousModel || undefined);
    api.testing.services.models.settingsChanged();
  });

  it('rewrites through the server: streamed, accepted as one undo, logged with the server and model', async () => {
    const ready = await vscode.commands.executeCommand<boolean>('cptWriter.selectModel', {
      server: server.baseUrl,
      model: SERVED,
    });
    assert.strictEqual(ready, true);
    const status = api.testing.services.models.status;
    assert.ok(status.state === 'ready' && status.endpoint, `not ready on a server: ${JSON.stringify(status)}`);
    assert.strictEqual(status.endpoint.model, SERVED);
    assert.strictEqual(status.endpoint.server, server.baseUrl);
    assert.strictEqual(vscode.workspace.getConfiguration('cptWriter').get('endpointModel'), SERVED);

    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const result = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 4);
    assert.strictEqual(result?.outcome, 'preview', JSON.stringify(result));
    assert.strictEqual(result.outcome === 'preview' && result.proposal, PROPOSAL);
    const chat = server.chats.at(-1);
    assert.ok(chat, 'the server got no chat request');
    assert.strictEqual(chat.body.model, SERVED);
    assert.strictEqual(chat.body.stream, true, 'the preview was not streamed');
    assert.strictEqual(editor.document.getText(), TEXT, 'the preview touched the document');

    const accepted = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite');
    assert.strictEqual(accepted?.outcome, 'accepted');
    assert.strictEqual(editor.document.getText(), TEXT.replace(TARGET, PROPOSAL));
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(editor.document.getText(), TEXT, 'one undo did not restore the original');

    const id = result.outcome === 'preview' ? result.rewriteId : '';
    const logged = await waitFor('the rewrite event in the feedback log', () =>
      fs.existsSync(feedbackFile)
        ? fs
            .readFileSync(feedbackFile, 'utf8')
            .split('\n')
            .filter((l) => l.trim())
            .map((l) => JSON.parse(l) as { type: string; id?: string; model?: { name: string; file: string } })
            .find((e) => e.type === 'rewrite' && e.id === id)
        : undefined,
    );
    assert.deepStrictEqual(logged.model, { name: SERVED, file: server.baseUrl });
  });

  it('a server that wants a key says so and offers Set API Key…; the key goes to SecretStorage', async () => {
    server.requiredKey = 'sk-endpoint-test-key-123';
    const from = api.testing.messages().length;
    const ok = await vscode.commands.executeCommand<boolean>('cptWriter.selectModel', {
      server: server.baseUrl,
      model: SERVED,
    });
    assert.strictEqual(ok, false);
    const shown = messagesSince(api, from).find((m) => m.severity === 'error' && /needs an API key/.test(m.message));
    assert.ok(shown, `no message about the key: ${JSON.stringify(messagesSince(api, from))}`);
    assert.ok(shown.message.includes(server.baseUrl), 'the message does not name the server');
    assert.ok(shown.actions.includes('Set API Key…'), `actions: ${shown.actions.join(', ')}`);
    assert.strictEqual(api.testing.services.models.status.state, 'error');

    const stored = await vscode.commands.executeCommand<boolean>('cptWriter.setApiKey', {
      server: server.baseUrl,
      key: 'sk-endpoint-test-key-123',
    });
    assert.strictEqual(stored, true);
    const ready = await api.testing.services.models.ensureReady();
    assert.ok(ready, 'still not ready with the key');
    assert.strictEqual(server.requests.at(-1)?.authorization, 'Bearer sk-endpoint-test-key-123');
    const settings = JSON.stringify(vscode.workspace.getConfiguration('cptWriter'));
    assert.ok(!settings.includes('sk-endpoint-test-key-123'), 'the key is in the settings');

    // A wrong model name: told, naming what the server serves.
    const before = api.testing.messages().length;
    await setSetting('endpointModel', 'no-such-model');
    api.testing.services.models.settingsChanged();
    assert.strictEqual(await api.testing.services.models.ensureReady(), undefined);
    const wrong = messagesSince(api, before).find((m) => /does not serve the model "no-such-model"/.test(m.message));
    assert.ok(wrong && wrong.message.includes(SERVED), `no wrong-model message: ${JSON.stringify(wrong)}`);
    await vscode.commands.executeCommand('cptWriter.setApiKey', { server: server.baseUrl, key: '' });
  });

  it('Select Model… offers a preset server that answers (probed at its well-known port)', async () => {
    const ollama = new FakeOpenAIServer();
    ollama.models = ['llama3.2:3b'];
    await ollama.start(11434);
    try {
      const items = await serverItems({});
      const offered = items.find((i) => i.label.includes('Ollama'));
      assert.ok(offered, `Ollama not offered: ${JSON.stringify(items.map((i) => i.label))}`);
      assert.strictEqual(offered.detail, 'http://localhost:11434/v1');
      assert.ok(items.some((i) => i.label.includes('Use a server…')));
      assert.ok(!items.some((i) => i.label.includes('LM Studio')) || (await portAnswers(1234)));
    } finally {
      await ollama.close();
    }
  });
});

/** Whether something OpenAI-compatible really runs on this machine at the port (then it is rightly offered). */
async function portAnswers(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://localhost:${port}/v1/models`)).ok;
  } catch {
    return false;
  }
}
