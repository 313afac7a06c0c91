// Install CUDA Backend… and Remove CUDA Backend: node-llama-cpp's CUDA binaries, too big for the VSIX,
// added to (and removed from) the extension's storage with core/engine/backends, with progress and
// cancel. The model service starts the engine with backendsEnv(dir) while the folder holds a complete
// install, so `gpu: auto` (or `cuda`) can pick CUDA from the next engine start.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { cancellation } from '../common/cancel';
import {
  type BackendInstallProgress,
  type InstalledBackendPackage,
  backendsEnv,
  cudaBackendPackages,
  installCudaBackend,
  nodeLlamaCppVersion,
  removeInstalledBackends,
  verifyInstalledBackends,
} from '../../core/engine/backends';
import { isCancelled } from '../../core/errors';
import type { Logger } from '../../core/log';
import { errorMessage } from '../common/log';
import type { Notifier } from '../common/notify';
import { formatBytes, type ModelService } from './model-service';

/** Unpacked sizes of node-llama-cpp 3.21.1's CUDA packages on Linux x64 (du -sh), for the choice the writer makes. */
const APPROX_SIZE = { main: '≈180 MB', fallback: '≈360 MB' } as const;

/** The CUDA backend folder in the extension's storage, and what the engine needs to use it. */
export class CudaBackend {
  /**
   * The npm registry to download from; the in-host tests point it at a loopback registry they start
   * (reached through the services, which exist for tests only in ExtensionMode.Test).
   */
  registry: string | undefined;
  private warned = '';

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /** Whether node-llama-cpp has a CUDA build for this platform (Linux and Windows on x64). */
  get supported(): boolean {
    return cudaBackendPackages() !== undefined;
  }

  /**
   * The engine environment: backendsEnv(dir) when the folder holds a complete install for this
   * node-llama-cpp (file sizes checked, which is quick), else nothing, with a log line saying why.
   */
  async engineEnv(): Promise<NodeJS.ProcessEnv> {
    if (!existsSync(path.join(this.dir, 'node_modules', '@node-llama-cpp'))) return {};
    const check = await verifyInstalledBackends(this.dir, { version: nodeLlamaCppVersion() });
    if (check.ok) return backendsEnv(this.dir);
    const problems = check.packages
      .filter((p) => !p.ok)
      .map((p) => `${p.name}: ${p.problems.join('; ')}`)
      .join(' · ');
    if (problems && problems !== this.warned) {
      this.warned = problems;
      this.logger.warn(
        `the CUDA backend in ${this.dir} is not used: ${problems}. Install it again or remove it (CPT Writer: ` +
          `Install CUDA Backend… / Remove CUDA Backend).`,
      );
    }
    return {};
  }
}

export interface CudaCommandDeps {
  backend: CudaBackend;
  models: ModelService;
  notifier: Notifier;
  logger: Logger;
}

export interface InstallCudaArgs {
  /** Skips the Quick Pick: also install the CUDA 12 fallback (true) or only the CUDA 13 build (false). */
  withCuda12Fallback?: boolean;
  /** Cancels like the notification's Cancel button (tests). */
  signal?: AbortSignal;
}

export type InstallCudaResult = 'installed' | 'cancelled' | 'failed' | 'unsupported';

/** Reads the command's optional argument object; anything else means "ask". */
export function parseInstallCudaArgs(arg: unknown): InstallCudaArgs {
  if (!arg || typeof arg !== 'object') return {};
  const a = arg as Record<string, unknown>;
  return {
    ...(typeof a.withCuda12Fallback === 'boolean' ? { withCuda12Fallback: a.withCuda12Fallback } : {}),
    ...(a.signal instanceof AbortSignal ? { signal: a.signal } : {}),
  };
}

async function pickVariant(): Promise<boolean | undefined> {
  type Item = vscode.QuickPickItem & { fallback: boolean };
  const items: Item[] = [
    {
      label: vscode.l10n.t('CUDA 13 with the CUDA 12 fallback'),
      description: `${APPROX_SIZE.main} + ${APPROX_SIZE.fallback}`,
      fallback: true,
      detail: vscode.l10n.t('Recommended: runs with a CUDA 13 or a CUDA 12 runtime.'),
    },
    {
      label: vscode.l10n.t('CUDA 13 only'),
      description: APPROX_SIZE.main,
      fallback: false,
      detail: vscode.l10n.t('Smaller; needs the CUDA 13 runtime.'),
    },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('CPT Writer: Install CUDA Backend'),
    placeHolder: vscode.l10n.t(
      "Downloaded once from the npm registry into the extension's storage (sizes unpacked). Needs an NVIDIA GPU " +
        'with its driver.',
    ),
  });
  return picked?.fallback;
}

/** The progress line for one install step: "@node-llama-cpp/linux-x64-cuda (1 of 2): 45 MB of 138 MB". */
export function installProgressMessage(p: BackendInstallProgress): string {
  const which = vscode.l10n.t('{0} ({1} of {2})', p.package, p.index + 1, p.count);
  switch (p.phase) {
    case 'metadata':
      return vscode.l10n.t('{0}: asking the registry', which);
    case 'download':
      return p.totalBytes
        ? vscode.l10n.t('{0}: {1} of {2}', which, formatBytes(p.receivedBytes), formatBytes(p.totalBytes))
        : vscode.l10n.t('{0}: {1}', which, formatBytes(p.receivedBytes));
    case 'verify':
      return vscode.l10n.t('{0}: checking its integrity', which);
    case 'unpack':
      return vscode.l10n.t('{0}: unpacking', which);
    case 'done':
      return vscode.l10n.t('{0}: installed', which);
  }
}

/**
 * CPT Writer: Install CUDA Backend…. Downloads node-llama-cpp's CUDA packages into the extension's
 * storage with a cancellable progress notification, verifies every file, and has the engine restart
 * with them on next use. What it needs on the machine, and what happens next, is told at the end.
 */
export async function installCudaBackendCommand(
  deps: CudaCommandDeps,
  args: InstallCudaArgs = {},
): Promise<InstallCudaResult> {
  const { backend, notifier, logger } = deps;
  if (!backend.supported) {
    notifier.info(
      vscode.l10n.t(
        'CPT Writer: node-llama-cpp has no CUDA build for {0}; CUDA is for Linux and Windows on x64.',
        `${process.platform}-${process.arch}`,
      ),
    );
    return 'unsupported';
  }
  const withFallback = args.withCuda12Fallback ?? (await pickVariant());
  if (withFallback === undefined) return 'cancelled';
  const finished: InstalledBackendPackage[] = [];
  const done: string[] = [];
  let result = 'failed' as InstallCudaResult;
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('CPT Writer: installing the CUDA backend'),
      cancellable: true,
    },
    async (progress, token) => {
      const abort = cancellation(token, args.signal);
      let reported = 0;
      try {
        const installed = await installCudaBackend({
          dir: backend.dir,
          withCuda12Fallback: withFallback,
          signal: abort.signal,
          ...(backend.registry ? { registry: backend.registry } : {}),
          onProgress: (p) => {
            if (p.phase === 'done') done.push(p.package);
            const percent = Math.round(p.fraction * 100);
            progress.report({ message: installProgressMessage(p), increment: Math.max(0, percent - reported) });
            reported = Math.max(reported, percent);
          },
        });
        finished.push(...installed);
        progress.report({ message: vscode.l10n.t('verifying every installed file') });
        const check = await verifyInstalledBackends(backend.dir, { full: true, version: nodeLlamaCppVersion() });
        if (!check.ok) {
          const problems = check.packages
            .filter((p) => !p.ok)
            .map((p) => `${p.name}: ${p.problems.slice(0, 3).join('; ')}`)
            .join(' · ');
          await removeInstalledBackends(backend.dir);
          throw new Error(`the installed files did not verify (${problems}); they were removed`);
        }
        result = 'installed';
      } catch (err) {
        const cancelled = isCancelled(err);
        result = cancelled ? 'cancelled' : 'failed';
        const keptLog = done.length
          ? ` ${done.join(' and ')} (complete and verified) stays installed; CPT Writer: Remove CUDA Backend ` +
            `removes it.`
          : ' Nothing was installed.';
        const kept = done.length
          ? ' ' +
            vscode.l10n.t(
              '{0} (complete and verified) stays installed; CPT Writer: Remove CUDA Backend removes it.',
              done.join(' and '),
            )
          : ' ' + vscode.l10n.t('Nothing was installed.');
        if (cancelled) {
          logger.info(`CUDA backend install cancelled.${keptLog}`);
          notifier.info(vscode.l10n.t('CPT Writer: the CUDA backend install was cancelled.') + kept);
        } else {
          logger.error(`CUDA backend install failed: ${errorMessage(err)}`);
          notifier.error(
            vscode.l10n.t('CPT Writer could not install the CUDA backend: {0}.', errorMessage(err)) + kept,
          );
        }
      } finally {
        abort.dispose();
      }
    },
  );
  // A finished package is used from the next engine start, also after a cancel or a later failure.
  if (result === 'installed' || done.length) await deps.models.engineEnvChanged();
  if (result === 'installed') {
    const bytes = finished.reduce((s, p) => s + p.bytes, 0);
    logger.info(
      `CUDA backend installed into ${backend.dir}: ` +
        `${finished.map((p) => `${p.name}@${p.version} (${p.files} files, ${p.bytes} bytes)`).join(', ')}`,
    );
    notifier.info(
      vscode.l10n.t(
        'CPT Writer: the CUDA backend is installed and verified ({0}). The next rewrite restarts the engine; with ' +
          'cptWriter.gpu set to auto or cuda it runs on your NVIDIA GPU when the NVIDIA driver and the CUDA ' +
          "runtime are installed, and otherwise falls back to Vulkan or the CPU and says why in the model's tooltip.",
        formatBytes(bytes),
      ),
    );
  }
  return result;
}

/**
 * CPT Writer: Remove CUDA Backend. Stops the engine first (its process may have the CUDA library open,
 * which Windows would not let go of), removes the packages and says how much that freed.
 */
export async function removeCudaBackendCommand(deps: CudaCommandDeps): Promise<number> {
  const { backend, notifier, logger, models } = deps;
  const installed = await verifyInstalledBackends(backend.dir);
  if (installed.packages.length) await models.shutdown();
  const freed = await removeInstalledBackends(backend.dir);
  await models.engineEnvChanged();
  logger.info(`CUDA backend removed from ${backend.dir}: ${freed} bytes freed`);
  notifier.info(
    freed
      ? vscode.l10n.t(
          'CPT Writer: removed the CUDA backend ({0} freed). The engine uses the backends in the package (Vulkan ' +
            'where a driver is present, else the CPU) from the next rewrite.',
          formatBytes(freed),
        )
      : vscode.l10n.t('CPT Writer: no CUDA backend is installed.'),
  );
  return freed;
}
