// The preview's keys cannot misfire: read from the installed manifest, every preview key is scoped to
// the previewed document (`resource in cptWriter.previewResources`, a key the controller keeps in step
// with the preview), Escape gives way to the editor's own widgets, and Reject is not a delete key. The
// `when` clauses are evaluated here against the context a keypress would see, in the previewed document
// and in another one. (The e2e test presses the real keys in a second editor.)
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { CptWriterTestApi } from '../../src/vscode/api';
import { cleanUp, getApi, openDoc, select, useScriptedEngine, waitFor } from './helpers';

interface Keybinding {
  command: string;
  key: string;
  mac?: string;
  when: string;
}

type Context = Record<string, boolean | string | string[]>;

/**
 * Evaluates a `when` clause made only of `&&`, `!key`, `key` and `key in listKey` terms (the only forms
 * the preview's keys use; anything else fails the test, so a clause cannot drift out of what is checked).
 */
function evaluate(when: string, ctx: Context): boolean {
  return when
    .split('&&')
    .map((t) => t.trim())
    .every((term) => {
      let m = /^!([\w.]+)$/.exec(term);
      if (m) return !ctx[m[1]];
      m = /^([\w.]+) in ([\w.]+)$/.exec(term);
      if (m) {
        const list = ctx[m[2]];
        return Array.isArray(list) && list.includes(String(ctx[m[1]]));
      }
      m = /^([\w.]+)$/.exec(term);
      if (m) return !!ctx[m[1]];
      throw new Error(`unexpected term "${term}" in "${when}"`);
    });
}

const PREVIEW_COMMANDS = [
  'cptWriter.acceptRewrite',
  'cptWriter.rejectRewrite',
  'cptWriter.regenerateRewrite',
  'cptWriter.cancelRewrite',
];
/** What VS Code's own keys in an editor need Escape for; the cancel key must give way to each. */
const ESCAPE_YIELDS_TO = [
  'suggestWidgetVisible',
  'findWidgetVisible',
  'inlineSuggestionVisible',
  'editorHasMultipleSelections',
  'renameInputVisible',
  'parameterHintsVisible',
  'inSnippetMode',
  'editorHoverVisible',
  'referenceSearchVisible',
  'markersNavigationVisible',
  'notificationToastsVisible',
];
/** Keys a writer uses to delete text: no preview action may sit on them. */
const DELETE_KEYS = [
  'ctrl+backspace',
  'alt+backspace',
  'cmd+backspace',
  'ctrl+delete',
  'alt+delete',
  'cmd+delete',
  'backspace',
  'delete',
];

describe('rewrite preview keys', function () {
  this.timeout(30_000);
  let api: CptWriterTestApi;
  let bindings: Keybinding[];

  before(async () => {
    api = await getApi();
    const pkg = vscode.extensions.getExtension('cpt-writer.cpt-writer')!.packageJSON as {
      contributes: { keybindings: Keybinding[] };
    };
    bindings = pkg.contributes.keybindings;
  });
  afterEach(async () => {
    await cleanUp(api);
  });
  after(async () => {
    await api.testing.setEngineFactory(undefined);
  });

  it("scopes every preview key to the previewed document and keeps it off the editor's own widgets", () => {
    const previewed = 'file:///work/notes.md';
    for (const command of PREVIEW_COMMANDS) {
      const b = bindings.find((k) => k.command === command);
      assert.ok(b, `${command} has no keybinding`);
      const streaming = command === 'cptWriter.cancelRewrite';
      const base: Context = {
        editorTextFocus: true,
        'cptWriter.previewVisible': !streaming,
        'cptWriter.streaming': streaming,
        'cptWriter.rewriteActive': true,
        'cptWriter.previewResources': [previewed],
        resource: previewed,
      };
      assert.ok(evaluate(b.when, base), `${command} does not fire in the previewed document: ${b.when}`);
      assert.ok(
        !evaluate(b.when, { ...base, resource: 'file:///work/other.md' }),
        `${command} fires in another document: ${b.when}`,
      );
      assert.ok(
        !evaluate(b.when, { ...base, 'cptWriter.previewResources': [] }),
        `${command} fires with no preview: ${b.when}`,
      );
      assert.ok(
        !evaluate(b.when, { ...base, editorTextFocus: false }),
        `${command} fires outside the editor: ${b.when}`,
      );
      for (const widget of ['suggestWidgetVisible', 'inlineSuggestionVisible', 'editorHasMultipleSelections']) {
        assert.ok(!evaluate(b.when, { ...base, [widget]: true }), `${command} takes its key from ${widget}: ${b.when}`);
      }
      if (streaming) {
        assert.strictEqual(b.key, 'escape');
        for (const widget of ESCAPE_YIELDS_TO)
          assert.ok(!evaluate(b.when, { ...base, [widget]: true }), `Escape does not give way to ${widget}: ${b.when}`);
        // Escape also closes a finished preview (Cancel: nothing recorded), as the tooltip says.
        assert.ok(
          evaluate(b.when, { ...base, 'cptWriter.streaming': false, 'cptWriter.previewVisible': true }),
          `Escape does not close a finished preview: ${b.when}`,
        );
        assert.ok(
          !evaluate(b.when, { ...base, 'cptWriter.streaming': false, 'cptWriter.rewriteActive': false }),
          `Escape fires with no rewrite open: ${b.when}`,
        );
      } else {
        assert.ok(
          !evaluate(b.when, { ...base, 'cptWriter.previewVisible': false, 'cptWriter.streaming': true }),
          `${command} fires while streaming`,
        );
      }
    }
  });

  it('puts no preview action on a key writers delete text with', () => {
    for (const b of bindings.filter((k) => PREVIEW_COMMANDS.includes(k.command))) {
      for (const key of [b.key, b.mac].filter((k): k is string => !!k)) {
        assert.ok(!DELETE_KEYS.includes(key.toLowerCase()), `${b.command} is on ${key}, a delete key`);
      }
    }
    const reject = bindings.find((k) => k.command === 'cptWriter.rejectRewrite')!;
    assert.deepStrictEqual([reject.key, reject.mac], ['ctrl+shift+backspace', 'cmd+shift+backspace']);
  });

  it('Escape after streaming closes the preview with no decision; the history says Cancelled', async () => {
    await useScriptedEngine(api, { output: 'A shorter line.' });
    const editor = await openDoc('# Title\n\nA line that is much too long for what it says.\n');
    const before = editor.document.getText();
    select(editor, 'A line that is much too long for what it says.');
    const shown = await vscode.commands.executeCommand<{ outcome: string; rewriteId?: string }>(
      'cptWriter.rewriteSelection',
      'concision',
      4,
    );
    assert.strictEqual(shown?.outcome, 'preview');
    const escape = bindings.find((k) => k.key === 'escape' && k.command === 'cptWriter.cancelRewrite')!;
    const keys = api.testing.services.rewrite.presenter.contextKeys();
    const context: Context = {
      editorTextFocus: true,
      'cptWriter.previewVisible': keys.previewVisible,
      'cptWriter.streaming': keys.streaming,
      'cptWriter.rewriteActive': keys.rewriteActive,
      'cptWriter.previewResources': keys.previewResources,
      resource: editor.document.uri.toString(),
    };
    assert.ok(evaluate(escape.when, context), `Escape is not bound with the preview's keys: ${escape.when}`);
    await vscode.commands.executeCommand(escape.command);
    assert.strictEqual(api.testing.services.rewrite.snapshot().phase, 'idle');
    assert.strictEqual(editor.document.getText(), before);
    const entry = api.testing.services.rewrite.history().find((h) => h.id === shown?.rewriteId);
    assert.strictEqual(entry?.decision, 'cancelled', 'the history still says Pending (or a decision)');
  });

  it(
    'keeps the resource key in step with the preview: set to the previewed document while it is open, ' + 'empty after',
    async () => {
      await useScriptedEngine(api, { output: 'A shorter line.', delayMs: 10 });
      const editor = await openDoc('# Title\n\nA line that is much too long for what it says.\n');
      select(editor, 'A line that is much too long for what it says.');
      const running = vscode.commands.executeCommand('cptWriter.rewriteSelection', 'concision', 4);
      const uri = editor.document.uri.toString();
      // From the moment the rewrite starts: Escape must be scoped from the first token on.
      await waitFor('the rewrite to start', () => api.testing.services.rewrite.snapshot().phase !== 'idle');
      assert.deepStrictEqual(api.testing.services.rewrite.presenter.contextKeys().previewResources, [uri]);
      await running;
      assert.deepStrictEqual(api.testing.services.rewrite.presenter.contextKeys().previewResources, [uri]);
      // Another document becoming active changes nothing: the scope is the previewed document, not the active one.
      await openDoc('Another file.\n');
      assert.deepStrictEqual(api.testing.services.rewrite.presenter.contextKeys().previewResources, [uri]);
      api.testing.services.rewrite.cancel();
      assert.deepStrictEqual(api.testing.services.rewrite.presenter.contextKeys().previewResources, []);
    },
  );
});
