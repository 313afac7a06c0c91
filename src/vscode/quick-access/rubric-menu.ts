// The editor context submenu "CPT Writer" on a selection: Rewrite with Current Style, Rewrite as…, and
// one entry per built-in rubric. Menus are static (package.json), so each built-in rubric has its own
// command, `cptWriter.rewriteAs.<rubric id>`; it rewrites with that rubric after the level pick.
// Workspace rubrics are reached through "Rewrite as…". A unit test keeps this list, rubrics/ and the
// manifest in step.
import type { RewriteActions } from '../preview/rewrite-actions';

export const BUILTIN_RUBRIC_IDS = [
  'concision',
  'confidence',
  'formality',
  'ornateness',
  'technical-depth',
  'warmth',
] as const;

export const REWRITE_AS_PREFIX = 'cptWriter.rewriteAs.';

export function rewriteAsCommandId(rubricId: string): string {
  return `${REWRITE_AS_PREFIX}${rubricId}`;
}

/** `[command id, handler]` for each built-in rubric's menu entry. */
export function rewriteAsCommands(actions: RewriteActions): [string, () => Promise<unknown>][] {
  return BUILTIN_RUBRIC_IDS.map((rubricId) => [
    rewriteAsCommandId(rubricId),
    () => actions.rewriteSelection({ rubricId }),
  ]);
}
