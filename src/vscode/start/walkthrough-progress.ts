// The Getting Started walkthrough ticks its steps from state the extension keeps, not from commands the
// Welcome page happened to see: each step done (a model chosen, a style picked, a rewrite, a decision,
// pairs built) is stored in globalState and mirrored in a context key that the step's completion event
// names (package.json: "onContext:cptWriter.walkthrough.<step>Done"). VS Code checks those keys when the
// page registers the steps and whenever they change, so a step done before the page was first opened
// shows as done, and so does one done while it is open.
import * as vscode from 'vscode';

export const WALKTHROUGH_ID = 'cptWriter.gettingStarted';
export const WALKTHROUGH_STEPS = ['chooseModel', 'pickStyle', 'rewrite', 'accept', 'buildPairs'] as const;
export type WalkthroughStep = (typeof WALKTHROUGH_STEPS)[number];
const STATE_KEY = 'cptWriter.walkthrough.done';

/** The context key a step's completion event waits for. */
export function walkthroughContextKey(step: WalkthroughStep): string {
  return `cptWriter.walkthrough.${step}Done`;
}

export class WalkthroughProgress {
  constructor(private readonly state: vscode.Memento) {}

  /** The steps done so far in this profile, in walkthrough order. */
  done(): WalkthroughStep[] {
    const stored = this.state.get<unknown>(STATE_KEY);
    const list = Array.isArray(stored) ? stored : [];
    return WALKTHROUGH_STEPS.filter((s) => list.includes(s));
  }

  /** Sets the context key of every step done before (called at activation). */
  async restore(): Promise<void> {
    await Promise.all(
      this.done().map((s) => vscode.commands.executeCommand('setContext', walkthroughContextKey(s), true)),
    );
  }

  /** Records a step as done, once, and ticks it on the walkthrough. */
  async mark(step: WalkthroughStep): Promise<void> {
    const done = this.done();
    if (!done.includes(step)) await this.state.update(STATE_KEY, [...done, step]);
    await vscode.commands.executeCommand('setContext', walkthroughContextKey(step), true);
  }
}

/** What the steps are done by; each is an event the services already fire. */
export interface WalkthroughSources {
  /** A model was chosen: the cptWriter.model setting changed, or a real (not demo) model became ready. */
  onDidChooseModel: vscode.Event<unknown>;
  onDidPickStyle: vscode.Event<unknown>;
  /** A rewrite started. */
  onDidRewrite: vscode.Event<{ type: string }>;
  /** A preview ended; accepted or rejected counts as the decision step. */
  onDidEnd: vscode.Event<{ outcome: string }>;
  onDidBuildPairs: vscode.Event<unknown>;
}

export function trackWalkthrough(progress: WalkthroughProgress, sources: WalkthroughSources): vscode.Disposable {
  const mark = (step: WalkthroughStep) => void progress.mark(step);
  void progress.restore();
  return vscode.Disposable.from(
    sources.onDidChooseModel(() => mark('chooseModel')),
    sources.onDidPickStyle(() => mark('pickStyle')),
    sources.onDidRewrite((e) => {
      if (e.type === 'started') mark('rewrite');
    }),
    sources.onDidEnd((e) => {
      if (e.outcome === 'accepted' || e.outcome === 'rejected') mark('accept');
    }),
    sources.onDidBuildPairs(() => mark('buildPairs')),
  );
}
