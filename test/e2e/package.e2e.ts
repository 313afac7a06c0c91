// The installed VSIX carries what a Marketplace user expects and what the manifest names: README,
// LICENSE, CHANGELOG, the manifest's strings (package.nls.json), the PNG icon, the rubric schema that
// yamlValidation points at, the walkthrough's pages, and every file the README links to, so its links
// work on the extension's page inside VS Code. The folder code-server unpacked the VSIX into is read,
// which is what a user's VS Code runs.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { E2EContext } from '../host/e2e-helpers';

interface Manifest {
  icon?: string;
  contributes: {
    yamlValidation?: { url: string }[];
    walkthroughs?: { steps: { media: { markdown?: string; image?: string } }[] }[];
  };
}

function installedExtensionDir(runDir: string): string {
  const dir = path.join(runDir, 'extensions');
  const found = fs.readdirSync(dir).filter((d) => d.startsWith('cpt-writer.cpt-writer-'));
  assert.strictEqual(found.length, 1, `one installed CPT Writer in ${dir}, found: ${found.join(', ') || 'none'}`);
  return path.join(dir, found[0]);
}

/** Relative link targets in Markdown, without their #fragment; web, mail and command links are left out. */
function relativeLinks(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const targets = [...withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  return targets
    .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#'))
    .map((t) => decodeURIComponent(t.split('#')[0]));
}

export async function vsixCarriesWhatTheManifestAndReadmeName({ runDir, log }: E2EContext): Promise<void> {
  const ext = installedExtensionDir(runDir);
  const has = (rel: string) => fs.existsSync(path.join(ext, rel)) && fs.statSync(path.join(ext, rel)).isFile();
  const manifest = JSON.parse(fs.readFileSync(path.join(ext, 'package.json'), 'utf8')) as Manifest;

  // vsce stores these three under names of its own (readme.md, changelog.md, LICENSE.txt).
  const top = fs.readdirSync(ext);
  for (const wanted of [/^readme\.md$/i, /^changelog\.md$/i, /^licen[cs]e(\.txt)?$/i]) {
    assert.ok(
      top.some((f) => wanted.test(f)),
      `no ${wanted.source} at the top of ${ext}: ${top.join(', ')}`,
    );
  }
  const readme = top.find((f) => /^readme\.md$/i.test(f))!;
  // samples/eval/texts.jsonl: the default texts of Evaluate Model… (src/vscode/eval).
  const expected = ['package.nls.json', 'schemas/rubric.schema.json', 'samples/eval/texts.jsonl'];
  assert.ok(
    manifest.icon && /\.png$/.test(manifest.icon),
    `the icon is a PNG (the Marketplace rejects SVG): ${manifest.icon}`,
  );
  expected.push(manifest.icon);
  for (const v of manifest.contributes.yamlValidation ?? []) expected.push(v.url.replace(/^\.\//, ''));
  const media = (manifest.contributes.walkthroughs ?? [])
    .flatMap((w) => w.steps.flatMap((s) => [s.media.markdown, s.media.image]))
    .filter((m): m is string => typeof m === 'string');
  assert.ok(media.length >= 5, `the walkthrough names its pages: ${media.join(', ')}`);
  expected.push(...media);
  const readmeLinks = relativeLinks(fs.readFileSync(path.join(ext, readme), 'utf8'));
  assert.ok(readmeLinks.length > 0, 'the README links to files beside it');
  expected.push(...readmeLinks);

  const missing = [...new Set(expected)].filter((f) => !has(f));
  assert.deepStrictEqual(missing, [], `files the manifest or README name but the VSIX does not carry (in ${ext})`);
  // The manifest's strings resolve: every %key% has its English text.
  const nls = JSON.parse(fs.readFileSync(path.join(ext, 'package.nls.json'), 'utf8')) as Record<string, string>;
  const keys = [...fs.readFileSync(path.join(ext, 'package.json'), 'utf8').matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
  assert.deepStrictEqual(
    keys.filter((k) => typeof nls[k] !== 'string'),
    [],
  );
  log(`${new Set(expected).size} named files present, ${keys.length} manifest strings resolved`);
}
