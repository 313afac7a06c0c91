// The style check as a writer sees it, for the README: Check Style of Document from the palette on the
// sample blog post (Formality, target 4), the level hints after each paragraph, the status bar item and the
// sidebar's histogram; a click on a bar moves the cursor to a paragraph at that level. The picture goes to
// media/style-check.png (the README's) when CPT_WRITER_UPDATE_SCREENSHOTS=1. The e2e model has random weights,
// so the levels and critiques are whatever its constrained answers say; the test asserts the shapes only.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  openFromExplorer,
  quickInput,
  quickPickRow,
  typeInPalette,
  waitForWorkbench,
  waitUntil,
  type E2EContext,
} from '../host/e2e-helpers';

const FILE = 'blog-post.md';
const MEDIA = path.join(__dirname, '..', '..', '..', 'media', 'style-check.png');

export async function styleCheckScreenshot({ page, screenshot, log }: E2EContext): Promise<void> {
  await waitForWorkbench(page, FILE);
  await openFromExplorer(page, FILE);

  await typeInPalette(page, 'CPT Writer: Check Style of Document');
  const command = quickPickRow(page, /^CPT Writer: Check Style of Document$/);
  await command.waitFor({ timeout: 30_000 });
  await command.click();
  // The current style's rubric is preselected, its label led by a check mark.
  const rubric = quickPickRow(page, /Formality$/);
  await rubric.waitFor({ timeout: 30_000 });
  await quickInput(page).pressSequentially('Formality', { delay: 10 });
  await rubric.click();
  const target = quickPickRow(page, /^4 · /);
  await target.waitFor({ timeout: 30_000 });
  await target.click();
  log('checking blog-post.md against Formality, target 4');

  // Done when the status bar item names the rubric, the target and the paragraphs off target.
  const item = page.locator('.statusbar .statusbar-item', { hasText: /Formality 4: \d+/ }).first();
  await item.waitFor({ timeout: 240_000 });
  log(`status bar: ${await item.textContent()}`);

  // The sidebar's histogram.
  const activity = page.locator('.activitybar a[aria-label^="CPT Writer"]').first();
  await activity.click();
  const view = page.frameLocator('iframe.webview.ready').first().frameLocator('#active-frame');
  const bars = view.locator('#check-histogram .level-bar');
  await bars.first().waitFor({ timeout: 60_000 });
  assert.strictEqual(await bars.count(), 5);
  const counts = (await view.locator('#check-histogram .level-bar-count').allTextContents()).map(Number);
  log(`histogram: ${JSON.stringify(counts)}`);
  assert.ok(counts.reduce((a, b) => a + b, 0) >= 3, 'the scored paragraphs are counted');
  await view.locator('#check-histogram').scrollIntoViewIfNeeded();

  // A click on a bar with paragraphs moves the editor's cursor to one of them.
  const position = () => page.locator('.statusbar-item[id="status.editor.selection"]').textContent();
  const before = await position();
  const level = counts.findIndex((n) => n > 0) + 1;
  await view.locator(`#check-histogram .level-bar[data-level="${level}"]`).click();
  await waitUntil('the cursor to move', position, (p) => p !== before, 15_000);

  // The summary and the demo-model notices would cover the text: cleared, as a writer would.
  await typeInPalette(page, 'Notifications: Clear All Notifications');
  const clear = quickPickRow(page, /^Notifications: Clear All Notifications$/);
  await clear.waitFor({ timeout: 30_000 });
  await clear.click();
  await page.locator('.notification-toast').first().waitFor({ state: 'hidden', timeout: 15_000 });
  const shot = await screenshot('checked-document');
  // The README's picture is refreshed on request only, so a test run never modifies a tracked file.
  if (process.env.CPT_WRITER_UPDATE_SCREENSHOTS === '1') {
    fs.copyFileSync(shot, MEDIA);
    log(`saved ${path.relative(process.cwd(), MEDIA)}`);
  }
}
