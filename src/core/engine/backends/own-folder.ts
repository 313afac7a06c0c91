// Backends come from this install's own folder only. node-llama-cpp imports its binary packages by bare
// name, and Node looks for a bare name in every node_modules folder above the importer: an extension
// installed inside a clone (npm start puts it under .vscode-host/) would take @node-llama-cpp/linux-x64-cuda
// from the clone's node_modules, and say CUDA is "in this install" when the VSIX does not carry it. So a
// binary package counts, and is loaded, only from the folder whose node_modules holds node-llama-cpp
// itself, or from the backends folder the extension installed into (CPT_WRITER_BACKENDS_DIR).
import path from 'node:path';

/** The folder whose node_modules holds the node-llama-cpp this process loads (the extension's folder). */
export function ownInstallRoot(resolve: (id: string) => string = require.resolve): string {
  let dir = path.dirname(resolve('node-llama-cpp'));
  while (path.basename(dir) !== 'node_modules') {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('node-llama-cpp is not inside a node_modules folder');
    dir = up;
  }
  return path.dirname(dir);
}

/** Whether `file` lies inside `folder` (or is it). */
export function insideFolder(file: string, folder: string): boolean {
  const rel = path.relative(path.resolve(folder), path.resolve(file));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The folders backends may come from: this install's, and the installed-backends folder when there is one. */
export function backendRoots(backendsDir: string | undefined): string[] {
  return [ownInstallRoot(), ...(backendsDir ? [backendsDir] : [])];
}
