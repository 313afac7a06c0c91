// The sidebar page (media/webview.js, as built) in headless Chromium with the pseudo-locale bundle in its
// body's data-l10n, as the extension hands VS Code's bundle over (src/vscode/sidebar/provider.ts): after each
// host state, every text node and every attribute a person sees or hears (title, aria-label, placeholder,
// label, aria-valuetext) must be ⟦marked⟧ or data the state carried (rubric, model, rewrite, history and
// problem texts, the document's name) or hold no letter. The style check's histogram is rendered from its
// state, and a click on a bar posts revealLevel.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { HostToWebview, SidebarState, StyleCheckView } from '../../src/shared/protocol';
import { englishBundle, pseudo, pseudoBundle, ROOT, untranslated } from '../unit/helpers/pseudo-l10n';

const ORIGIN = 'http://webview.test';

const rubric = {
  id: 'formality',
  title: 'Formality',
  summary: 'How formal the register is.',
  levels: ['Chatty', 'Casual', 'Neutral', 'Professional', 'Ceremonial'],
  criteria: [
    { name: 'Register', weight: 60, levels: ['slangy', 'relaxed', 'plain', 'polished', 'stately'] },
    { name: 'Address', weight: 40, levels: ['buddy', 'you guys', 'you', 'the reader', 'the esteemed reader'] },
  ],
  directives: { 4: 'Write in a polished, professional register.' },
  builtin: true,
};

const styleCheck: StyleCheckView = {
  document: 'notes.md',
  rubricId: 'formality',
  rubricTitle: 'Formality',
  levels: rubric.levels,
  target: 4,
  counts: [0, 2, 1, 1, 0],
  offTarget: 3,
};

/** Words the host sends already in the writer's language (through vscode.l10n.t): marked as the bundle would. */
const hostWords = (message: string) => pseudo(message);

const full: SidebarState = {
  rubrics: [rubric],
  problems: [
    { file: 'rubrics/broken.yaml', line: 3, col: 5, message: 'levels must list 5 names', severity: 'error' },
    { file: 'rubrics/odd.yaml', line: 1, col: 1, message: 'weights add up to 90', severity: 'warning' },
  ],
  style: { rubricId: 'formality', level: 4 },
  promptMode: 'directive',
  model: {
    state: 'ready',
    name: 'Qwen3 4B',
    backend: 'cuda',
    gpuLayers: 20,
    totalLayers: 36,
    warning: hostWords('random-weight test model: its output is gibberish'),
    adapters: ['formal-lora ×1'],
  },
  history: (['pending', 'cancelled', 'accepted', 'rejected', 'edited'] as const).map((decision, i) => ({
    id: `r${i}`,
    time: '2026-12-05T07:45:00.000Z',
    rubricId: 'formality',
    level: 4 as const,
    original: `original text ${i}`,
    output: `rewritten text ${i}`,
    decision,
  })),
  rewrite: {
    id: 'r0',
    rubricId: 'formality',
    level: 4,
    phase: 'done',
    text: 'rewritten text 0',
    stats: {
      promptTokens: 100,
      reusedPromptTokens: 50,
      restoredPromptTokens: 40,
      outputTokens: 20,
      timeToFirstTokenMs: 10,
      tokensPerSecond: 12.5,
      totalMs: 2000,
    },
    note: 'keep it short',
    markupLost: [hostWords('lost: {0}').replace('{0}', '\\cite{knuth84}')],
    cutOff: hostWords('Cut off at 120 tokens.'),
    candidate: { index: 0, count: 3, score: 64, target: 70, critique: 'A touch stiff.' },
  },
  styleCheck,
};

/** Everything the states above carry as data (names, texts a writer or a model wrote, file names). */
const DATA = [
  rubric.title,
  rubric.summary,
  ...rubric.levels,
  ...rubric.criteria.flatMap((c) => [c.name, ...c.levels]),
  rubric.directives[4],
  'Qwen3 4B',
  // Backend badges are product names (as backend-summary.ts's labels).
  'CUDA',
  'CPU',
  'formal-lora ×1',
  ...full.history.flatMap((h) => [h.original, h.output]),
  ...full.problems.flatMap((p) => [p.file, p.message]),
  '\\cite{knuth84}',
  'keep it short',
  'A touch stiff.',
  'notes.md',
  'ghost',
];

/** The states the page is shown in turn: every branch of its render functions that shows words. */
function states(): Array<[string, SidebarState]> {
  const s = (over: Partial<SidebarState>): SidebarState => ({ ...full, ...over });
  const rw = full.rewrite!;
  return [
    ['everything at once', full],
    [
      'no rubrics, no model, no rewrite, no check',
      {
        ...s({ rubrics: [], model: { state: 'none' }, problems: [], history: [] }),
        rewrite: undefined,
        styleCheck: undefined,
      },
    ],
    ['a rubric that is not loaded', s({ style: { rubricId: 'ghost', level: 2 }, promptMode: 'rubric' })],
    ['no rubric picked', s({ style: { rubricId: '', level: 3 }, promptMode: 'plain' })],
    ['model chosen, not loaded', s({ model: { state: 'none', name: 'Qwen3 4B' } })],
    ['model unloaded', s({ model: { state: 'none', name: 'Qwen3 4B', unloaded: true } })],
    ['model loading', s({ model: { state: 'loading', name: 'Qwen3 4B', percent: 40 } })],
    ['model loading, no name', s({ model: { state: 'loading', percent: 40 } })],
    ['model failed', s({ model: { state: 'error', name: 'Qwen3 4B' } })],
    ['model ready on the CPU', s({ model: { state: 'ready', name: 'Qwen3 4B', backend: 'cpu' } })],
    ['streaming', s({ rewrite: { ...rw, phase: 'streaming', candidate: undefined } })],
    ['cancelled', s({ rewrite: { ...rw, phase: 'cancelled' } })],
    ['failed', s({ rewrite: { ...rw, phase: 'error', text: '' } })],
    ['decided', s({ rewrite: { ...rw, id: 'r2' } })],
    ['a check without a target', s({ styleCheck: { ...styleCheck, target: undefined } })],
  ];
}

const PAGE = (bundle: string) => `<!DOCTYPE html>
<html lang="qps-ploc"><head><meta charset="utf-8">
<link rel="stylesheet" href="${ORIGIN}/sidebar.css">
<script>
  window.__sent = [];
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__sent.push(m),
    getState: () => undefined,
    setState: () => {},
  });
</script></head>
<body data-l10n="${bundle.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">
<main id="app" aria-busy="true"></main>
<script type="module" src="${ORIGIN}/webview.js"></script>
</body></html>`;

/**
 * Every text node (open shadow roots too) and every attribute a person sees or hears, in document order.
 * (Browser code as a string: this project's Node tsconfig has no DOM types.)
 */
const VISIBLE_TEXTS = `(() => {
  const ATTRS = ['title', 'aria-label', 'placeholder', 'label', 'aria-valuetext', 'description'];
  const out = [];
  const walk = (root) => {
    for (const n of Array.from(root.childNodes)) {
      if (n.nodeType === Node.TEXT_NODE) {
        // The history's clock time is the browser's own locale formatting, not a message.
        if (n.parentElement?.tagName !== 'TIME' && n.parentElement?.tagName !== 'STYLE') out.push(n.textContent ?? '');
      } else if (n instanceof Element) {
        if (n.tagName === 'SCRIPT' || n.tagName === 'STYLE') continue;
        for (const a of ATTRS) {
          const v = n.getAttribute(a);
          if (v) out.push(v);
        }
        if (n.shadowRoot) walk(n.shadowRoot);
        walk(n);
      }
    }
  };
  walk(document.body);
  return out.map((s) => s.trim()).filter(Boolean);
})()`;

async function visibleTexts(page: Page): Promise<string[]> {
  return (await page.evaluate(VISIBLE_TEXTS)) as string[];
}

const sentMessages = async (page: Page) => (await page.evaluate('window.__sent.slice()')) as unknown[];

describe('l10n: the sidebar page in the pseudo locale', function () {
  this.timeout(120_000);
  let browser: Browser;
  let page: Page;
  let home: string;

  before(async () => {
    const { chromium } = await import('playwright-core');
    home = mkdtempSync(path.join(os.tmpdir(), 'cpt-webview-l10n-'));
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      env: { ...process.env, HOME: home },
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const files: Record<string, [string, string]> = {
      '/index.html': [PAGE(JSON.stringify(pseudoBundle(englishBundle()))), 'text/html'],
      '/webview.js': [readFileSync(path.join(ROOT, 'media', 'webview.js'), 'utf8'), 'text/javascript'],
      '/sidebar.css': [readFileSync(path.join(ROOT, 'media', 'sidebar.css'), 'utf8'), 'text/css'],
    };
    await page.route(`${ORIGIN}/**`, (route) => {
      const f = files[new URL(route.request().url()).pathname];
      return f ? route.fulfill({ body: f[0], contentType: f[1] }) : route.fulfill({ status: 404, body: '' });
    });
    await page.goto(`${ORIGIN}/index.html`);
    await page.waitForFunction(`window.__sent.some((m) => m.type === 'ready')`);
    assert.deepEqual(errors, []);
  });

  after(async () => {
    await browser?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  async function show(message: HostToWebview): Promise<void> {
    await page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
    // The page renders synchronously on each message; one animation frame lets custom elements update.
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => r(undefined)))');
  }

  it('shows no word outside the bundle, before the first state and in every state', async () => {
    const check = (what: string, texts: string[]) => {
      const bad = texts.map((t) => untranslated(t, DATA)).filter(Boolean);
      assert.deepEqual(bad, [], `${what}: words that did not come through the bundle`);
      assert.ok(
        texts.some((t) => t.includes('⟦')),
        `${what}: nothing translated`,
      );
    };
    check('before the first state', await visibleTexts(page));
    for (const [what, state] of states()) {
      await show({ type: 'state', state });
      check(what, await visibleTexts(page));
    }
  });

  it('draws the style check as one bar per level with its count, and a click posts revealLevel', async () => {
    await show({ type: 'state', state: full });
    const bars = await page.evaluate(`[...document.querySelectorAll('#check-histogram .level-bar')].map((e) => ({
      level: e.getAttribute('data-level'),
      count: e.querySelector('.level-bar-count')?.textContent,
      disabled: e.hasAttribute('disabled'),
      target: e.classList.contains('target'),
      height: e.querySelector('.level-bar-fill').style.height,
    }))`);
    assert.deepEqual(bars, [
      { level: '1', count: '0', disabled: true, target: false, height: '0%' },
      { level: '2', count: '2', disabled: false, target: false, height: '100%' },
      { level: '3', count: '1', disabled: false, target: false, height: '50%' },
      { level: '4', count: '1', disabled: false, target: true, height: '50%' },
      { level: '5', count: '0', disabled: true, target: false, height: '0%' },
    ]);
    assert.ok((await page.textContent('#check-summary'))?.includes('notes.md'));
    assert.equal(await page.isHidden('#check-empty'), true);

    const sent = () => sentMessages(page);
    const before = (await sent()).length;
    await page.click('#check-histogram .level-bar[data-level="2"]');
    await page.click('#check-histogram .level-bar[data-level="1"]', { force: true }); // empty: nothing to reveal
    await page.click('#check-histogram .level-bar[data-level="3"] .level-bar-count');
    assert.deepEqual((await sent()).slice(before), [
      { type: 'revealLevel', level: 2 },
      { type: 'revealLevel', level: 3 },
    ]);

    // The host clears it (another editor without a check): the bars go, the hint comes back.
    await show({ type: 'styleCheck' });
    assert.equal(await page.locator('#check-histogram .level-bar').count(), 0);
    assert.equal(await page.isVisible('#check-empty'), true);
    await show({ type: 'styleCheck', styleCheck: { ...styleCheck, counts: [1, 0, 0, 0, 0] } });
    assert.equal(await page.textContent('#check-histogram .level-bar[data-level="1"] .level-bar-count'), '1');
  });
});
