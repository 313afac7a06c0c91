import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * Physical CPU cores. Generation threads spin, so one per hyper-thread (or node-llama-cpp's default of
 * at least 4) oversubscribes small machines badly (4 threads on a 2-core machine ran about 500x slower).
 * Each platform is asked in its own way (Linux /proc/cpuinfo, macOS sysctl, Windows CIM through
 * PowerShell, else wmic); the answers are parsed by the pure functions below, tested on recorded outputs.
 * When nothing answers, the logical count is the fallback.
 */
export function physicalCores(): number {
  cached ??= detect();
  return cached;
}
let cached: number | undefined;

function logicalCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Runs a probe command for at most a few seconds; its stdout, or undefined when it fails. */
function probe(file: string, args: string[]): string | undefined {
  try {
    return execFileSync(file, args, {
      encoding: 'utf8',
      timeout: 5000,
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024,
    });
  } catch {
    return undefined;
  }
}

function detect(): number {
  const logical = Math.max(1, logicalCores());
  let physical: number | undefined;
  if (process.platform === 'linux') {
    try {
      physical = parseLinuxCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
    } catch {
      /* fall through */
    }
  } else if (process.platform === 'darwin') {
    physical = parseSysctlPhysicalCpu(probe('/usr/sbin/sysctl', ['-n', 'hw.physicalcpu']));
  } else if (process.platform === 'win32') {
    physical =
      parseWindowsCoreCounts(
        probe('powershell.exe', [
          '-NoProfile',
          '-NonInteractive',
          '-Command',
          '(Get-CimInstance -ClassName Win32_Processor).NumberOfCores',
        ]),
      ) ?? parseWindowsCoreCounts(probe('wmic', ['cpu', 'get', 'NumberOfCores']));
  }
  return physical ? Math.max(1, Math.min(physical, logical)) : logical;
}

/** Distinct (physical id, core id) pairs in /proc/cpuinfo; undefined when it lists none (some ARM kernels). */
export function parseLinuxCpuinfo(text: string): number | undefined {
  const cores = new Set<string>();
  let phys = '0';
  for (const line of text.split('\n')) {
    const [k, v] = line.split(':').map((x) => x?.trim());
    if (k === 'physical id') phys = v;
    else if (k === 'core id') cores.add(`${phys}/${v}`);
  }
  return cores.size > 0 ? cores.size : undefined;
}

/** `sysctl -n hw.physicalcpu` prints one number; undefined for anything else. */
export function parseSysctlPhysicalCpu(output: string | undefined): number | undefined {
  const s = output?.trim();
  return s && /^\d+$/.test(s) && Number(s) > 0 ? Number(s) : undefined;
}

/**
 * NumberOfCores per processor package, one a line: PowerShell prints the bare numbers, wmic a
 * "NumberOfCores" header first (and \r\r\n line ends). The packages' cores are summed; undefined when
 * no line is a number.
 */
export function parseWindowsCoreCounts(output: string | undefined): number | undefined {
  if (!output) return undefined;
  let sum = 0;
  let any = false;
  for (const line of output.split(/\r*\n/).map((l) => l.trim())) {
    if (!/^\d+$/.test(line)) continue;
    sum += Number(line);
    any = true;
  }
  return any && sum > 0 ? sum : undefined;
}
