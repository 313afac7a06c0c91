// The Getting Started walkthrough ticks its steps from state the extension keeps, not from commands the
// Welcome page happened to see: each step really done (a model chosen, a style picked, a rewrite, a
// decision, pairs built) is stored in globalState and mirrored in a context key, and the step's completion
// event (package.json) waits for `<that key> && cptWriter.walkthrough.sync`.
//
// Why the second key: VS Code 1.100 (the walkthrough service in its workbench) registers the steps when
// the service is first used, usually when the Welcome page opens. An `onContext` expression that is
// already true at that moment is recorded as seen but never ticks the step, and the same expression
// becoming true later is then ignored; only a change from false to true after registration ticks it.
// So the expression is kept false (sync off) and pulsed true whenever the page may have registered the
// steps: at activation, after a step is done, and when an editor of a kind the API cannot name (the
// Welcome page is one) opens. A tick is kept by VS Code itself, so it survives restarts.
//
// Each done step is also handed to the walkthrough service itself (its `welcome.markStepComplete`
// command), which stores the tick even before the page registered the steps. Every done step is handed
// over again at each activation: the service keeps its ticks where the workbench keeps its state (in VS
// Code for the Web, the browser), while globalState lives with the extension host, so a new browser has
// none. Help: Welcome decides what to show from those ticks as it renders: with none, it opens VS Code's
// own first walkthrough; with one, the overview, where CPT Writer's walkthrough ranks first (`featuredFor`
// in package.json).
import * as vscode from 'vscode';
import {
  WALKTHROUGH_ID,
  WALKTHROUGH_STEPS,
  WALKTHROUGH_SYNC_KEY,
  type WalkthroughStep,
  walkthroughContextKey,
} from './walkthrough-steps';

const STATE_KEY = 'cptWriter.walkthrough.done';

type SetContext = (key: string, value: boolean) => Thenable<unknown>;
const setContext: SetContext = (key, value) => vscode.commands.executeCommand('setContext', key, value);
/** Tells the walkthrough service a step is done, by the step's full id. */
type RecordStep = (stepId: string) => Thenable<unknown>;
const recordStep: RecordStep = (stepId) => vscode.commands.executeCommand('welcome.markStepComplete', stepId);

/** The id the walkthrough service knows a step by: extension id, walkthrough id and step id. */
export function walkthroughStepId(extensionId: string, step: WalkthroughStep): string {
  return `${extensionId}#${WALKTHROUGH_ID}#${step}`;
}

export class WalkthroughProgress {
  private pulses: Promise<void> = Promise.resolve();
  /** Restore and marks run one after another, so no update of the stored list is lost. */
  private updates: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly state: vscode.Memento,
    private readonly extensionId: string,
    private readonly set: SetContext = setContext,
    private readonly record: RecordStep = recordStep,
  ) {}

  /** The steps done so far in this profile, in walkthrough order. */
  done(): WalkthroughStep[] {
    const stored = this.state.get<unknown>(STATE_KEY);
    const list = Array.isArray(stored) ? stored : [];
    return WALKTHROUGH_STEPS.filter((s) => list.includes(s));
  }

  /** Sets the key of every step done before (at activation), then lets an open page tick them. */
  restore(): Promise<void> {
    return this.serially(async () => {
      const done = this.done();
      await Promise.all(done.map((s) => this.set(walkthroughContextKey(s), true)));
      for (const s of done) await this.tell(s);
      await this.sync();
    });
  }

  /** Records a step as done, once, and ticks it on the walkthrough if the page has registered it. */
  mark(step: WalkthroughStep): Promise<void> {
    return this.serially(async () => {
      const done = this.done();
      if (!done.includes(step)) await this.state.update(STATE_KEY, [...done, step]);
      await this.set(walkthroughContextKey(step), true);
      await this.tell(step);
      await this.sync();
    });
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.updates.then(work);
    this.updates = next.catch(() => undefined);
    return next;
  }

  /**
   * The service throws "unknown step" when it has not registered the extension's walkthroughs yet, but it
   * stores the tick first; a host without the command (another editor) simply shows no tick early.
   */
  private async tell(step: WalkthroughStep): Promise<void> {
    try {
      await this.record(walkthroughStepId(this.extensionId, step));
    } catch {
      // The context keys and the pulse above still tick the step once the page registers it.
    }
  }

  /**
   * Turns the sync key on and off again, so every done step's expression goes from false to true once
   * after the page registered it. Pulses run one after another; each waits for VS Code to have applied
   * the key (the command returns once the workbench has set it and told its listeners).
   */
  sync(): Promise<void> {
    this.pulses = this.pulses.then(async () => {
      await this.set(WALKTHROUGH_SYNC_KEY, true);
      await this.set(WALKTHROUGH_SYNC_KEY, false);
    });
    return this.pulses;
  }
}

/** What the steps are done by; each is an event the services already fire. */
export interface WalkthroughSources {
  /** A model was chosen: the cptWriter.model setting changed, or a real (not demo) model became ready. */
  onDidChooseModel: vscode.Event<unknown>;
  onDidPickStyle: vscode.Event<unknown>;
  /** A rewrite started. */
  onDidRewrite: vscode.Event<{ type: string }>;
  /** A preview ended; accepted or rejected is the decision step. */
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
    // The Welcome page is a tab whose input the API does not name; opening it registers the steps.
    vscode.window.tabGroups.onDidChangeTabs((e) => {
      if (e.opened.some((t) => t.input === undefined) || e.changed.some((t) => t.input === undefined && t.isActive))
        void progress.sync();
    }),
  );
}

/** CPT Writer: Get Started — opens the walkthrough itself, wherever Help: Welcome would land. */
export function openWalkthrough(extensionId: string): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openWalkthrough', `${extensionId}#${WALKTHROUGH_ID}`, false);
}
