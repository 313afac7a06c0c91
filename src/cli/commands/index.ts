import type { CliCommand } from '../command';
import { rubricsCommand } from './rubrics';
import { promptCommand } from './prompt';
import { rewriteCommand } from './rewrite';
import { pairsCommand } from './pairs';
import { makeTestModelCommand } from './make-test-model';
import { importRubricCommand } from './import-rubric';
import { generateCommand } from './generate';
import { directivesCommand } from './directives';
import { evalCommand } from './eval';
import { judgeCommand } from './judge';
import { modelsCommand } from './models';
import { checkCommand } from './check';

export const commands: CliCommand[] = [
  rubricsCommand,
  promptCommand,
  rewriteCommand,
  pairsCommand,
  makeTestModelCommand,
  importRubricCommand,
  generateCommand,
  directivesCommand,
  judgeCommand,
  evalCommand,
  modelsCommand,
  checkCommand,
];
