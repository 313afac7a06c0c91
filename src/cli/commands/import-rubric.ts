import type { CliCommand } from '../command';

export const importRubricCommand: CliCommand = {
  name: 'import-rubric',
  summary: '(not implemented yet)',
  usage: 'cpt-writer import-rubric',
  async run() {
    throw new Error('not implemented');
  },
};
