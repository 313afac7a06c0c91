// The editor half of feedback logging: a `rewrite` event per completed preview and a `decision` event per
// accept / reject, appended to the JSONL log when cptWriter.feedback.enabled. Edits made after an accept,
// the first-use notice and the log commands live in ./feedback and write through this recorder.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { FeedbackLog, backupLog, createDecisionEvent, createRewriteEvent, newEventId } from '../../core/feedback';
import type { Decision, FeedbackEvent, RewriteEventInit, RewriteModel } from '../../core/feedback';
import type { Logger } from '../../core/log';
import { readConfig } from '../common/config';
import { errorMessage } from '../common/log';

export type RewriteRecord = Omit<RewriteEventInit, 'id' | 'time'>;

export class FeedbackRecorder {
  private log: FeedbackLog | undefined;
  /** Appends run one after another so a decision never lands before the rewrite it refers to. */
  private queue: Promise<void> = Promise.resolve();
  /**
   * The content identity of the model that wrote a rewrite (label, fingerprint, adapters), when known;
   * set by the services (model/loaded-identity.ts). Without it, events carry the model's name and file only.
   */
  identify: ((model: RewriteModel) => Promise<Omit<RewriteModel, 'name' | 'file'> | undefined>) | undefined;

  constructor(
    private readonly globalStorageDir: string,
    private readonly logger: Logger,
  ) {}

  get enabled(): boolean {
    return readConfig().feedbackEnabled;
  }

  /** cptWriter.feedback.path, or feedback.jsonl in the extension's global storage. */
  get path(): string {
    return readConfig().feedbackPath || path.join(this.globalStorageDir, 'feedback.jsonl');
  }

  private logFor(file: string): FeedbackLog {
    if (this.log?.path !== file) this.log = new FeedbackLog(file);
    return this.log;
  }

  /** Appends in order; a logging failure is logged and never interrupts the writer's work. */
  private append(make: () => FeedbackEvent | Promise<FeedbackEvent>): Promise<void> {
    const file = this.path;
    this.queue = this.queue.then(async () => {
      try {
        await this.logFor(file).append(await make());
      } catch (err) {
        this.logger.warn(`feedback log: could not append an event to ${file}: ${errorMessage(err)}`);
      }
    });
    return this.queue;
  }

  /** Resolves when every event recorded so far is written (tests, shutdown). */
  flush(): Promise<void> {
    return this.queue;
  }

  /** A fresh event id; the caller holds it at once so a quick accept can refer to its rewrite. */
  newId(): string {
    return newEventId();
  }

  /** Records a completed preview under `id` (from newId). */
  recordRewrite(id: string, record: RewriteRecord): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    const identity = this.identify?.(record.model).catch(() => undefined);
    return this.append(async () => {
      const known = await identity;
      return createRewriteEvent({ ...record, ...(known ? { model: { ...record.model, ...known } } : {}), id });
    });
  }

  /** `candidate`: for a best-of-N rewrite, the index in its logged candidates the writer took (default 0). */
  recordDecision(rewriteId: string, decision: Decision, final: string, candidate?: number): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    return this.append(() =>
      createDecisionEvent({ rewriteId, decision, final, ...(candidate !== undefined ? { candidate } : {}) }),
    );
  }

  async exists(): Promise<boolean> {
    return fs.stat(this.path).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  /** Moves the log to a dated backup beside it (nothing is deleted); undefined when there was no log. */
  async clear(): Promise<string | undefined> {
    await this.flush();
    return backupLog(this.path);
  }
}
