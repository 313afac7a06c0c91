// The walkthrough's progress: steps done are kept in the extension's state, mirrored in context keys and
// handed to VS Code's walkthrough service; at each activation again, since in VS Code for the Web the
// service keeps its ticks in the browser, and a new browser has none.
import * as assert from 'assert';
import type * as vscode from 'vscode';
import { WalkthroughProgress, walkthroughStepId } from '../../src/vscode/start/walkthrough-progress';
import { WALKTHROUGH_SYNC_KEY, walkthroughContextKey } from '../../src/vscode/start/walkthrough-steps';

const EXTENSION = 'cpt-writer.cpt-writer';

class MemoryState implements vscode.Memento {
  private readonly values = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  get<T>(key: string, fallback?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : fallback;
  }
  async update(key: string, value: unknown): Promise<void> {
    // A write that yields first, as the real one does, so lost updates would show.
    await Promise.resolve();
    this.values.set(key, value);
  }
}

function recorder(state: vscode.Memento, fail = false) {
  const keys: [string, boolean][] = [];
  const told: string[] = [];
  const progress = new WalkthroughProgress(
    state,
    EXTENSION,
    async (key, value) => {
      keys.push([key, value]);
    },
    async (id) => {
      told.push(id);
      if (fail) throw new Error('Tried to progress unknown step');
    },
  );
  return { progress, keys, told };
}

describe('walkthrough progress', () => {
  it('hands a done step to the walkthrough service, and again at the next activation', async () => {
    const state = new MemoryState();
    const first = recorder(state);
    await first.progress.mark('pickStyle');
    await first.progress.mark('pickStyle');
    assert.deepStrictEqual(first.told, [
      walkthroughStepId(EXTENSION, 'pickStyle'),
      walkthroughStepId(EXTENSION, 'pickStyle'),
    ]);
    assert.deepStrictEqual(first.progress.done(), ['pickStyle']);
    assert.ok(first.keys.some(([k, v]) => k === walkthroughContextKey('pickStyle') && v));
    // Each mark pulses the sync key on and off, so an open page ticks the step.
    const pulses = first.keys.filter(([k]) => k === WALKTHROUGH_SYNC_KEY).map(([, v]) => v);
    assert.deepStrictEqual(pulses, [true, false, true, false]);

    const restarted = recorder(state);
    await restarted.progress.restore();
    assert.deepStrictEqual(restarted.told, [walkthroughStepId(EXTENSION, 'pickStyle')]);
    assert.ok(restarted.keys.some(([k, v]) => k === walkthroughContextKey('pickStyle') && v));
    assert.deepStrictEqual(restarted.keys.slice(-2), [
      [WALKTHROUGH_SYNC_KEY, true],
      [WALKTHROUGH_SYNC_KEY, false],
    ]);
  });

  it('a service that refuses the step still leaves it done, and steps marked together are all kept', async () => {
    const state = new MemoryState();
    const { progress, told } = recorder(state, true);
    await Promise.all([progress.mark('chooseModel'), progress.mark('pickStyle'), progress.mark('rewrite')]);
    assert.deepStrictEqual(progress.done(), ['chooseModel', 'pickStyle', 'rewrite']);
    assert.strictEqual(told.length, 3);
    const restarted = recorder(state);
    await restarted.progress.restore();
    assert.deepStrictEqual(
      restarted.told,
      (['chooseModel', 'pickStyle', 'rewrite'] as const).map((s) => walkthroughStepId(EXTENSION, s)),
    );
  });
});
