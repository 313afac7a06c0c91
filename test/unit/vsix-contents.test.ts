// The package script's read-back check of a VSIX (scripts/vsix-contents.mjs), on small zips built here:
// a right linux-x64 VSIX passes; another platform's binary package, a wrong TargetPlatform, a missing
// addon and another platform's native code elsewhere are each named.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { repoRoot } from '../fixtures/rubrics/paths';

type Problems = (file: string, target: string, expected: string[], fits: (m: PkgJson) => boolean) => string[];
interface PkgJson {
  os?: string[];
  cpu?: string[];
}

/** A zip of `files` (name → content), every other entry deflated, as vsce writes them. */
function zip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  Object.entries(files).forEach(([name, content], i) => {
    const raw = Buffer.from(content);
    const method = i % 2 ? 8 : 0;
    const data = method ? zlib.deflateRawSync(raw) : raw;
    const nameBuf = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(zlib.crc32(raw), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(method, 10);
    entry.writeUInt32LE(zlib.crc32(raw), 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(raw.length, 24);
    entry.writeUInt16LE(nameBuf.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    central.push(entry, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  });
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length / 2, 8);
  end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const manifest = (target: string) =>
  `<PackageManifest><Metadata><Identity Id="cpt-writer" TargetPlatform="${target}"/></Metadata></PackageManifest>`;
const pkg = (os: string, cpu: string) => JSON.stringify({ os: [os], cpu: [cpu] });
const P = 'extension/node_modules/@node-llama-cpp/';
const fitsLinuxX64 = (m: PkgJson) => (!m.os || m.os.includes('linux')) && (!m.cpu || m.cpu.includes('x64'));

describe('package script: VSIX read-back check', () => {
  let dir: string;
  let vsixProblems: Problems;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-vsix-'));
    const mod = (await import(pathToFileURL(path.join(repoRoot, 'scripts', 'vsix-contents.mjs')).href)) as {
      vsixProblems: Problems;
    };
    vsixProblems = mod.vsixProblems;
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  const check = async (files: Record<string, string>, target = 'linux-x64') => {
    const f = path.join(dir, `${Math.random().toString(36).slice(2)}.vsix`);
    await fs.writeFile(f, zip(files));
    return vsixProblems(f, target, ['linux-x64', 'linux-x64-vulkan'], fitsLinuxX64);
  };
  const good = {
    'extension.vsixmanifest': manifest('linux-x64'),
    'extension/package.json': '{}',
    [`${P}linux-x64/package.json`]: pkg('linux', 'x64'),
    [`${P}linux-x64/bins/linux-x64/llama-addon.node`]: 'ELF',
    [`${P}linux-x64-vulkan/package.json`]: pkg('linux', 'x64'),
    [`${P}linux-x64-vulkan/bins/linux-x64-vulkan/llama-addon.node`]: 'ELF',
    'extension/node_modules/@reflink/reflink-linux-x64-gnu/package.json': pkg('linux', 'x64'),
    'extension/node_modules/@reflink/reflink-linux-x64-gnu/reflink.node': 'ELF',
  };

  it('passes a VSIX that carries exactly its platform binaries', async () => {
    assert.deepEqual(await check(good), []);
  });

  it("names another platform's binary package, a wrong TargetPlatform and stray native code", async () => {
    const problems = await check({
      ...good,
      'extension.vsixmanifest': manifest('win32-x64'),
      [`${P}mac-arm64-metal/package.json`]: pkg('darwin', 'arm64'),
      [`${P}mac-arm64-metal/bins/mac-arm64-metal/llama-addon.node`]: 'Mach-O',
      'extension/node_modules/@reflink/reflink-darwin-arm64/package.json': pkg('darwin', 'arm64'),
      'extension/node_modules/@reflink/reflink-darwin-arm64/reflink.node': 'Mach-O',
    });
    assert.deepEqual(problems, [
      "its manifest's TargetPlatform is win32-x64, not linux-x64",
      'it carries @node-llama-cpp/{linux-x64, linux-x64-vulkan, mac-arm64-metal},' +
        ' not exactly {linux-x64, linux-x64-vulkan}',
      '@node-llama-cpp/mac-arm64-metal is for darwin/arm64, not linux-x64',
      'native code of another platform: extension/node_modules/@reflink/reflink-darwin-arm64/reflink.node',
    ]);
  });

  it('names a VSIX with no llama.cpp addon and one with a binary package missing', async () => {
    const noVulkan = Object.fromEntries(Object.entries(good).filter(([k]) => !k.includes('vulkan')));
    assert.deepEqual(await check(noVulkan), [
      'it carries @node-llama-cpp/{linux-x64}, not exactly {linux-x64, linux-x64-vulkan}',
    ]);
    const noAddon = Object.fromEntries(Object.entries(good).filter(([k]) => !k.endsWith('llama-addon.node')));
    assert.deepEqual(await check(noAddon), ['no llama.cpp addon (.node) in its binary packages']);
  });
});
