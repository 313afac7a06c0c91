import type { CliCommand } from '../command';

export const makeTestModelCommand: CliCommand = {
  name: 'make-test-model',
  summary: '(not implemented yet)',
  usage: 'cpt-writer make-test-model',
  async run() {
    throw new Error('not implemented');
  },
};
