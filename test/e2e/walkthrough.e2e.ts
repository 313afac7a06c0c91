// The Getting Started walkthrough ticks a step done before the Welcome page was ever opened: the style is
// picked from the palette first, then Help: Welcome opens. With a step of ours done, the page shows the
// overview (not VS Code's own first walkthrough) with CPT Writer's walkthrough listed first; opened from
// there, its "Pick a style" step shows as done while a step not done (building pairs) does not. Then
// "CPT Writer: Get Started" opens the walkthrough itself.
import * as assert from 'assert';
import {
  type E2EContext,
  quickInput,
  quickPickRow,
  typeInPalette,
  waitForWorkbench,
  waitUntil,
} from '../host/e2e-helpers';

const WALKTHROUGH = 'cptWriter.gettingStarted';
const OURS = /#cptWriter\.gettingStarted( \(featured\))?$/;

export async function walkthroughTicksAStepDoneBeforeItOpened({ page, screenshot, log }: E2EContext): Promise<void> {
  await waitForWorkbench(page);
  await typeInPalette(page, 'CPT Writer: Select Style');
  const command = quickPickRow(page, /^CPT Writer: Select Style…$/);
  await command.waitFor({ timeout: 30_000 });
  await command.click();
  // Typed and taken with Enter, as a person does: a click can land on the hover of the row under the mouse.
  const rubric = quickPickRow(page, /Formality$/);
  await rubric.waitFor({ timeout: 30_000 });
  await quickInput(page).pressSequentially('Formality', { delay: 10 });
  await page.keyboard.press('Enter');
  const level = quickPickRow(page, /^4 · Professional$/);
  await level.waitFor({ timeout: 30_000 });
  await quickInput(page).pressSequentially('Professional', { delay: 10 });
  await page.keyboard.press('Enter');
  await level.waitFor({ state: 'hidden', timeout: 30_000 });
  await screenshot('style-picked');

  await runFromPalette(page, 'Help: Welcome', /^Help: Welcome$/);
  const listed = page.locator('.getting-started button.getting-started-category');
  const ours = listed.and(page.locator(`[x-dispatch$="#${WALKTHROUGH}"]`));
  await ours.waitFor({ timeout: 30_000 });
  await screenshot('welcome-overview');
  assert.strictEqual(await activeTabTitle(page), 'Welcome', 'Help: Welcome did not show the overview');
  const order = await listed.evaluateAll((els) =>
    els.map((e) => `${e.getAttribute('x-dispatch')}${e.classList.contains('featured') ? ' (featured)' : ''}`),
  );
  log(`walkthroughs listed: ${order.join(', ')}`);
  // VS Code ranks a walkthrough up when its featuredFor files are found in the workspace, but gives that search
  // only 2 s at start-up; on a loaded machine it can lose the race, and then VS Code's own walkthrough ranks
  // first. What is ours to check: featured, ours comes first.
  if (await ours.evaluate((e) => e.classList.contains('featured'))) {
    assert.match(order[0] ?? '', OURS, 'our walkthrough is featured but not listed first');
  } else {
    log("VS Code's featuredFor search did not answer in time; ours is listed, not featured");
  }
  await ours.click();
  await expectPickStyleTicked(page);
  await screenshot('walkthrough-step-ticked');

  await runFromPalette(page, 'View: Close All Editors', /^View: Close All Editors$/);
  await page.locator('[data-step-id$="#pickStyle"]').first().waitFor({ state: 'detached', timeout: 30_000 });
  await runFromPalette(page, 'CPT Writer: Get Started', /^CPT Writer: Get Started$/);
  await expectPickStyleTicked(page);
  assert.strictEqual(await activeTabTitle(page), 'Walkthrough: CPT Writer');
  await screenshot('get-started');
}

async function runFromPalette(page: E2EContext['page'], text: string, label: RegExp): Promise<void> {
  await typeInPalette(page, text);
  const row = quickPickRow(page, label);
  await row.waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await row.waitFor({ state: 'hidden', timeout: 30_000 });
}

async function expectPickStyleTicked(page: E2EContext['page']): Promise<void> {
  const picked = page.locator('[data-step-id$="#pickStyle"]').first();
  await picked.waitFor({ timeout: 30_000 });
  await waitUntil(
    'the "Pick a style" step to show as done',
    () => picked.getAttribute('aria-checked'),
    (v) => v === 'true',
  );
  assert.strictEqual(await page.locator('[data-step-id$="#buildPairs"]').first().getAttribute('aria-checked'), 'false');
}

async function activeTabTitle(page: E2EContext['page']): Promise<string> {
  return ((await page.locator('.tabs-container .tab.active .label-name').first().textContent()) ?? '').trim();
}
