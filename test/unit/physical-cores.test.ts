// Physical-core detection's parsers on each platform's output, in the shape each probe prints it: sysctl
// on macOS, PowerShell's CIM query and wmic on Windows (with their \r\n and \r\r\n line ends), and
// /proc/cpuinfo. test/fixtures/cpu holds the outputs; the macOS and Windows ones were written by hand in
// those tools' documented formats, as no such machine is at hand here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  parseLinuxCpuinfo,
  parseSysctlPhysicalCpu,
  parseWindowsCoreCounts,
  physicalCores,
} from '../../src/core/engine/physical-cores';
import { repoRoot } from '../fixtures/rubrics/paths';

const recorded = (name: string) => readFileSync(path.join(repoRoot, 'test', 'fixtures', 'cpu', name), 'utf8');

describe('physical cores', () => {
  it('reads sysctl -n hw.physicalcpu on macOS', () => {
    assert.equal(parseSysctlPhysicalCpu(recorded('macos-sysctl-physicalcpu.txt')), 8);
    assert.equal(parseSysctlPhysicalCpu(''), undefined);
    assert.equal(parseSysctlPhysicalCpu(undefined), undefined);
    assert.equal(parseSysctlPhysicalCpu('sysctl: unknown oid'), undefined);
    assert.equal(parseSysctlPhysicalCpu('0\n'), undefined);
  });

  it("sums PowerShell's NumberOfCores per processor package, and reads wmic's table", () => {
    assert.equal(parseWindowsCoreCounts(recorded('windows-powershell-1-socket.txt')), 8);
    assert.equal(parseWindowsCoreCounts(recorded('windows-powershell-2-sockets.txt')), 32);
    assert.equal(parseWindowsCoreCounts(recorded('windows-wmic.txt')), 6);
    assert.equal(parseWindowsCoreCounts("'wmic' is not recognized as an internal or external command"), undefined);
    assert.equal(parseWindowsCoreCounts(''), undefined);
  });

  it('counts distinct cores, not hyper-threads, in /proc/cpuinfo', () => {
    assert.equal(parseLinuxCpuinfo(recorded('linux-cpuinfo-2c4t.txt')), 2);
    assert.equal(parseLinuxCpuinfo('processor\t: 0\nBogoMIPS\t: 48.00\n'), undefined);
  });

  it('gives a whole number between 1 and the logical count on this machine, the same each time', () => {
    const n = physicalCores();
    assert.ok(Number.isInteger(n) && n >= 1 && n <= os.cpus().length);
    assert.equal(physicalCores(), n);
  });
});
