// In a real VS Code whose display language is the pseudo locale (test/host/run-locale.mjs): every string of
// the manifest (commands, settings, views, walkthrough), the messages commands show and the model status
// item come from the extension's bundles, so every letter a writer sees lies inside ⟦…⟧ markers or is data
// named here (paths, rubric names, product names). The webview's words, rendered from the same pseudo bundle,
// are checked in Chromium by test/process/webview-l10n.test.ts.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CptWriterApi, CptWriterTestApi } from '../../src/vscode/api';
import { ROOT, shownMarkdown, untranslated } from '../unit/helpers/pseudo-l10n';

const OPEN = '⟦';

function assertTranslated(what: string, visible: string, data: readonly string[] = []): void {
  assert.ok(visible.includes(OPEN), `${what}: nothing came through the bundle: ${visible}`);
  assert.strictEqual(untranslated(visible, data), '', `${what} shows words that are not in the bundle: ${visible}`);
}

/** Every `%key%` string of the checked-in manifest, by its path (the localised manifest has the same shape). */
function placeholders(node: unknown, at: string[] = [], out: { at: string[]; key: string }[] = []) {
  if (typeof node === 'string') {
    const m = /^%(.+)%$/.exec(node);
    if (m) out.push({ at, key: m[1] });
  } else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) placeholders(v, [...at, k], out);
  return out;
}

function valueAt(node: unknown, at: string[]): unknown {
  return at.reduce<unknown>(
    (n, k) => (n && typeof n === 'object' ? (n as Record<string, unknown>)[k] : undefined),
    node,
  );
}

describe('pseudo locale: what the extension shows comes from its bundles', function () {
  this.timeout(60_000);
  let api: CptWriterTestApi;

  before(async () => {
    const ext = vscode.extensions.getExtension<CptWriterApi>('cpt-writer.cpt-writer');
    assert.ok(ext, 'the extension is not installed');
    api = (await ext.activate()) as CptWriterTestApi;
    assert.ok(api.testing, 'the extension has no test seams (not in test mode)');
  });

  it('runs in the pseudo locale', () => {
    assert.strictEqual(vscode.env.language, process.env.CPT_WRITER_TEST_LOCALE);
  });

  it('the manifest: every command, setting, view and walkthrough string is translated', () => {
    const raw = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as unknown;
    const shown = vscode.extensions.getExtension('cpt-writer.cpt-writer')!.packageJSON as unknown;
    const found = placeholders(raw);
    assert.ok(found.length > 100, `only ${found.length} manifest strings`);
    for (const { at, key } of found) {
      // A command's title and category become { value, original } once localised (the palette searches both).
      const raw = valueAt(shown, at);
      const value = raw && typeof raw === 'object' ? (raw as { value?: unknown }).value : raw;
      assert.strictEqual(typeof value, 'string', `${at.join('.')} (${key}): ${JSON.stringify(raw)}`);
      assertTranslated(`${at.join('.')} (${key})`, shownMarkdown(value as string));
    }
  });

  it('messages commands show, with their buttons', async () => {
    const feedbackFile = process.env.CPT_WRITER_TEST_FEEDBACK!;
    await vscode.workspace.getConfiguration('cptWriter').update('feedback.path', feedbackFile, true);
    const from = api.testing.messages().length;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('cptWriter.rewriteSelectionWithCurrentStyle');
    await vscode.commands.executeCommand('cptWriter.openFeedbackLog');
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: '# Only a heading\n' });
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('cptWriter.checkStyle', { rubricId: 'formality', target: 'median' });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    const shown = api.testing.messages().slice(from);
    assert.ok(shown.length >= 3, `only ${shown.length} messages: ${JSON.stringify(shown)}`);
    const data = [feedbackFile, path.basename(feedbackFile), 'Formality', 'formality'];
    for (const m of shown) {
      assertTranslated('message', m.message, data);
      for (const a of m.actions) assertTranslated(`button of "${m.message}"`, a, data);
    }
  });

  it('the model status item: its text and tooltip', () => {
    const item = api.testing.services.modelStatusItem;
    const tooltip = typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? '');
    assertTranslated('model status text', shownMarkdown(item.text));
    assertTranslated('model status tooltip', shownMarkdown(tooltip), ['CPT Writer']);
  });
});
