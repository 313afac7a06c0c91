// The extension activates in the host, registers every contributed command, and starts no engine yet.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { RESTRICTED_SETTINGS } from '../../src/vscode/common/restricted-settings';
import { getApi } from './helpers';

describe('command registry and manifest', () => {
  it('registers exactly the commands the manifest contributes, under their documented ids', async () => {
    await getApi();
    const ext = vscode.extensions.getExtension('cpt-writer.cpt-writer')!;
    const manifest = ext.packageJSON as {
      contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]> };
    };
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepStrictEqual(contributed, [
      'cptWriter.acceptRewrite',
      'cptWriter.buildPreferencePairs',
      'cptWriter.cancelRewrite',
      'cptWriter.checkStyle',
      'cptWriter.checkStyleOfSelection',
      'cptWriter.clearFeedbackLog',
      'cptWriter.clearPromptCache',
      'cptWriter.compareRewrite',
      'cptWriter.evaluateModel',
      'cptWriter.generatePreferenceData',
      'cptWriter.getStarted',
      'cptWriter.installCudaBackend',
      'cptWriter.leaveAllChanges',
      'cptWriter.newRubric',
      'cptWriter.nextCandidate',
      'cptWriter.nextChange',
      'cptWriter.openFeedbackLog',
      'cptWriter.previousCandidate',
      'cptWriter.previousChange',
      'cptWriter.regenerateRewrite',
      'cptWriter.rejectRewrite',
      'cptWriter.removeCudaBackend',
      'cptWriter.rewriteAs.concision',
      'cptWriter.rewriteAs.confidence',
      'cptWriter.rewriteAs.formality',
      'cptWriter.rewriteAs.ornateness',
      'cptWriter.rewriteAs.technical-depth',
      'cptWriter.rewriteAs.warmth',
      'cptWriter.rewriteParagraphToLevel',
      'cptWriter.rewriteSelection',
      'cptWriter.rewriteSelectionWithCurrentStyle',
      'cptWriter.scoreSelection',
      'cptWriter.selectModel',
      'cptWriter.selectStyle',
      'cptWriter.setApiKey',
      'cptWriter.showLog',
      'cptWriter.takeAllChanges',
      'cptWriter.toggleChange',
      'cptWriter.toggleStyleLevels',
      'cptWriter.unloadModel',
    ]);
    // VS Code adds commands of its own for each contributed view (`<view id>.focus`, …); the rest are ours.
    const viewIds = Object.values(manifest.contributes.views)
      .flat()
      .map((v) => v.id);
    const registered = (await vscode.commands.getCommands(true))
      .filter((c) => c.startsWith('cptWriter.') && !viewIds.some((v) => c.startsWith(`${v}.`)))
      .sort();
    assert.deepStrictEqual(registered, contributed);
  });

  it('activates once startup has finished (for the lightbulb); untrusted workspaces restrict resource settings', () => {
    const pkg = vscode.extensions.getExtension('cpt-writer.cpt-writer')!.packageJSON as {
      activationEvents: string[];
      capabilities: {
        untrustedWorkspaces: { supported: string; description: string; restrictedConfigurations: string[] };
      };
    };
    assert.deepStrictEqual(pkg.activationEvents, ['onStartupFinished']);
    const untrusted = pkg.capabilities.untrustedWorkspaces;
    assert.strictEqual(untrusted.supported, 'limited');
    assert.deepStrictEqual(
      untrusted.restrictedConfigurations,
      RESTRICTED_SETTINGS.map((k) => `cptWriter.${k}`),
    );
    assert.match(untrusted.description, /\.cpt-writer\/rubrics/);
  });

  it('starts with no rewrite active and the context keys all false', async () => {
    const api = await getApi();
    assert.strictEqual(api.testing.services.rewrite.snapshot().phase, 'idle');
    assert.deepStrictEqual(api.testing.services.rewrite.presenter.contextKeys(), {
      streaming: false,
      previewVisible: false,
      rewriteActive: false,
      previewHasChanges: false,
      previewResources: [],
    });
  });

  it('accepts a rubric id and level as arguments for the style', async () => {
    const api = await getApi();
    const style = await vscode.commands.executeCommand<{ rubricId: string; level: number }>(
      'cptWriter.selectStyle',
      'concision',
      4,
    );
    assert.deepStrictEqual(style, { rubricId: 'concision', level: 4 });
    assert.deepStrictEqual(api.testing.services.style.get(), { rubricId: 'concision', level: 4 });
    const viaObject = await vscode.commands.executeCommand('cptWriter.selectStyle', {
      rubricId: 'formality',
      level: 2,
    });
    assert.deepStrictEqual(viaObject, { rubricId: 'formality', level: 2 });
  });

  it('reports an unknown rubric id instead of rewriting', async () => {
    const api = await getApi();
    const before = api.testing.messages().length;
    const result = await vscode.commands.executeCommand('cptWriter.selectStyle', 'no-such-rubric', 3);
    assert.strictEqual(result, undefined);
    const shown = api.testing.messages().slice(before);
    assert.ok(
      shown.some(
        (m) => m.severity === 'error' && m.message.includes('no-such-rubric') && m.message.includes('formality'),
      ),
      JSON.stringify(shown),
    );
  });
});
