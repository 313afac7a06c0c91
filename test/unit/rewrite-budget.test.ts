// The output budget of a rewrite scales with the text (about twice its tokens plus a margin) and never
// passes the writer's cap.
import assert from 'node:assert/strict';
import { OUTPUT_TOKEN_MARGIN, rewriteTokenBudget, rewriteTokenBudgetFor } from '../../src/core/rewrite-budget';
import { estimateTokenCount } from '../../src/core/paragraphs';

describe('rewriteTokenBudget', () => {
  it('is twice the text plus the margin, under the cap', () => {
    assert.equal(rewriteTokenBudget(50, 1024), 100 + OUTPUT_TOKEN_MARGIN);
    assert.equal(rewriteTokenBudget(0, 1024), OUTPUT_TOKEN_MARGIN);
    assert.equal(rewriteTokenBudget(12.2, 1024), 26 + OUTPUT_TOKEN_MARGIN);
  });

  it('never passes the cap, however long the text', () => {
    assert.equal(rewriteTokenBudget(5000, 1024), 1024);
    assert.equal(rewriteTokenBudget(10, 16), 16);
    assert.equal(rewriteTokenBudget(Number.NaN, 100), OUTPUT_TOKEN_MARGIN);
  });

  it('refuses a cap that is not positive', () => {
    assert.throws(() => rewriteTokenBudget(10, 0), /positive/);
    assert.throws(() => rewriteTokenBudget(10, Number.NaN), /positive/);
  });

  it('a two-sentence paragraph gets a budget near its own size, far under the 1024 default', async () => {
    const text =
      'We keep a running changelog next to the code. When a change lands, the person who made it adds ' +
      'one line that says what changed and why it matters to someone outside the team.';
    const budget = await rewriteTokenBudgetFor(text, 1024);
    const tokens = await estimateTokenCount(text);
    assert.equal(budget, 2 * tokens + OUTPUT_TOKEN_MARGIN);
    assert.ok(budget < 200, `budget ${budget}`);
    // The engine's own count, when given, is used instead of the estimate.
    assert.equal(await rewriteTokenBudgetFor(text, 1024, () => 40), 80 + OUTPUT_TOKEN_MARGIN);
  });
});
