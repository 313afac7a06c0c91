// A long proposal in the real VS Code: the preview zone caps its height and the proposal scrolls inside
// it, so what the writer must see before deciding is pinned outside the scrolled body: the zone's title
// bar says the proposal was cut off (and, when it is so, lost markup or how many changes are taken) and
// carries the actions; the cut-off warning is the body's first line. Asserted from the page's geometry
// (each thing on screen and not covered), and a screenshot shows it. The preview does not open the
// Comments panel. With CPT_WRITER_UPDATE_SCREENSHOTS=1
// the screenshot also replaces media/screenshots/preview-long-proposal.png, which the README shows.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import {
  type E2EContext,
  normalise,
  openFromExplorer,
  quickPickRow,
  typeInPalette,
  waitForWorkbench,
  waitUntil,
} from '../host/e2e-helpers';

const FILE = 'long-proposal.md';
const SENTENCE =
  'The quarterly planning meeting ran long again, mostly because nobody had read the proposal before walking ' +
  'into the room, so the first forty minutes went to someone reading it aloud while everyone else ' +
  'checked their phones. ';
const PARAGRAPH = SENTENCE.repeat(3).trim();
const CONTENT = `# Long proposal\n\n${PARAGRAPH}\n\nThe end.\n`;
const SHOT = path.join(__dirname, '..', '..', '..', 'media', 'screenshots', 'preview-long-proposal.png');

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
  /** On screen, inside the window, and what the page shows at its centre is the element itself. */
  visible: boolean;
  /** The class of what the page shows at its centre (what covers it, when it is not visible). */
  hit: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any --
   runs in the page; this project compiles without the DOM library */
async function geometry(page: Page): Promise<{
  label: string;
  actions: Record<string, Box>;
  cutOff?: Box;
  body: { scrollHeight: number; clientHeight: number };
  viewport: { width: number; height: number };
}> {
  return page.evaluate(() => {
    const g = globalThis as any;
    const doc = g.document;
    const viewport = { width: g.innerWidth as number, height: g.innerHeight as number };
    const zone = doc.querySelector('.editor-group-container.active .review-widget');
    const box = (el: any): Box => {
      const r = el.getBoundingClientRect();
      const hit = doc.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return {
        top: r.top,
        bottom: r.bottom,
        left: r.left,
        right: r.right,
        visible:
          r.width > 0 &&
          r.top >= 0 &&
          r.left >= 0 &&
          r.bottom <= viewport.height &&
          r.right <= viewport.width &&
          !!hit &&
          (el.contains(hit) || hit.contains(el)),
        hit: String(hit?.className ?? ''),
      };
    };
    const actions: Record<string, Box> = {};
    for (const a of zone?.querySelectorAll('.head .review-actions .action-label') ?? [])
      actions[String(a.getAttribute('aria-label') ?? a.title)] = box(a);
    const warning = [...(zone?.querySelectorAll('.comment-body p') ?? [])].find((p: any) =>
      /cut off at/i.test(p.textContent),
    );
    const scroller = zone?.querySelector('.comment-body')?.closest('.monaco-scrollable-element') ?? zone;
    return {
      label: String(zone?.querySelector('.head .review-title')?.textContent ?? ''),
      actions,
      ...(warning ? { cutOff: box(warning) } : {}),
      body: { scrollHeight: scroller?.scrollHeight ?? 0, clientHeight: scroller?.clientHeight ?? 0 },
      viewport,
    };
  });
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export async function previewLongProposalPinned({ page, workspace, screenshot, log }: E2EContext): Promise<void> {
  const file = path.join(workspace, FILE);
  const settings = path.join(workspace, '.vscode', 'settings.json');
  fs.writeFileSync(file, CONTENT);
  // 320 tokens: less than twice the paragraph's, so the proposal is cut off (about 1,000 characters).
  fs.mkdirSync(path.dirname(settings), { recursive: true });
  fs.writeFileSync(settings, JSON.stringify({ 'cptWriter.maxTokens': 320 }, null, 2));
  // A laptop-sized window, where a long proposal does not fit the zone.
  await page.setViewportSize({ width: 1100, height: 700 });
  await waitForWorkbench(page, FILE);
  try {
    await openFromExplorer(page, FILE);
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor();
    await input.fill(':3');
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
    await page.keyboard.press('Control+Alt+R');
    const zone = page.locator('.editor-group-container.active .review-widget').first();
    await zone.locator('.head .review-actions .action-label[aria-label^="Accept"]').waitFor({ timeout: 240_000 });
    // The first rewrite brings the feedback log's first-use notice, a toast over the bottom right: dismissed.
    await typeInPalette(page, 'Notifications: Clear All Notifications');
    await quickPickRow(page, /^Notifications: Clear All Notifications$/).click();
    await page
      .locator('.notification-toast')
      .first()
      .waitFor({ state: 'detached', timeout: 10_000 })
      .catch(() => undefined);
    const seen = await waitUntil(
      'the finished preview with its cut-off warning',
      () => geometry(page),
      (g) => /cut off/.test(g.label) && !!g.cutOff,
      20_000,
    );
    const shot = await screenshot('long-proposal-pinned');
    log(
      `title ${JSON.stringify(normalise(seen.label))}; body ${seen.body.scrollHeight}px in ` +
        `${seen.body.clientHeight}px; ` +
        `viewport ${seen.viewport.width}×${seen.viewport.height}`,
    );
    assert.match(seen.label, /cut off/, 'the zone title does not say the proposal was cut off');
    for (const title of ['Accept', 'Reject', 'Cancel']) {
      const entry = Object.entries(seen.actions).find(([name]) => name.startsWith(title));
      assert.ok(entry, `no ${title} action in the zone title bar: ${JSON.stringify(Object.keys(seen.actions))}`);
      assert.ok(entry[1].visible, `the ${title} action is not on screen: ${JSON.stringify(entry[1])}`);
    }
    assert.ok(seen.cutOff?.visible, `the cut-off warning is not on screen: ${JSON.stringify(seen.cutOff)}`);
    // VS Code opens the Comments panel the first time a file with a comment thread shows (comments.openView
    // 'firstFile'); the manifest's default 'firstFileUnresolved' and a thread without a state keep it shut.
    assert.strictEqual(await page.locator('.comments-panel').count(), 0, 'the preview opened the Comments panel');
    if (process.env.CPT_WRITER_UPDATE_SCREENSHOTS === '1') {
      fs.mkdirSync(path.dirname(SHOT), { recursive: true });
      fs.copyFileSync(shot, SHOT);
      log(`updated ${SHOT}`);
    }
    await page.keyboard.press('Escape');
    await zone.waitFor({ state: 'detached', timeout: 10_000 });
  } finally {
    await typeInPalette(page, 'View: Close All Editors')
      .then(() => quickPickRow(page, /^View: Close All Editors$/).click())
      .catch(() => undefined);
    for (const f of [settings, file]) fs.rmSync(f, { force: true });
  }
}
