// An untrusted workspace in the real VS Code (workspace trust on, Restricted Mode): its .vscode/settings.json
// points cptWriter.judgeModel at a loopback https server (run by test/host/run-untrusted.mjs, which logs
// every connection to it) and sets bestOf, maxTokens and contextSize. VS Code must ignore those values
// (restricted configurations), the extension must say so in its log and the model's status bar tooltip,
// best-of and Score Selection must never contact that server, and a rewrite with the user's own model
// still works (limited support). A last check sets the same URL at user level and sees the server
// contacted, so "no contact" above is not true merely because the download path cannot reach it.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { EngineClient } from '../../src/core/engine';
import type { CptWriterTestApi } from '../../src/vscode/api';
import { RESTRICTED_SETTINGS } from '../../src/vscode/common/restricted-settings';
import { readJudgeConfig } from '../../src/vscode/judge/config';
import type { SelectionScore } from '../../src/vscode/judge/score-selection';
import type { Engine, EngineFactory } from '../../src/vscode/model/engine-factory';
import type { RewriteRunResult, RewriteStreamEvent } from '../../src/vscode/preview/rewrite-controller';
import { cleanUp, getApi, openDoc, select, setSetting, waitFor } from '../integration/helpers';
import { ScriptedEngine } from '../integration/scripted-engine';

const SERVER_LOG = process.env.CPT_WRITER_TRUST_SERVER_LOG ?? '';
const JUDGE_URL = process.env.CPT_WRITER_TRUST_JUDGE_URL ?? '';
const WORKSPACE_SETTINGS = JSON.parse(process.env.CPT_WRITER_TRUST_WORKSPACE_SETTINGS ?? '{}') as Record<
  string,
  unknown
>;
const TARGET = 'So basically we just kind of stopped doing it one week.';
const TEXT = `# Notes\n\n${TARGET}\n\nThe end.\n`;

/** What reached the loopback judge server so far: connections and requests, oldest first. */
function serverEvents(): { event: string; method?: string; url?: string }[] {
  return fs
    .readFileSync(SERVER_LOG, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { event: string });
}

/** The restricted keys the workspace sets, as the extension names them (in its own order). */
// (RESTRICTED_SETTINGS is this repository's list; the manifest test checks package.json agrees with it.)
const ignoredKeys = () => RESTRICTED_SETTINGS.map((k) => `cptWriter.${k}`).filter((k) => k in WORKSPACE_SETTINGS);

/**
 * The scripted engine for the rewriting model, but a real engine process for any https: model: were the
 * workspace's judgeModel used, the real engine would download it from the loopback server, as in use.
 */
function scriptedUnlessHttps(scripted: ScriptedEngine): EngineFactory {
  return (options) => {
    let target: Engine = scripted;
    return new Proxy(scripted, {
      get(_t, prop) {
        if (prop === 'load')
          return (spec: string, opts?: Parameters<Engine['load']>[1]) => {
            if (/^https:/i.test(spec)) target = new EngineClient(options);
            return target.load(spec, opts);
          };
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
}

/** Every file of the extension host's "CPT Writer" log channel under the profile's logs folder. */
function channelLogs(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/CPT Writer\.log$/.test(e.name)) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

describe('untrusted workspace: Restricted Mode with workspace trust on', function () {
  // A loaded machine: an engine process start and a real model load can take tens of seconds.
  this.timeout(180_000);
  let api: CptWriterTestApi;

  before(async () => {
    assert.ok(SERVER_LOG && JUDGE_URL, 'the runner did not start the loopback judge server');
    assert.strictEqual(WORKSPACE_SETTINGS['cptWriter.judgeModel'], JUDGE_URL);
    // Activation itself: limited support means the extension runs in Restricted Mode.
    api = await getApi();
  });

  afterEach(async () => cleanUp(api));

  after(async () => {
    for (const key of ['bestOf', 'judgeModel', 'maxTokens', 'threads', 'temperature']) await setSetting(key, undefined);
    await api?.testing.setEngineFactory(undefined);
    await api?.testing.services.models.shutdown();
  });

  it('opens the workspace untrusted, with its settings file read (a setting that is not restricted applies)', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
    const free = Object.keys(WORKSPACE_SETTINGS).filter((k) => !ignoredKeys().includes(k));
    assert.ok(free.length > 0, 'the workspace sets no unrestricted setting to compare with');
    const c = vscode.workspace.getConfiguration();
    for (const key of free) {
      assert.deepStrictEqual(c.inspect(key)?.workspaceValue, WORKSPACE_SETTINGS[key], key);
      assert.deepStrictEqual(c.get(key), WORKSPACE_SETTINGS[key], key);
    }
  });

  it('ignores the workspace values of the restricted settings: get() gives the defaults', () => {
    const c = vscode.workspace.getConfiguration();
    const keys = ignoredKeys();
    assert.ok(keys.length >= 4, keys.join(', '));
    for (const key of keys) {
      const i = c.inspect(key);
      assert.ok(i, `${key} is not a setting`);
      // VS Code drops restricted keys from an untrusted workspace's configuration: not even inspect() has them.
      assert.strictEqual(i.workspaceValue, undefined, `${key}: workspaceValue`);
      assert.strictEqual(i.globalValue, undefined, `${key} has a user value in this profile`);
      assert.deepStrictEqual(c.get(key), i.defaultValue, `${key}: get() is not the default`);
    }
    // The extension's own reader of the judge settings sees the defaults too.
    assert.deepStrictEqual(readJudgeConfig(), {
      bestOf: 1,
      judgeModel: '',
      judgeLoraAdapters: [],
      judgeLoraProblems: [],
    });
  });

  it('tells the writer once, in the log and the model status bar tooltip, which values it ignores', async () => {
    const keys = ignoredKeys();
    const sentence =
      `Restricted Mode: the workspace values of ${keys.join(', ')} ` + 'are ignored until you trust this workspace.';
    const tooltipText = () => {
      const t = api.testing.services.modelStatusItem.tooltip;
      return typeof t === 'string' ? t : (t?.value ?? '');
    };
    // The settings files are read in the background after activation.
    await waitFor('the Restricted Mode note in the model tooltip', () => tooltipText().includes('Restricted'), 60_000);
    assert.ok(tooltipText().endsWith(`\n\n${sentence}`), tooltipText());

    const logs = process.env.CPT_WRITER_TEST_LOGS ?? '';
    assert.ok(logs, 'CPT_WRITER_TEST_LOGS is not set');
    // The channel's file is flushed by the workbench on its own schedule: poll it with a deadline.
    const lines = await waitFor(
      `the Restricted Mode line in a "CPT Writer" log under ${logs}`,
      () => {
        const found = channelLogs(logs).flatMap((f) =>
          fs
            .readFileSync(f, 'utf8')
            .split('\n')
            .filter((l) => l.includes('Restricted Mode:')),
        );
        return found.length ? found : undefined;
      },
      60_000,
    );
    assert.strictEqual(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], /\[warning\]/);
    assert.ok(lines[0].endsWith(sentence), lines[0]);
  });

  it('best-of and Score Selection judge with the rewriting model, never contacting the workspace judge', async () => {
    await setSetting('bestOf', 2);
    const c = vscode.workspace.getConfiguration('cptWriter');
    assert.strictEqual(c.get('bestOf'), 2, 'the user value applies in Restricted Mode');
    assert.strictEqual(c.get('judgeModel'), '');
    let k = 0;
    const engine = new ScriptedEngine({
      output: () => ['Alpha: we ceased the practice.', 'Beta: the practice was discontinued.'][k++ % 2],
      judge: (text) => ({ score: text.startsWith('Beta') ? 68 : 20, critique: `critique of ${text.split(':')[0]}` }),
    });
    await api.testing.setEngineFactory(scriptedUnlessHttps(engine));

    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const events: RewriteStreamEvent[] = [];
    const sub = api.testing.services.rewrite.onDidRewrite((e) => events.push(e));
    let result: RewriteRunResult | undefined;
    try {
      result = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 4);
    } finally {
      sub.dispose();
    }
    assert.strictEqual(result?.outcome, 'preview', JSON.stringify(result));
    assert.strictEqual(api.testing.services.rewrite.snapshot().candidate?.count, 2);
    // Two candidates, then both judged by the rewriting (scripted) model.
    assert.deepStrictEqual(
      engine.requests.map((r) => !!r.jsonSchema),
      [false, false, true, true],
    );
    await vscode.commands.executeCommand('cptWriter.rejectRewrite');

    select(editor, TARGET);
    const scored = await vscode.commands.executeCommand<SelectionScore>('cptWriter.scoreSelection');
    assert.ok(scored, JSON.stringify(api.testing.messages().slice(-3)));
    assert.strictEqual(engine.requests.filter((r) => !!r.jsonSchema).length, 3);
    assert.ok(!engine.loads.includes(JUDGE_URL), JSON.stringify(engine.loads));
    assert.strictEqual(api.testing.services.judge.secondLoaded, false);
    assert.deepStrictEqual(serverEvents(), [], 'something reached the workspace judge server');
  });

  it('contacts the same server once the URL is a user-level judgeModel (so the check above can fail)', async () => {
    assert.deepStrictEqual(serverEvents(), []);
    await setSetting('judgeModel', JUDGE_URL);
    assert.strictEqual(vscode.workspace.getConfiguration('cptWriter').get('judgeModel'), JUDGE_URL);
    const engine = new ScriptedEngine({ judge: () => ({ score: 50 }) });
    await api.testing.setEngineFactory(scriptedUnlessHttps(engine));
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const from = api.testing.messages().length;
    const scored = await vscode.commands.executeCommand<SelectionScore>('cptWriter.scoreSelection');
    // The server answers 404, so the download fails and the writer is told.
    assert.strictEqual(scored, undefined);
    const requests = await waitFor(
      'a request at the loopback judge server',
      () => serverEvents().filter((e) => e.event === 'request'),
      60_000,
    );
    assert.ok(requests.length > 0);
    assert.strictEqual(requests[0].url, '/judge.gguf');
    const shown = api.testing.messages().slice(from);
    assert.ok(
      shown.some((m) => m.severity === 'error' && m.message.startsWith('CPT Writer could not score the selection')),
      JSON.stringify(shown),
    );
    await setSetting('judgeModel', undefined);
    await api.testing.services.judge.stop();
  });

  it('rewrites with the user-level model through the real engine; the note stays in the tooltip', async () => {
    const contacts = serverEvents().length;
    await setSetting('bestOf', undefined);
    await api.testing.setEngineFactory(undefined);
    // Two shared cores: one thread, short outputs. The user's maxTokens applies, not the workspace's.
    await setSetting('threads', 1);
    await setSetting('maxTokens', 16);
    await setSetting('temperature', 0);
    assert.strictEqual(vscode.workspace.getConfiguration('cptWriter').get('maxTokens'), 16);

    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const events: RewriteStreamEvent[] = [];
    const sub = api.testing.services.rewrite.onDidRewrite((e) => events.push(e));
    let result: RewriteRunResult | undefined;
    try {
      result = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 5);
    } finally {
      sub.dispose();
    }
    assert.ok(result, 'no result');
    assert.strictEqual(result.outcome, 'preview', JSON.stringify(result));
    const done = events.find((e) => e.type === 'done');
    assert.ok(done && done.type === 'done', JSON.stringify(events.slice(-3)));
    assert.ok(done.stats.outputTokens > 0 && done.stats.outputTokens <= 16, `outputTokens ${done.stats.outputTokens}`);
    const accepted = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite');
    assert.strictEqual(accepted?.outcome, 'accepted');
    const after = editor.document.getText();
    const proposal = result.outcome === 'preview' ? result.proposal : '';
    assert.strictEqual(after, TEXT.replace(TARGET, proposal.replace(/\r\n/g, '\n')));

    const status = api.testing.services.models.status;
    assert.strictEqual(status.state, 'ready');
    const tooltip = api.testing.services.modelStatusItem.tooltip;
    const tip = typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? '');
    assert.match(tip, /Restricted Mode: the workspace values of cptWriter\.judgeModel/);
    assert.strictEqual(serverEvents().length, contacts, 'the rewrite contacted the judge server');
  });
});
