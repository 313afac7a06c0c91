// What the writer reads about GPU backends: which ones this install has, which the machine can run, and
// why the engine is on the CPU when a GPU was allowed. No vscode import, so it is unit-tested in Node.
import type { Backend, BackendAvailability, GpuSetting } from '../../core/engine';

const LABEL: Record<Backend, string> = { cpu: 'CPU', cuda: 'CUDA', vulkan: 'Vulkan', metal: 'Metal' };
const DRIVER: Record<Backend, string> = {
  cpu: '',
  cuda: 'no NVIDIA driver with the CUDA runtime was found',
  vulkan: 'no Vulkan driver (loader) was found on this machine',
  metal: 'Metal is not available on this Mac',
};

export function backendLabel(b: Backend): string {
  return LABEL[b];
}

/** One line per backend: "Vulkan: in this install; no Vulkan driver (loader) was found on this machine". */
export function backendLines(backends: readonly BackendAvailability[], inUse: Backend): string[] {
  return backends.map((b) => {
    if (b.backend === inUse) return `${LABEL[b.backend]}: in use`;
    if (!b.binary) return `${LABEL[b.backend]}: not in this install${b.backend === 'cuda' ? ' (CPT Writer: Install CUDA Backend… adds it)' : ''}`;
    if (!b.drivers) return `${LABEL[b.backend]}: in this install; ${DRIVER[b.backend]}`;
    return `${LABEL[b.backend]}: in this install and usable`;
  });
}

/**
 * Why the engine runs on the CPU although `gpu` allowed a GPU, from what the engine found; undefined when
 * it is not on the CPU, the GPU was turned off, or nothing is known. (A GPU that was asked for by name and
 * failed is reported by the engine itself as its GPU fallback.)
 */
export function cpuReason(gpu: GpuSetting, inUse: Backend, backends: readonly BackendAvailability[] | undefined): string | undefined {
  if (inUse !== 'cpu' || gpu === 'off' || !backends) return undefined;
  const gpus = backends.filter((b) => b.backend !== 'cpu' && (gpu === 'auto' || b.backend === gpu));
  if (!gpus.length) return undefined;
  const why = gpus.map((b) => (!b.binary ? `${LABEL[b.backend]} is not in this install` : !b.drivers ? `${LABEL[b.backend]} is, but ${DRIVER[b.backend]}` : `${LABEL[b.backend]} could not start`));
  return `running on the CPU: ${why.join('; ')}.`;
}
