import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * Physical CPU cores. Generation threads spin, so one per hyper-thread (or node-llama-cpp's default of
 * at least 4) oversubscribes small machines badly (4 threads on a 2-core machine ran about 500x slower).
 */
export function physicalCores(): number {
  const logical = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  if (process.platform === 'linux') {
    try {
      const cores = new Set<string>();
      let phys = '0';
      for (const line of readFileSync('/proc/cpuinfo', 'utf8').split('\n')) {
        const [k, v] = line.split(':').map((x) => x?.trim());
        if (k === 'physical id') phys = v;
        else if (k === 'core id') cores.add(`${phys}/${v}`);
      }
      if (cores.size > 0) return Math.max(1, Math.min(cores.size, logical));
    } catch {
      /* fall through */
    }
  }
  return Math.max(1, logical);
}
