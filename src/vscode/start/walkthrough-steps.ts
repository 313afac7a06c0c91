// The walkthrough's steps and the context keys their completion events name (package.json); no `vscode`
// import, so the manifest test checks the two agree in plain Node. Why two keys: walkthrough-progress.ts.

export const WALKTHROUGH_ID = 'cptWriter.gettingStarted';
export const WALKTHROUGH_STEPS = ['chooseModel', 'pickStyle', 'rewrite', 'accept', 'buildPairs'] as const;
export type WalkthroughStep = (typeof WALKTHROUGH_STEPS)[number];
export const WALKTHROUGH_SYNC_KEY = 'cptWriter.walkthrough.sync';

/** The context key that says a step is done. */
export function walkthroughContextKey(step: WalkthroughStep): string {
  return `cptWriter.walkthrough.${step}Done`;
}

/** The step's completion event in package.json. */
export function walkthroughCompletionEvent(step: WalkthroughStep): string {
  return `onContext:${walkthroughContextKey(step)} && ${WALKTHROUGH_SYNC_KEY}`;
}
