// Who judges in the editor: the rewriting model, or (cptWriter.judgeModel) a second model in its own
// engine process, started the first time a judgement is needed and stopped when the setting changes.
import * as vscode from 'vscode';
import type { TextGenerator } from '../../core/engine';
import { engineSettings, readConfig } from '../common/config';
import type { Logger } from '../../core/log';
import { LazyGenerator } from '../../core/judge';
import type { ModelService } from '../model/model-service';
import { readJudgeConfig } from './config';

export interface JudgeServiceOptions {
  models: ModelService;
  logger: Logger;
  processEntry: string;
}

export class JudgeService implements vscode.Disposable {
  private second: { spec: string; generator: LazyGenerator } | undefined;
  private readonly configSub: vscode.Disposable;

  constructor(private readonly opts: JudgeServiceOptions) {
    // A changed or cleared judge model frees the old one's memory at once, not at the next judgement.
    this.configSub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('cptWriter.judgeModel') && this.second && this.second.spec !== readJudgeConfig().judgeModel) void this.stop();
    });
  }

  /**
   * The judge: the second model when cptWriter.judgeModel is set (created now, loaded on its first
   * judgement), else `rewriting`, else the rewriting model made ready. Undefined when there is no model.
   */
  async generator(rewriting?: TextGenerator): Promise<TextGenerator | undefined> {
    const spec = readJudgeConfig().judgeModel;
    if (!spec) {
      if (this.second) void this.stop();
      return rewriting ?? (await this.opts.models.ensureReady())?.engine;
    }
    if (this.second?.spec !== spec) {
      await this.stop();
      const { models, logger, processEntry } = this.opts;
      const generator = new LazyGenerator(async () => {
        logger.info(`judge: loading the second model ${spec} (its weights and context take memory beside the rewriting model's)`);
        const engine = models.engineFactory({
          ...engineSettings(readConfig(), models.storageDirs), logger, processEntry, env: { ELECTRON_RUN_AS_NODE: '1' },
        });
        try {
          const model = await engine.load(spec);
          logger.info(`judge: ${model.name} loaded`);
          return { generator: engine, name: model.name, dispose: () => engine.dispose() };
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
