// Who judges in the editor: the rewriting model, or (cptWriter.judgeModel) a second model in its own
// engine process, started the first time a judgement is needed and stopped when the setting or an
// engine setting (threads, GPU, context…) changes; the next judgement starts it again with the new ones.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TextGenerator } from '../../core/engine';
import { engineSettings, onDidChangeConfig, readConfig } from '../common/config';
import type { Logger } from '../../core/log';
import { LazyGenerator } from '../../core/judge';
import type { ModelService } from '../model/model-service';
import { readJudgeConfig } from './config';

export interface JudgeServiceOptions {
  models: ModelService;
  logger: Logger;
  processEntry: string;
}

/** cptWriter.judgeModel when it names a model other than the rewriting one; '' otherwise. */
function secondSpec(): string {
  const spec = readJudgeConfig().judgeModel;
  return spec === readConfig().model ? '' : spec;
}

export class JudgeService implements vscode.Disposable {
  private second: { spec: string; generator: LazyGenerator } | undefined;
  private readonly configSub: vscode.Disposable;

  constructor(private readonly opts: JudgeServiceOptions) {
    // A changed or cleared judge model frees the old one's memory at once, not at the next judgement.
    this.configSub = onDidChangeConfig((change) => {
      if (!this.second) return;
      if (change.engine || this.second.spec !== secondSpec()) void this.stop();
    });
  }

  /**
   * The judge: the second model when cptWriter.judgeModel is set (created now, loaded on its first
   * judgement), else `rewriting`, else the rewriting model made ready. Undefined when there is no model.
   */
  async generator(rewriting?: TextGenerator): Promise<TextGenerator | undefined> {
    const spec = secondSpec();
    if (!spec) {
      if (this.second) void this.stop();
      return rewriting ?? (await this.opts.models.ensureReady())?.engine;
    }
    return this.secondModel(spec);
  }

  /**
   * The second judge model for an evaluation, when cptWriter.judgeModel names one other than the
   * rewriting model. `release` frees it again unless it was already loaded before the borrow, so an
   * evaluation leaves memory as it found it.
   */
  async borrowSecond(): Promise<{ judge: LazyGenerator; release(): Promise<void> } | undefined> {
    const spec = secondSpec();
    if (!spec) return undefined;
    const judge = await this.secondModel(spec);
    const wasLoaded = judge.loaded;
    return {
      judge,
      release: async () => {
        if (!wasLoaded && this.second?.generator === judge) await this.stop();
      },
    };
  }

  private async secondModel(spec: string): Promise<LazyGenerator> {
    if (this.second?.spec !== spec) {
      await this.stop();
      const { models, logger, processEntry } = this.opts;
      const generator = new LazyGenerator(async () => {
        logger.info(
          `judge: loading the second model ${spec} (its weights and context take memory beside the rewriting model's)`,
        );
        const engine = models.engineFactory({
          ...engineSettings(readConfig(), models.storageDirs),
          // cptWriter.loraAdapters tune the rewriting model; on the judge they would change the instrument.
          lora: [],
          logger,
          processEntry,
          env: { ELECTRON_RUN_AS_NODE: '1' },
        });
        try {
          const model = await engine.load(spec);
          logger.info(`judge: ${model.name} loaded`);
          // The file name tells apart two quantisations of one model in eval reports and resume checks.
          return {
            generator: engine,
            name: `${model.name} (${path.basename(model.file)})`,
            dispose: () => engine.dispose(),
          };
        } catch (err) {
          await engine.dispose();
          throw err;
        }
      });
      this.second = { spec, generator };
    }
    return this.second.generator;
  }

  /** True while a second judge model is loaded. */
  get secondLoaded(): boolean {
    return this.second?.generator.loaded ?? false;
  }

  async stop(): Promise<void> {
    const s = this.second;
    this.second = undefined;
    await s?.generator.dispose();
  }

  dispose(): void {
    this.configSub.dispose();
    void this.stop();
  }
}
