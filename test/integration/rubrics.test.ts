// Rubrics in the host: built-in plus the workspace's .cpt-writer/rubrics; a broken file is reported
// with FILE:LINE:COL while every valid rubric stays usable.
import * as assert from 'assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { isHostToWebview } from '../../src/shared/protocol';
import type { CptWriterTestApi } from '../../src/vscode/api';
import { createRewriteActions } from '../../src/vscode/preview/rewrite-actions';
import type { RewriteRunResult } from '../../src/vscode/preview/rewrite-controller';
import { rubricFolderPlan, rubricFolders } from '../../src/vscode/rubrics/rubric-service';
import { sidebarDeps } from '../../src/vscode/sidebar/adapter';
import { SidebarProvider } from '../../src/vscode/sidebar/provider';
import { cleanUp, getApi, openDoc, select, setSetting, useScriptedEngine, waitFor } from './helpers';

describe('rubrics in the workspace', function () {
  this.timeout(30_000);
  let api: CptWriterTestApi;

  before(async () => {
    api = await getApi();
  });
  afterEach(async () => {
    await cleanUp(api);
  });
  after(async () => {
    await api.testing.setEngineFactory(undefined);
  });

  it(
    'loads the built-in rubrics and the valid workspace rubric, and reports the broken one with its ' + 'position',
    async () => {
      assert.ok(vscode.workspace.isTrusted, 'the test workspace should be trusted');
      const { rubrics, problems } = await api.testing.services.rubrics.list();
      const ids = rubrics.map((r) => r.id);
      for (const id of ['formality', 'concision', 'test-brevity'])
        assert.ok(ids.includes(id), `${id} missing from ${ids.join(', ')}`);
      assert.ok(!ids.includes('test-broken'), 'the broken rubric was loaded');
      const broken = problems.filter((p) => path.basename(p.file) === 'test-broken.yaml' && p.severity !== 'warning');
      assert.ok(broken.length > 0, `no problem reported for test-broken.yaml: ${JSON.stringify(problems)}`);
      for (const p of broken) assert.ok(p.line >= 1 && p.col >= 1, `bad position ${p.line}:${p.col}`);
      const workspaceRubric = rubrics.find((r) => r.id === 'test-brevity')!;
      assert.strictEqual(workspaceRubric.source.builtin, false);
      assert.deepStrictEqual(workspaceRubric.levels, ['Sprawling', 'Loose', 'Even', 'Brief', 'Clipped']);
    },
  );

  it('shows the writer an error naming FILE:LINE:COL of the broken file, with Show Log', async () => {
    const { problems } = await api.testing.services.rubrics.list();
    const message = api.testing.services.rubrics.reportProblems(problems, true);
    assert.ok(message, 'nothing reported');
    assert.match(message, /test-broken\.yaml:\d+:\d+: /);
    const shown = api.testing.messages().at(-1)!;
    assert.strictEqual(shown.message, message);
    assert.strictEqual(shown.severity, 'error');
    assert.ok(shown.actions.includes('Show Log'));
  });

  it('rewrites with the valid workspace rubric despite the broken one', async () => {
    const engine = await useScriptedEngine(api, { output: 'Short.' });
    const editor = await openDoc('This is a rather long and winding sentence that goes on.');
    select(editor, 'rather long and winding');
    const result = await vscode.commands.executeCommand<RewriteRunResult>(
      'cptWriter.rewriteSelection',
      'test-brevity',
      5,
    );
    assert.strictEqual(result?.outcome, 'preview');
    // The scripted model is not CPT-tuned, so 'auto' sends the whole rubric with the target level.
    const system = engine.requests[0].system;
    assert.ok(
      system.includes('# Rubric: Test Brevity'),
      `the system prompt does not carry the workspace rubric: ${system.slice(0, 300)}`,
    );
    assert.ok(system.includes('level 5 "Clipped"'), 'the system prompt does not name the target level');
  });

  it('reads workspace rubric folders only in a trusted workspace', () => {
    const workspaceDir = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.cpt-writer', 'rubrics');
    assert.ok(rubricFolders(true).includes(workspaceDir), JSON.stringify(rubricFolders(true)));
    assert.ok(
      !rubricFolders(false).some((d) => d.startsWith(vscode.workspace.workspaceFolders![0].uri.fsPath)),
      JSON.stringify(rubricFolders(false)),
    );
  });

  // The harness runs VS Code with workspace trust off (every workspace trusted), so the untrusted case is
  // the same decision taken with trusted = false on the real settings (planRubricFolders in core has the rules).
  it('leaves out a relative user-level rubricDirectories entry unless the workspace is trusted', async () => {
    const ws = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const absolute = path.join(os.tmpdir(), 'cpt-abs-rubrics');
    await setSetting('rubricDirectories', ['relative-rubrics', absolute]);
    try {
      const trusted = rubricFolderPlan(true);
      assert.ok(trusted.folders.includes(path.join(ws, 'relative-rubrics')), JSON.stringify(trusted));
      const untrusted = rubricFolderPlan(false);
      assert.deepStrictEqual(untrusted.folders, [absolute]);
      assert.deepStrictEqual(
        untrusted.ignored.map((i) => i.entry),
        ['relative-rubrics'],
      );
      assert.match(untrusted.ignored[0].reason, /not trusted/);
    } finally {
      await setSetting('rubricDirectories', undefined);
    }
  });

  it('leaves out rubricDirectories entries that are not folder paths, naming each; the others are read', async () => {
    const absolute = path.join(os.tmpdir(), 'cpt-abs-rubrics');
    await setSetting('rubricDirectories', [3, absolute, '  ']);
    try {
      const plan = rubricFolderPlan(true);
      assert.ok(plan.folders.includes(absolute), JSON.stringify(plan));
      assert.deepStrictEqual(plan.problems, [
        'user settings: cptWriter.rubricDirectories[0] must be a folder path (a string), got number 3',
        'user settings: cptWriter.rubricDirectories[2] is blank',
      ]);
    } finally {
      await setSetting('rubricDirectories', undefined);
    }
  });

  it('keeps the sidebar whole when one rubric is oversized: the others render, the big one is a problem', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-sidebar-rubrics-'));
    const rubric = (id: string, summary: string) =>
      [
        `id: ${id}`,
        'title: Side',
        `summary: ${summary}`,
        'levels: [One, Two, Three, Four, Five]',
        'criteria:',
        '  - name: Alpha',
        '    weight: 100',
        '    levels: [a1, a2, a3, a4, a5]',
      ].join('\n');
    await fs.writeFile(path.join(dir, 'side-ok.yaml'), rubric('side-ok', 'Fine.'));
    await fs.writeFile(path.join(dir, 'side-big.yaml'), rubric('side-big', 's'.repeat(11_000_000)));
    const deps = sidebarDeps(api.testing.services, createRewriteActions(api.testing.services));
    const provider = new SidebarProvider(vscode.extensions.getExtension('cpt-writer.cpt-writer')!.extensionUri, deps);
    try {
      await setSetting('rubricDirectories', [dir]);
      await waitFor('side-ok loaded', () =>
        api.testing.services.rubrics.latest.rubrics.some((r) => r.id === 'side-ok'),
      );
      const state = provider.fullState();
      assert.ok(isHostToWebview({ type: 'state', state }), 'the full state fails the webview protocol');
      const ids = state.rubrics.map((r) => r.id);
      for (const id of ['formality', 'test-brevity', 'side-ok'])
        assert.ok(ids.includes(id), `${id} missing from ${ids.join(', ')}`);
      assert.ok(!ids.includes('side-big'));
      const big = state.problems.find((p) => path.basename(p.file) === 'side-big.yaml');
      assert.ok(big, JSON.stringify(state.problems));
      assert.strictEqual(`${big.line}:${big.col}`, '1:1');
      assert.match(big.message, /a rubric file may be at most 256 KiB/);
    } finally {
      provider.dispose();
      deps.dispose();
      await setSetting('rubricDirectories', undefined);
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a rubric id that only exists in the broken file', async () => {
    const from = api.testing.messages().length;
    const result = await vscode.commands.executeCommand('cptWriter.rewriteSelection', 'test-broken', 3);
    assert.strictEqual(result, undefined);
    assert.ok(
      api.testing
        .messages()
        .slice(from)
        .some((m) => m.severity === 'error' && m.message.includes('"test-broken"')),
    );
  });
});
