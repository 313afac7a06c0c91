// The schemas of the settings that hold lists (cptWriter.loraAdapters, judgeLoraAdapters,
// rubricDirectories), in plain Node: a bad entry is left out with a problem naming it, the rest are used.
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as v from 'valibot';
import { adapterEntrySchema, parseAdapterList, parseFolderList } from '../../src/core/schema/settings';

const home = path.resolve('/home/writer');
const abs = (...p: string[]) => path.resolve('/adapters', ...p);

describe('settings schemas: adapter lists', () => {
  it('takes a path or {path, scale}: ~ and file: URLs made absolute, scale 1 when left out', () => {
    const r = parseAdapterList(
      [abs('a.gguf'), { path: '~/b.gguf', scale: 0.5 }, { path: pathToFileURL(abs('c d.gguf')).href }],
      home,
    );
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.adapters, [
      { path: abs('a.gguf'), scale: 1 },
      { path: path.join(home, 'b.gguf'), scale: 0.5 },
      { path: abs('c d.gguf'), scale: 1 },
    ]);
  });

  it('leaves out each bad entry with its index and kind, and keeps the good ones', () => {
    const r = parseAdapterList(
      [
        42,
        { scale: 1 },
        { path: '   ' },
        { path: abs('x.gguf'), scale: 'big' },
        { path: abs('y.gguf'), scale: Infinity },
        'relative/z.gguf',
        'file://server/share/x.gguf',
        { path: `  ${abs('ok.gguf')}  `, scale: 2, note: 'extra keys are ignored' },
      ],
      home,
    );
    assert.deepEqual(r.adapters, [{ path: abs('ok.gguf'), scale: 2 }]);
    assert.deepEqual(
      r.problems.map((p) => [p.kind, 'index' in p ? p.index : -1]),
      [
        ['entry', 0],
        ['path', 1],
        ['path', 2],
        ['scale', 3],
        ['scale', 4],
        ['relative', 5],
        ['url', 6],
      ],
    );
    const relative = r.problems.find((p) => p.kind === 'relative');
    assert.deepEqual(relative, { kind: 'relative', index: 5, path: 'relative/z.gguf' });
    const url = r.problems.find((p) => p.kind === 'url');
    assert.match(url && 'detail' in url ? url.detail : '', /file: URL/);
  });

  it('a value that is not a list is one problem; nothing set is none', () => {
    assert.deepEqual(parseAdapterList({ path: abs('a.gguf') }), { adapters: [], problems: [{ kind: 'list' }] });
    assert.deepEqual(parseAdapterList(undefined), { adapters: [], problems: [] });
    assert.deepEqual(parseAdapterList(null), { adapters: [], problems: [] });
  });

  it('the entry type is inferred from the schema', () => {
    const entry: { path: string; scale: number } = v.parse(adapterEntrySchema, 'p.gguf');
    assert.deepEqual(entry, { path: 'p.gguf', scale: 1 });
  });
});

describe('settings schemas: folder lists', () => {
  it('keeps the folder paths in order and names each entry left out', () => {
    const r = parseFolderList(['/a', 3, '  ', 'rel', null, { dir: '/b' }], 'cptWriter.rubricDirectories');
    assert.deepEqual(r.folders, ['/a', 'rel']);
    assert.deepEqual(r.problems, [
      'cptWriter.rubricDirectories[1] must be a folder path (a string), got number 3',
      'cptWriter.rubricDirectories[2] is blank',
      'cptWriter.rubricDirectories[4] must be a folder path (a string), got null',
      'cptWriter.rubricDirectories[5] must be a folder path (a string), got an object',
    ]);
  });

  it('a value that is not a list is one problem; nothing set is none', () => {
    assert.deepEqual(parseFolderList('/a', 'cptWriter.rubricDirectories'), {
      folders: [],
      problems: ['cptWriter.rubricDirectories must be a list of folder paths'],
    });
    assert.deepEqual(parseFolderList(undefined, 's'), { folders: [], problems: [] });
  });
});
