// What the writer reads about GPU backends: which ones this install has, which the machine can run, and
// why the engine is on the CPU when a GPU was allowed. No vscode import, so it is unit-tested in Node.
import type { Backend, BackendAvailability, GpuSetting } from '../../core/engine';
import { english, type Translate } from '../common/translate';

const LABEL: Record<Backend, string> = { cpu: 'CPU', cuda: 'CUDA', vulkan: 'Vulkan', metal: 'Metal' };
function driverMissing(b: Backend, t: Translate): string {
  switch (b) {
    case 'cpu':
      return '';
    case 'cuda':
      return t('no NVIDIA driver with the CUDA runtime was found');
    case 'vulkan':
      return t('no Vulkan driver (loader) was found on this machine');
    case 'metal':
      return t('Metal is not available on this Mac');
  }
}

export function backendLabel(b: Backend): string {
  return LABEL[b];
}

/** One sentence per backend: "Vulkan is in this install, but no Vulkan driver (loader) was found on this machine." */
export function backendLines(
  backends: readonly BackendAvailability[],
  inUse: Backend,
  t: Translate = english,
): string[] {
  return backends.map((b) => {
    const name = LABEL[b.backend];
    if (b.backend === inUse) return t('{0} is in use.', name);
    if (!b.binary)
      return b.backend === 'cuda'
        ? t('{0} is not in this install; CPT Writer: Install CUDA Backend… adds it.', name)
        : t('{0} is not in this install.', name);
    if (!b.drivers) return t('{0} is in this install, but {1}.', name, driverMissing(b.backend, t));
    return t('{0} is in this install and usable.', name);
  });
}

/**
 * Why the engine runs on the CPU although `gpu` allowed a GPU, from what the engine found; undefined when
 * it is not on the CPU, the GPU was turned off, or nothing is known. (A GPU that was asked for by name and
 * failed is reported by the engine itself as its GPU fallback.)
 */
export function cpuReason(
  gpu: GpuSetting,
  inUse: Backend,
  backends: readonly BackendAvailability[] | undefined,
  t: Translate = english,
): string | undefined {
  if (inUse !== 'cpu' || gpu === 'off' || !backends) return undefined;
  const gpus = backends.filter((b) => b.backend !== 'cpu' && (gpu === 'auto' || b.backend === gpu));
  if (!gpus.length) return undefined;
  const why = gpus.map((b) => {
    const name = LABEL[b.backend];
    return !b.binary
      ? t('{0} is not in this install.', name)
      : !b.drivers
        ? t('{0} is in this install, but {1}.', name, driverMissing(b.backend, t))
        : t('{0} could not start.', name);
  });
  return t('Running on the CPU. {0}', why.join(' '));
}
