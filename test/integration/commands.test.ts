// The extension activates in the host, registers every contributed command, and starts no engine yet.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { getApi } from './helpers';

describe('extension activation and commands', () => {
  it('registers every command the manifest contributes', async () => {
    const api = await getApi();
    const ext = vscode.extensions.getExtension('cpt-writer.cpt-writer')!;
    const contributed = (ext.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands.map((c) => c.command);
    assert.ok(contributed.length >= 13, `only ${contributed.length} commands contributed`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepStrictEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
    assert.strictEqual(api.version, 1);
  });

  it('keeps activationEvents empty and declares limited support for untrusted workspaces', () => {
    const pkg = vscode.extensions.getExtension('cpt-writer.cpt-writer')!.packageJSON as {
      activationEvents: string[]; capabilities: { untrustedWorkspaces: { supported: string; description: string } };
    };
    assert.deepStrictEqual(pkg.activationEvents, []);
    assert.strictEqual(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(pkg.capabilities.untrustedWorkspaces.description.length > 20);
  });

  it('starts with no rewrite active and the context keys all false', async () => {
    const api = await getApi();
    assert.strictEqual(api.testing.services.rewrite.snapshot().phase, 'idle');
    assert.deepStrictEqual(api.testing.services.rewrite.contextKeys(), { streaming: false, previewVisible: false, rewriteActive: false });
  });

  it('accepts a rubric id and level as arguments for the style', async () => {
    const api = await getApi();
    const style = await vscode.commands.executeCommand<{ rubricId: string; level: number }>('cptWriter.selectStyle', 'concision', 4);
    assert.deepStrictEqual(style, { rubricId: 'concision', level: 4 });
    assert.deepStrictEqual(api.testing.services.style.get(), { rubricId: 'concision', level: 4 });
    const viaObject = await vscode.commands.executeCommand('cptWriter.selectStyle', { rubricId: 'formality', level: 2 });
    assert.deepStrictEqual(viaObject, { rubricId: 'formality', level: 2 });
  });

  it('reports an unknown rubric id instead of rewriting', async () => {
    const api = await getApi();
    const before = api.testing.messages().length;
    const result = await vscode.commands.executeCommand('cptWriter.selectStyle', 'no-such-rubric', 3);
    assert.strictEqual(result, undefined);
    const shown = api.testing.messages().slice(before);
    assert.ok(shown.some((m) => m.severity === 'error' && m.message.includes('no-such-rubric') && m.message.includes('formality')), JSON.stringify(shown));
  });
});
