// Quick access in the real VS Code: the lightbulb (Ctrl+.) offers "Rewrite with Current Style" and
// "Rewrite as…" on a selection and nowhere else, its action runs a rewrite that one Accept applies, and
// the editor context submenu and the Getting Started walkthrough are contributed.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { CptWriterTestApi } from '../../src/vscode/api';
import type { RewriteRunResult } from '../../src/vscode/preview/rewrite-controller';
import type { StyleChoice } from '../../src/shared/protocol';
import { WALKTHROUGH_STEPS, walkthroughCompletionEvent } from '../../src/vscode/start/walkthrough-steps';
import { cleanUp, getApi, openDoc, select, useScriptedEngine, waitFor } from './helpers';

const TEXT = '# Notes\n\nSo basically we just kind of stopped doing it one week.\n\nThe end.\n';
const TARGET = 'So basically we just kind of stopped doing it one week.';
const PROPOSAL = 'We discontinued the practice one week.';
const KIND = vscode.CodeActionKind.RefactorRewrite.append('cptWriter');

async function ourCodeActions(editor: vscode.TextEditor): Promise<vscode.CodeAction[]> {
  const all = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider',
    editor.document.uri,
    editor.selection,
  );
  return (all ?? []).filter((a) => a.kind && KIND.contains(a.kind));
}

interface Manifest {
  contributes: {
    menus: Record<string, { command?: string; submenu?: string; when?: string }[]>;
    submenus: { id: string; label: string }[];
    commands: { command: string; title: string }[];
    walkthroughs: { id: string; title: string; steps: { id: string; title: string; completionEvents: string[] }[] }[];
  };
}

describe('quick access: lightbulb, context submenu, walkthrough', function () {
  this.timeout(30_000);
  let api: CptWriterTestApi;
  let styleBefore: StyleChoice;

  before(async () => {
    api = await getApi();
    styleBefore = api.testing.services.style.get();
  });
  afterEach(async () => {
    await cleanUp(api);
  });
  after(async () => {
    await api.testing.services.style.set(styleBefore);
    await api.testing.setEngineFactory(undefined);
  });

  it('offers both rewrites on a selection, naming the current style, and none on an empty one', async () => {
    await useScriptedEngine(api, { output: PROPOSAL });
    await api.testing.services.style.set({ rubricId: 'formality', level: 4 });
    const editor = await openDoc(TEXT);
    editor.selection = new vscode.Selection(2, 5, 2, 5);
    assert.deepStrictEqual(
      (await ourCodeActions(editor)).map((a) => a.title),
      [],
      'the lightbulb follows the bare cursor',
    );
    select(editor, TARGET);
    const actions = await ourCodeActions(editor);
    assert.deepStrictEqual(
      actions.map((a) => [a.title, a.command?.command]),
      [
        ['Rewrite with Current Style (Formality · Professional)', 'cptWriter.rewriteSelectionWithCurrentStyle'],
        ['Rewrite as…', 'cptWriter.rewriteSelection'],
      ],
    );
  });

  it('runs a rewrite from the lightbulb that one Accept applies, and offers nothing while it is open', async () => {
    const engine = await useScriptedEngine(api, { output: PROPOSAL });
    await api.testing.services.style.set({ rubricId: 'formality', level: 4 });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const [withCurrent] = await ourCodeActions(editor);
    assert.ok(withCurrent?.command, 'no code action to run');
    const result = await vscode.commands.executeCommand<RewriteRunResult>(
      withCurrent.command.command,
      ...(withCurrent.command.arguments ?? []),
    );
    assert.strictEqual(result?.outcome, 'preview');
    assert.strictEqual(engine.requests.length, 1);
    assert.ok(engine.requests[0].user.includes(TARGET), 'the selection did not reach the model');
    assert.match(api.testing.services.rewrite.presenter.previewShown()?.author ?? '', /Formality/);
    assert.strictEqual(editor.document.getText(), TEXT, 'the preview changed the document');

    select(editor, 'The end.');
    assert.deepStrictEqual((await ourCodeActions(editor)).length, 0, 'a second rewrite is offered while one is open');

    const accepted = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite');
    assert.strictEqual(accepted?.outcome, 'accepted');
    assert.strictEqual(editor.document.getText(), TEXT.replace(TARGET, PROPOSAL));
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(editor.document.getText(), TEXT, 'one undo did not restore the original');
  });

  it('rewrites with a built-in rubric from its submenu entry after the level pick', async () => {
    const engine = await useScriptedEngine(api, { output: PROPOSAL });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const running = vscode.commands.executeCommand<RewriteRunResult | undefined>('cptWriter.rewriteAs.warmth');
    let result: RewriteRunResult | undefined;
    let settled = false;
    void running.then((r) => {
      result = r;
      settled = true;
    });
    // Enter on the level pick takes the current level; Enter on the note pick takes "No note".
    await waitFor(
      'the level and note picks to be answered with Enter',
      () => {
        if (engine.requests.length > 0 || settled) return true;
        void vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return false;
      },
      15_000,
    );
    assert.strictEqual((await running)?.outcome, 'preview', JSON.stringify(result));
    assert.match(api.testing.services.rewrite.presenter.previewShown()?.author ?? '', /Warmth/);
    assert.strictEqual(
      api.testing.services.style.get().rubricId,
      'warmth',
      'the picked style did not become the current one',
    );
  });

  it('contributes the context submenu with each built-in rubric, and the Getting Started walkthrough', () => {
    const manifest = vscode.extensions.getExtension('cpt-writer.cpt-writer')!.packageJSON as Manifest;
    const { menus, submenus, commands, walkthroughs } = manifest.contributes;
    assert.deepStrictEqual(
      menus['editor/context'].filter((m) => m.submenu === 'cptWriter.rewrite').map((m) => m.when),
      ['editorHasSelection && !cptWriter.rewriteActive'],
    );
    // VS Code resolved the %key% placeholders from package.nls.json.
    assert.strictEqual(submenus.find((s) => s.id === 'cptWriter.rewrite')?.label, 'CPT Writer');
    const titles = new Map(commands.map((c) => [c.command, c.title]));
    assert.deepStrictEqual(
      menus['cptWriter.rewrite'].map((m) => titles.get(m.command!)),
      [
        'Rewrite Selection with Current Style',
        'Rewrite Selection…',
        'Rewrite for Concision…',
        'Rewrite for Confidence…',
        'Rewrite for Formality…',
        'Rewrite for Ornateness…',
        'Rewrite for Technical Depth…',
        'Rewrite for Warmth…',
        'Score Selection against Rubric',
      ],
    );
    const walkthrough = walkthroughs.find((w) => w.id === 'cptWriter.gettingStarted');
    assert.ok(walkthrough, 'no Getting Started walkthrough');
    assert.strictEqual(walkthrough.title, 'Get started with CPT Writer');
    assert.deepStrictEqual(
      walkthrough.steps.map((s) => s.title),
      ['Choose a model', 'Pick a style', 'Rewrite a selection', 'Accept, reject or edit', 'Build preference pairs'],
    );
    // Each step ticks on state the extension keeps (src/vscode/start/walkthrough-progress.ts), not on a command.
    assert.deepStrictEqual(
      walkthrough.steps.map((s) => s.completionEvents),
      WALKTHROUGH_STEPS.map((s) => [walkthroughCompletionEvent(s)]),
    );
  });
});
