// A loopback npm registry for the CUDA backend installer's tests (unit and in-host): it serves one
// @node-llama-cpp package version and its tarball, optionally slowly (so a cancel lands mid-download)
// or corrupted (so the integrity check fails). No network.
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as tar from 'tar';

const root = path.resolve(__dirname, '..', '..', '..', '..');

export interface Registry {
  url: string;
  close(): Promise<void>;
  requests: string[];
  slow: boolean;
  corrupt: boolean;
}

/**
 * Packs the installed @node-llama-cpp/<name> as the registry has it, less its large GPU library and the
 * CPU variant libraries: its manifest, entry module, build metadata and addon (what node-llama-cpp's
 * binary lookup opens). Returns the .tgz path in `workDir`.
 */
export async function packBackendPackage(name: string, workDir: string): Promise<string> {
  const src = path.join(root, 'node_modules', '@node-llama-cpp', name);
  const pkg = path.join(workDir, 'package');
  mkdirSync(path.join(pkg, 'bins', name), { recursive: true });
  for (const f of ['package.json', 'LICENSE', 'README.md']) copyFileSync(path.join(src, f), path.join(pkg, f));
  cpSync(path.join(src, 'dist'), path.join(pkg, 'dist'), { recursive: true });
  for (const f of ['llama-addon.node', '_nlcBuildMetadata.json'])
    copyFileSync(path.join(src, 'bins', name, f), path.join(pkg, 'bins', name, f));
  const tgz = path.join(workDir, `${name}.tgz`);
  await tar.c({ gzip: true, file: tgz, cwd: workDir, portable: true }, ['package']);
  return tgz;
}

/** Serves @node-llama-cpp/<name>@<version> (metadata and tarball) on 127.0.0.1; everything else is a 404. */
export async function startRegistry(tgz: Buffer, version: string, name: string): Promise<Registry> {
  const integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
  const state: Pick<Registry, 'requests' | 'slow' | 'corrupt'> = { requests: [], slow: false, corrupt: false };
  const server = http.createServer((req, res) => {
    state.requests.push(req.url ?? '');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    if (req.url === `/@node-llama-cpp%2f${name}/${version}`) {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          name: `@node-llama-cpp/${name}`,
          version,
          dist: { tarball: `${base}tarballs/${name}-${version}.tgz`, integrity },
        }),
      );
    } else if (req.url === `/tarballs/${name}-${version}.tgz`) {
      const body = state.corrupt
        ? Buffer.concat([tgz.subarray(0, 100), Buffer.from([tgz[100] ^ 0xff]), tgz.subarray(101)])
        : tgz;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      if (!state.slow) {
        res.end(body);
        return;
      }
      let at = 0;
      const timer = setInterval(() => {
        if (res.destroyed || at >= body.length) {
          clearInterval(timer);
          res.end();
          return;
        }
        res.write(body.subarray(at, at + 4096));
        at += 4096;
      }, 20);
      res.on('close', () => clearInterval(timer));
    } else {
      res.statusCode = 404;
      res.end('{"error":"Not found"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
