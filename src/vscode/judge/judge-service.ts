// Who judges in the editor: the rewriting model, or a second engine process for cptWriter.judgeModel (or
// the rewriting model's file) with only cptWriter.judgeLoraAdapters, whenever the judge's model or adapters
// differ from the rewriting engine's. It starts the first time a judgement is needed and stops when those
// settings or an engine setting (threads, GPU, context…) change; the next judgement starts it again.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EngineError, identityLabel, type LoraAdapter, type TextGenerator } from '../../core/engine';
import { engineSettings, onDidChangeConfig, readConfig } from '../common/config';
import type { Logger } from '../../core/log';
import { LazyGenerator } from '../../core/judge';
import type { ModelService } from '../model/model-service';
import { separateJudge } from './config';

export interface JudgeServiceOptions {
  models: ModelService;
  logger: Logger;
  processEntry: string;
}

/** What tells two judge engines apart: the model spec and the judge's adapters. */
const keyOf = (j: { spec: string; lora: LoraAdapter[]; problems: string[] }) => JSON.stringify(j);

export class JudgeService implements vscode.Disposable {
  private second: { key: string; generator: LazyGenerator } | undefined;
  private readonly configSub: vscode.Disposable;

  constructor(private readonly opts: JudgeServiceOptions) {
    // A changed or cleared judge model frees the old one's memory at once, not at the next judgement.
    this.configSub = onDidChangeConfig((change) => {
      if (!this.second) return;
      const wanted = separateJudge();
      if (change.engine || !wanted || this.second.key !== keyOf(wanted)) void this.stop();
    });
  }

  /**
   * The judge: its own engine when its model or adapters differ from the rewriting engine's (created now,
   * loaded on its first judgement), else `rewriting`, else the rewriting model made ready. Undefined when
   * there is no model.
   */
  async generator(rewriting?: TextGenerator): Promise<TextGenerator | undefined> {
    const wanted = separateJudge();
    if (!wanted) {
      if (this.second) void this.stop();
      return rewriting ?? (await this.opts.models.ensureReady())?.engine;
    }
    return this.secondModel(wanted);
  }

  /**
   * The judge's own engine for an evaluation, when the judge is not the rewriting engine (see
   * separateJudge). `release` frees it again unless it was already loaded before the borrow, so an
   * evaluation leaves memory as it found it.
   */
  async borrowSecond(): Promise<{ judge: LazyGenerator; release(): Promise<void> } | undefined> {
    const wanted = separateJudge();
    if (!wanted) return undefined;
    const judge = await this.secondModel(wanted);
    const wasLoaded = judge.loaded;
    return {
      judge,
      release: async () => {
        if (!wasLoaded && this.second?.generator === judge) await this.stop();
      },
    };
  }

  private async secondModel(wanted: { spec: string; lora: LoraAdapter[]; problems: string[] }): Promise<LazyGenerator> {
    const key = keyOf(wanted);
    if (this.second?.key !== key) {
      await this.stop();
      const { models, logger, processEntry } = this.opts;
      const { spec, lora, problems } = wanted;
      const generator = new LazyGenerator(async () => {
        // An unreadable judge adapter entry would leave the judge running without it: refuse instead.
        if (problems.length) throw new EngineError('ADAPTER_FAILED', problems.join('; '));
        logger.info(
          `judge: loading its own engine for ${spec}${lora.length ? ` with ${lora.length} judge adapter(s)` : ''}` +
            " (its weights and context take memory beside the rewriting model's)",
        );
        const engine = models.engineFactory({
          ...engineSettings(readConfig(), models.storageDirs),
          // Only the judge's own adapters: cptWriter.loraAdapters tune the rewriting model, and on the judge
          // they would change the instrument.
          lora,
          logger,
          processEntry,
          env: { ELECTRON_RUN_AS_NODE: '1' },
        });
        try {
          const model = await engine.load(spec);
          logger.info(`judge: ${model.name} loaded`);
          // The file name tells apart two quantisations of one model in eval reports and resume checks; the
          // adapters (name and scale) tell a judge with adapters from the same model without.
          return {
            generator: engine,
            name: identityLabel(
              `${model.name} (${path.basename(model.file)})`,
              lora.map((a) => ({ label: path.basename(a.path), scale: a.scale })),
            ),
            dispose: () => engine.dispose(),
          };
        } catch (err) {
          await engine.dispose();
          throw err;
        }
      });
      this.second = { key, generator };
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
