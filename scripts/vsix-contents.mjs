// What a packaged VSIX carries, read back from the zip itself (its central directory; no unpacking): the
// check that each platform's VSIX holds exactly its own node-llama-cpp binary packages and no other
// platform's native code. Used by scripts/package.mjs after vsce has written the file.
import fs from 'node:fs';
import zlib from 'node:zlib';

/** The zip's entries: name → { method, compressedSize, offset } (local header offset). */
export function zipEntries(file) {
  const buf = fs.readFileSync(file);
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes (after an optional comment).
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip file (no end of central directory)`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: a broken central directory entry at ${at}`);
    const method = buf.readUInt16LE(at + 10);
    const compressedSize = buf.readUInt32LE(at + 20);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const offset = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    entries.set(name, { method, compressedSize, offset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return {
    names: [...entries.keys()],
    /** One entry's bytes (stored or deflated). */
    read(name) {
      const e = entries.get(name);
      if (!e) return undefined;
      const local = e.offset;
      const data = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const raw = buf.subarray(data, data + e.compressedSize);
      if (e.method === 0) return Buffer.from(raw);
      if (e.method === 8) return zlib.inflateRawSync(raw);
      throw new Error(`${file}: ${name} uses zip method ${e.method}`);
    },
  };
}

/**
 * Problems with a VSIX for `target`: the manifest's TargetPlatform, the set of @node-llama-cpp packages
 * (exactly `expected`), each one's npm os/cpu fields (`fits(manifest)`), and native code (*.node, .so,
 * .dylib, .dll) elsewhere only in packages whose os/cpu admit the target. An empty list means it is right.
 */
export function vsixProblems(file, target, expected, fits) {
  const zip = zipEntries(file);
  const problems = [];
  const manifest = zip.read('extension.vsixmanifest')?.toString('utf8') ?? '';
  const platform = /TargetPlatform="([^"]*)"/.exec(manifest)?.[1];
  if (platform !== target) problems.push(`its manifest's TargetPlatform is ${platform ?? 'missing'}, not ${target}`);
  const prefix = 'extension/node_modules/@node-llama-cpp/';
  const found = [
    ...new Set(zip.names.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length).split('/')[0])),
  ];
  const want = [...expected].sort();
  if (found.sort().join() !== want.join())
    problems.push(`it carries @node-llama-cpp/{${found.join(', ')}}, not exactly {${want.join(', ')}}`);
  for (const name of found) {
    const pkg = zip.read(`${prefix}${name}/package.json`);
    if (!pkg) {
      problems.push(`@node-llama-cpp/${name} has no package.json`);
      continue;
    }
    const m = JSON.parse(pkg.toString('utf8'));
    if (!fits(m)) problems.push(`@node-llama-cpp/${name} is for ${m.os}/${m.cpu}, not ${target}`);
  }
  // Other native code (an optional dependency's prebuilt addon) must belong to a package for this target.
  const native = /\.(node|so(\.\d+)*|dylib|dll)$/i;
  for (const n of zip.names.filter((x) => native.test(x) && !x.startsWith(prefix))) {
    const owner = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+\/)/.exec(n)?.[1];
    const pkg = owner && zip.read(`${owner}package.json`);
    if (!pkg) problems.push(`native code outside any package: ${n}`);
    else if (!fits(JSON.parse(pkg.toString('utf8')))) problems.push(`native code of another platform: ${n}`);
  }
  if (!zip.names.some((n) => n.startsWith(prefix) && /\.node$/.test(n)))
    problems.push('no llama.cpp addon (.node) in its binary packages');
  return problems;
}
