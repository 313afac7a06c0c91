// cptWriter.model set to a server, for the model service: the server connected once per address, served
// model and API key (a rewrite after that reuses it; concurrent callers share one connection attempt),
// with no engine running meanwhile.
import { readConfig } from '../common/config';
import { readyEndpoint } from './endpoint-model';
import type { ModelStatus, ReadyEngine } from './model-status';
import type { ModelServiceOptions } from './model-service';

export interface EndpointReadyDeps {
  opts: Pick<ModelServiceOptions, 'logger' | 'notifier' | 'apiKeys' | 'selectModel' | 'setApiKey'>;
  status(): ModelStatus;
  set(status: ModelStatus): void;
  /** Whether an engine runs, and stopping it (a server needs none: its memory is freed). */
  hasEngine(): boolean;
  stopEngine(): Promise<void>;
}

export class EndpointReady {
  private endpointReady: { key: string; ready: ReadyEngine } | undefined;
  private endpointLoading: { key: string; ready: Promise<ReadyEngine | undefined> } | undefined;

  constructor(private readonly deps: EndpointReadyDeps) {}

  /** cptWriter.model is a server: no engine runs (a running one is stopped to free its memory). */
  async ensure(spec: string): Promise<ReadyEngine | undefined> {
    const { opts } = this.deps;
    const servedModel = readConfig().endpointModel;
    const apiKey = await opts.apiKeys?.get(spec).catch(() => undefined);
    const key = JSON.stringify([spec, servedModel, apiKey ?? '']);
    const cached = this.endpointReady;
    const current = this.deps.status();
    if (cached?.key === key && current.state === 'ready' && current.spec === spec) return cached.ready;
    if (this.endpointLoading?.key === key) return this.endpointLoading.ready;
    if (this.deps.hasEngine()) await this.deps.stopEngine();
    this.endpointReady = undefined;
    const ready = readyEndpoint(
      { spec, servedModel, apiKey, logger: opts.logger, notifier: opts.notifier },
      {
        set: (status) => this.deps.set(status),
        selectModel: () => opts.selectModel(),
        setApiKey: () => opts.setApiKey?.(),
      },
    ).then((r) => {
      if (r && JSON.stringify([readConfig().model, readConfig().endpointModel, apiKey ?? '']) === key)
        this.endpointReady = { key, ready: r };
      return r;
    });
    this.endpointLoading = { key, ready };
    try {
      return await ready;
    } finally {
      if (this.endpointLoading?.ready === ready) this.endpointLoading = undefined;
    }
  }

  /** Forgets the connected server (its API key changed): the next rewrite connects again. */
  forget(): void {
    this.endpointReady = undefined;
  }
}
