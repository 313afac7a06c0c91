// The manifest as a Marketplace user and a translator meet it: every %key% in package.json has its
// English text in package.nls.json and every text there is used; every command title and setting text
// goes through a key; settings carry markdownDescription, enumDescriptions and order; the walkthrough's
// pages exist and each step ticks itself off on a command; the submenu lists each built-in rubric; and
// the README's links point at files and headings that exist.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { BUILTIN_RUBRIC_IDS, rewriteAsCommandId } from '../../src/vscode/quick-access/rubric-menu';
import { type WalkthroughStep, walkthroughCompletionEvent } from '../../src/vscode/start/walkthrough-steps';
import { repoRoot } from '../fixtures/rubrics/paths';

interface Setting {
  type?: unknown;
  enum?: unknown[];
  enumDescriptions?: string[];
  markdownDescription?: string;
  description?: string;
  order?: number;
}
interface Manifest {
  displayName: string;
  description: string;
  icon: string;
  categories: string[];
  keywords: string[];
  galleryBanner: { color: string; theme: string };
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command?: string; submenu?: string; when?: string; group?: string }[]>;
    submenus: { id: string; label: string }[];
    configuration: { title: string; properties: Record<string, Setting> };
    walkthroughs: {
      id: string;
      title: string;
      description: string;
      steps: {
        id: string;
        title: string;
        description: string;
        media: { markdown?: string; image?: string };
        completionEvents?: string[];
      }[];
    }[];
    yamlValidation: { fileMatch: string[]; url: string }[];
  };
}

const manifestText = readFileSync(path.join(repoRoot, 'package.json'), 'utf8');
const manifest = JSON.parse(manifestText) as Manifest;
const nls = JSON.parse(readFileSync(path.join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, unknown>;
const isKey = (s: unknown) => typeof s === 'string' && /^%[^%]+%$/.test(s);

describe('manifest: localised strings (package.nls.json)', () => {
  it('has an English text for every %key% in package.json, and no text that nothing uses', () => {
    const used = new Set([...manifestText.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]));
    assert.ok(used.size > 40, `only ${used.size} keys in package.json`);
    assert.deepEqual(
      [...used].filter((k) => typeof nls[k] !== 'string' || !(nls[k] as string).trim()),
      [],
      'keys without a text in package.nls.json',
    );
    assert.deepEqual(
      Object.keys(nls).filter((k) => !used.has(k)),
      [],
      'texts in package.nls.json that package.json never uses',
    );
  });

  it('puts every title, category, label and setting text a person reads through a key', () => {
    const c = manifest.contributes;
    const plain: string[] = [];
    const check = (what: string, s: unknown) => {
      if (s !== undefined && !isKey(s)) plain.push(`${what}: ${JSON.stringify(s)}`);
    };
    check('displayName', manifest.displayName);
    check('description', manifest.description);
    for (const cmd of c.commands) {
      check(`${cmd.command} title`, cmd.title);
      check(`${cmd.command} category`, cmd.category);
    }
    for (const s of c.submenus) check(`submenu ${s.id}`, s.label);
    check('configuration title', c.configuration.title);
    for (const [name, p] of Object.entries(c.configuration.properties)) {
      check(`${name} markdownDescription`, p.markdownDescription);
      check(`${name} description`, p.description);
      for (const d of p.enumDescriptions ?? []) check(`${name} enumDescriptions`, d);
    }
    for (const w of c.walkthroughs) {
      check(`walkthrough ${w.id}`, w.title);
      check(`walkthrough ${w.id}`, w.description);
      for (const s of w.steps) {
        check(`step ${s.id}`, s.title);
        check(`step ${s.id}`, s.description);
      }
    }
    assert.deepEqual(plain, []);
  });
});

describe('manifest: Marketplace conventions', () => {
  it('names fitting categories, keywords, a PNG icon that exists and a gallery banner', () => {
    assert.deepEqual(manifest.categories, ['AI', 'Machine Learning']);
    assert.ok(
      manifest.keywords.length >= 5 && manifest.keywords.length <= 30,
      'the Marketplace takes up to 30 keywords',
    );
    assert.match(manifest.icon, /\.png$/);
    const png = readFileSync(path.join(repoRoot, manifest.icon));
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'the icon file is a PNG');
    assert.match(manifest.galleryBanner.color, /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(manifest.galleryBanner.theme));
  });

  it('gives every setting a markdownDescription, an order, and a description per enum value', () => {
    const problems: string[] = [];
    for (const [name, p] of Object.entries(manifest.contributes.configuration.properties)) {
      if (!p.markdownDescription) problems.push(`${name}: no markdownDescription`);
      if (p.description) problems.push(`${name}: a plain description beside the markdown one`);
      if (typeof p.order !== 'number') problems.push(`${name}: no order`);
      if (p.enum && p.enumDescriptions?.length !== p.enum.length)
        problems.push(`${name}: ${p.enum.length} enum values, ${p.enumDescriptions?.length ?? 0} descriptions`);
    }
    assert.deepEqual(problems, []);
  });

  it('contributes the rubric schema for rubric YAML files, matching the folder the extension reads', () => {
    const [v] = manifest.contributes.yamlValidation;
    assert.ok(existsSync(path.join(repoRoot, v.url)), `${v.url} is missing`);
    assert.ok(
      v.fileMatch.includes('**/.cpt-writer/rubrics/*.yaml') && v.fileMatch.includes('**/.cpt-writer/rubrics/*.yml'),
    );
  });

  it('has a Getting Started walkthrough whose steps have their pages and tick off on state the extension keeps', () => {
    const [w] = manifest.contributes.walkthroughs;
    assert.deepEqual(
      w.steps.map((s) => s.id),
      ['chooseModel', 'pickStyle', 'rewrite', 'accept', 'buildPairs'],
    );
    const commands = new Set(manifest.contributes.commands.map((c) => c.command));
    for (const s of w.steps) {
      const page = s.media.markdown ?? s.media.image;
      assert.ok(
        page && page.startsWith('media/walkthrough/') && existsSync(path.join(repoRoot, page)),
        `${s.id}: page ${page}`,
      );
      // The context keys src/vscode/start/walkthrough-progress.ts keeps from globalState: a step done before the
      // Welcome page opened still ticks, and a cancelled command ticks nothing.
      assert.deepEqual(s.completionEvents, [walkthroughCompletionEvent(s.id as WalkthroughStep)], s.id);
      for (const m of String(nls[s.description.slice(1, -1)]).matchAll(/\(command:(cptWriter\.[\w.-]+)\)/g))
        assert.ok(commands.has(m[1]), `${s.id} links ${m[1]}`);
    }
  });

  it(
    'lists each built-in rubric in the editor submenu (then Score Selection), through a command of ' +
      'its own that the palette hides',
    () => {
      const ids = readdirSync(path.join(repoRoot, 'rubrics'))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => (parse(readFileSync(path.join(repoRoot, 'rubrics', f), 'utf8')) as { id: string }).id)
        .sort();
      assert.deepEqual([...BUILTIN_RUBRIC_IDS].sort(), ids);
      const { menus, submenus, commands } = manifest.contributes;
      assert.deepEqual(
        menus['editor/context'].filter((m) => m.submenu).map((m) => [m.submenu, m.when]),
        [['cptWriter.rewrite', 'editorHasSelection && !cptWriter.rewriteActive']],
      );
      assert.ok(submenus.some((s) => s.id === 'cptWriter.rewrite'));
      const entries = menus['cptWriter.rewrite'].map((m) => m.command);
      assert.deepEqual(entries, [
        'cptWriter.rewriteSelectionWithCurrentStyle',
        'cptWriter.rewriteSelection',
        ...BUILTIN_RUBRIC_IDS.map(rewriteAsCommandId),
        'cptWriter.scoreSelection',
      ]);
      for (const id of BUILTIN_RUBRIC_IDS.map(rewriteAsCommandId)) {
        assert.ok(
          commands.some((c) => c.command === id),
          `${id} is not contributed`,
        );
        assert.ok(
          menus.commandPalette.some((m) => m.command === id && m.when === 'false'),
          `${id} shows in the palette`,
        );
      }
    },
  );
});

describe('README links', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const prose = readme.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const links = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?\s*\)/g)].map((m) => m[1]);

  it('links to headings that exist', () => {
    // GitHub's and VS Code's heading ids: lower case, punctuation dropped, spaces to hyphens.
    const slugs = new Set(
      [...readme.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) =>
        m[1]
          .trim()
          .toLowerCase()
          .replace(/[^\p{L}\p{N}\s-]/gu, '')
          .replace(/\s/g, '-'),
      ),
    );
    const anchors = links.filter((l) => l.startsWith('#')).map((l) => l.slice(1));
    assert.ok(anchors.length > 0);
    assert.deepEqual(
      anchors.filter((a) => !slugs.has(a)),
      [],
    );
  });

  it('links relatively only to files the VSIX carries (the package script stages them)', () => {
    const relative = links
      .filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l) && !l.startsWith('#'))
      .map((l) => l.split('#')[0]);
    const script = readFileSync(path.join(repoRoot, 'scripts', 'package.mjs'), 'utf8');
    for (const file of relative) {
      assert.ok(existsSync(path.join(repoRoot, file)), `${file} does not exist`);
      const top = file.split('/')[0];
      assert.ok(script.includes(`'${top}'`), `${file}: scripts/package.mjs does not stage '${top}'`);
    }
  });
});
