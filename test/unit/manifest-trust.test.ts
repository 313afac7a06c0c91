// Workspace trust in the manifest: a cloned repository's .vscode/settings.json must not choose what the
// extension reads, loads or downloads, nor how much memory and CPU it spends. Every setting that names a
// file, folder, URL, model, adapter or endpoint, and every setting that sizes a request, is machine-scoped
// (VS Code never takes it from a workspace) or a restricted configuration (ignored in Restricted Mode).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RESTRICTED_SETTINGS } from '../../src/vscode/common/restricted-settings';
import { repoRoot } from '../fixtures/rubrics/paths';

interface Setting {
  scope?: string;
  markdownDescription?: string;
}
const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  capabilities: { untrustedWorkspaces: { supported: unknown; restrictedConfigurations?: string[] } };
  contributes: { configuration: { properties: Record<string, Setting> } };
};
const settings = manifest.contributes.configuration.properties;
const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [];

/** A key that names something to read, load, download or call. */
const NAMES_A_RESOURCE = /model|path|director|folder|file|adapter|url|endpoint|server|lora|cache/i;
/** Settings that size a request: a workspace could set them to exhaust memory or CPU. */
const SIZES_A_REQUEST = ['bestOf', 'contextSize', 'threads', 'maxTokens', 'context.maxTokens', 'gpuLayers'];

const guarded = (key: string) => settings[key]?.scope === 'machine' || restricted.includes(key);

describe('manifest: workspace trust', () => {
  it('declares limited support in untrusted workspaces', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  });

  it('makes every setting that names a file, folder, URL, model or adapter machine-scoped or restricted', () => {
    const keys = Object.keys(settings).filter((k) => NAMES_A_RESOURCE.test(k.replace(/^cptWriter\./, '')));
    assert.ok(keys.includes('cptWriter.judgeModel') && keys.includes('cptWriter.model'), keys.join(', '));
    assert.deepEqual(
      keys.filter((k) => !guarded(k)),
      [],
    );
  });

  it('makes every setting that sizes a request machine-scoped or restricted', () => {
    for (const key of SIZES_A_REQUEST) {
      const full = `cptWriter.${key}`;
      assert.ok(settings[full], `${full} is not a setting`);
      assert.ok(guarded(full), `${full} is neither machine-scoped nor a restricted configuration`);
    }
  });

  it('lists only real settings as restricted, the same ones the extension reports as ignored', () => {
    assert.deepEqual(
      restricted.filter((k) => !settings[k]),
      [],
    );
    assert.deepEqual([...restricted].sort(), RESTRICTED_SETTINGS.map((k) => `cptWriter.${k}`).sort());
  });
});
