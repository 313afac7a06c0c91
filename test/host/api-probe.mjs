// A second extension for the e2e stage that looks at CPT Writer's API the way any installed extension
// can: it activates cpt-writer.cpt-writer, describes what activate() returned (keys, value types,
// whether it can be changed) and writes that as JSON to $CPT_WRITER_API_PROBE_OUT (the e2e server's
// environment, which the extension host inherits). Run from the palette as "CPT Writer API Probe:
// Inspect", so it activates nothing by itself. Packaged with vsce like ours.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib.mjs';

export const PROBE_COMMAND_TITLE = 'CPT Writer API Probe: Inspect';

const EXTENSION_JS = `'use strict';
const fs = require('fs');
const vscode = require('vscode');

/** Own keys (symbols too) down to a small depth; functions as "function", other values by type. */
function describe(value, depth) {
  if (typeof value === 'function') return 'function';
  if (value === null || typeof value !== 'object') return typeof value + ':' + String(value);
  if (depth > 3) return 'object';
  const out = {};
  for (const key of Reflect.ownKeys(value)) out[String(key)] = describe(value[key], depth + 1);
  return out;
}

exports.activate = (context) => {
  context.subscriptions.push(vscode.commands.registerCommand('cptWriterApiProbe.inspect', async () => {
    const file = process.env.CPT_WRITER_API_PROBE_OUT;
    if (!file) throw new Error('CPT_WRITER_API_PROBE_OUT is not set');
    let report;
    try {
      const ext = vscode.extensions.getExtension('cpt-writer.cpt-writer');
      if (!ext) throw new Error('cpt-writer.cpt-writer is not installed');
      const api = await ext.activate();
      let added = false;
      try { api.injected = () => undefined; added = api.injected !== undefined; } catch { added = false; }
      report = {
        shape: describe(api, 0), frozen: Object.isFrozen(api), added,
        probeMode: vscode.ExtensionMode[context.extensionMode],
      };
    } catch (e) {
      report = { error: String(e && e.stack || e) };
    }
    fs.writeFileSync(file, JSON.stringify(report, null, 2));
    return report;
  }));
};
`;

/** Writes and packages the probe extension into `dir`; returns the VSIX path. */
export function buildApiProbe(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const manifest = {
    name: 'cpt-writer-api-probe',
    displayName: 'CPT Writer API Probe',
    publisher: 'cpt-writer-tests',
    version: '0.0.1',
    license: 'MIT',
    engines: { vscode: '^1.100.0' },
    main: './extension.js',
    activationEvents: [],
    contributes: {
      commands: [{ command: 'cptWriterApiProbe.inspect', title: 'Inspect', category: 'CPT Writer API Probe' }],
    },
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(path.join(dir, 'extension.js'), EXTENSION_JS);
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'MIT\n');
  const out = path.join(dir, 'api-probe.vsix');
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(
    process.execPath,
    [vsce, 'package', '--out', out, '--allow-missing-repository', '--skip-license'],
    {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (r.status !== 0 || !fs.existsSync(out))
    throw new Error(`packaging the API probe failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return out;
}
