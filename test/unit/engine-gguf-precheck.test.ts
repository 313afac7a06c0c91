// The GGUF header pre-check: every file we generate and hand-built v2/v3 files with every metadata type
// pass; headers whose counts, lengths or extents cannot fit the file fail with NOT_GGUF naming the field.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EngineError } from '../../src/core/engine';
import { GGML_TYPE_BLOCKS, precheckGguf } from '../../src/core/engine/gguf-precheck';
import {
  T,
  array,
  everyValueType,
  f32,
  ggufFile,
  header,
  kv,
  str,
  u32,
  u64,
  type RawTensor,
} from './helpers/gguf-bytes';
import { inProcessLlama } from './helpers/llama';
import { testLora, testModel, testModels } from './helpers/test-models';

const BIG = 2n ** 62n; // 4611686018427387904

/** The 88-byte shape of the reported file: a header claiming BIG of something, then zeros. */
const hostile88 = (tensors: bigint, kvs: bigint) => Buffer.concat([header(3, tensors, kvs), Buffer.alloc(88 - 24)]);

const TENSORS: RawTensor[] = [
  { name: 'f32', dims: [8, 2], type: 0, bytes: 64 },
  { name: 'f16', dims: [16], type: 1, bytes: 32 },
  { name: 'q4_0', dims: [64, 2], type: 2, bytes: 4 * 18 },
  { name: 'q4_k', dims: [256], type: 12, bytes: 144 },
];

describe('GGUF header pre-check', function () {
  this.timeout(60_000);
  let dir: string;
  const write = (name: string, bytes: Buffer) => {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };
  async function rejects(file: string, pattern: RegExp): Promise<void> {
    await assert.rejects(precheckGguf(file), (err: unknown) => {
      assert.ok(err instanceof EngineError, String(err));
      assert.equal(err.code, 'NOT_GGUF', err.message);
      assert.ok(err.message.startsWith(`${file}: `), err.message);
      assert.match(err.message, pattern);
      return true;
    });
  }

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-gguf-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts every model and adapter the project generates', async () => {
    const { tiny, tinyLora } = await testModels();
    const files = [
      tiny,
      tinyLora,
      await testModel({ f32: true, layers: 1 }),
      await testModel({ tokenizer: 'gpt2', layers: 1 }),
      await testLora(2, { layers: 1 }),
    ];
    for (const file of files) {
      const s = await precheckGguf(file);
      assert.equal(s.version, 3);
      assert.ok(s.tensorCount > 0 && s.metadataCount >= 5, `${file}: ${JSON.stringify(s)}`);
      assert.equal(s.alignment, 32);
      assert.ok(s.dataOffset % 32 === 0 && s.dataOffset < s.fileSize);
    }
  });

  it(
    'accepts GGUF v2 and v3 with every metadata type, arrays of arrays, quantized tensors and ' +
      'general.alignment, as node-llama-cpp reads them',
    async () => {
      const { nlc } = await inProcessLlama();
      for (const version of [2, 3]) {
        for (const alignment of [undefined, 64]) {
          const file = write(
            `every-${version}-${alignment}.gguf`,
            ggufFile({ version, kvs: everyValueType(), tensors: TENSORS, alignment }),
          );
          const s = await precheckGguf(file);
          assert.equal(s.version, version);
          assert.equal(s.tensorCount, TENSORS.length);
          assert.equal(s.metadataCount, everyValueType().length + (alignment ? 1 : 0));
          assert.equal(s.alignment, alignment ?? 32);
          const theirs = await nlc.readGgufFileInfo(file, { sourceType: 'filesystem', logWarnings: false });
          assert.equal(theirs.version, version);
          assert.equal(theirs.tensorInfo?.length, TENSORS.length);
          assert.equal(Number(theirs.tensorInfo?.[0].fileOffset), s.dataOffset);
        }
      }
      // No tensors at all (a vocabulary-only file) is fine too.
      await precheckGguf(write('vocab-only.gguf', ggufFile({ kvs: everyValueType() })));
    },
  );

  it('rejects the hostile and broken headers, naming the field', async () => {
    const { tiny } = await testModels();
    const model = readFileSync(tiny);
    const tensor = (t: Partial<RawTensor>) =>
      ggufFile({ tensors: [{ name: 't', dims: [32], type: 0, bytes: 128, ...t }] });
    const cases: Array<[string, Buffer, RegExp]> = [
      [
        '2^62 key-values',
        hostile88(0n, BIG),
        /header claims 4611686018427387904 metadata key-values, but the file has only 88 bytes/,
      ],
      ['2^62 tensors', hostile88(BIG, 0n), /header claims 4611686018427387904 tensors, but the file has only 88 bytes/],
      [
        '2^62 of both',
        hostile88(BIG, BIG),
        /header claims 4611686018427387904 tensors, but the file has only 88 bytes/,
      ],
      [
        'a huge key',
        Buffer.concat([header(3, 0, 1), u64(BIG), Buffer.alloc(40)]),
        /the key of metadata entry 0 claims to be 4611686018427387904 bytes long/,
      ],
      [
        'a huge string value',
        Buffer.concat([header(3, 0, 1), str('general.name'), u32(T.STRING), u64(BIG), Buffer.alloc(40)]),
        new RegExp(
          String.raw`the string value of metadata entry 0 \("general\.name"\) claims ` +
            String.raw`to be 4611686018427387904 bytes long, but only \d+ bytes`,
        ),
      ],
      [
        'a huge array',
        Buffer.concat([header(3, 0, 1), str('a'), u32(T.ARRAY), u32(T.U32), u64(BIG), Buffer.alloc(40)]),
        /the u32 array in metadata entry 0 \("a"\) claims 4611686018427387904 items/,
      ],
      [
        'a huge array of strings',
        Buffer.concat([header(3, 0, 1), str('tokenizer.ggml.tokens'), u32(T.ARRAY), u32(T.STRING), u64(BIG)]),
        /the string array in metadata entry 0 \("tokenizer\.ggml\.tokens"\) claims 4611686018427387904 items/,
      ],
      [
        'a huge string in an array',
        Buffer.concat([header(3, 0, 1), kv('a', T.ARRAY, Buffer.concat([u32(T.STRING), u64(2), str('ok'), u64(BIG)]))]),
        /string 1 of the array in metadata entry 0 \("a"\) claims to be 4611686018427387904 bytes long/,
      ],
      [
        'a huge inner array',
        Buffer.concat([header(3, 0, 1), kv('a', T.ARRAY, Buffer.concat([u32(T.ARRAY), u64(1), u32(T.U8), u64(BIG)]))]),
        /the u8 array in item 0 of metadata entry 0 \("a"\) claims 4611686018427387904 items/,
      ],
      [
        'arrays nested too deep',
        Buffer.concat([
          header(3, 0, 1),
          kv(
            'a',
            T.ARRAY,
            Array.from({ length: 9 }).reduce<Buffer>((inner) => array(T.ARRAY, [inner]), array(T.U8, [])),
          ),
        ]),
        /nests arrays more than 8 deep/,
      ],
      [
        'an undefined value type',
        Buffer.concat([header(3, 0, 1), kv('a', 13, u32(0))]),
        /metadata entry 0 \("a"\) has value type 13, which GGUF does not define/,
      ],
      ['only the magic', Buffer.from('GGUF', 'latin1'), /the file ends at byte 4, inside the GGUF version/],
      ['a header cut short', header(3, 1, 1).subarray(0, 15), /the file ends at byte 15, inside the tensor count/],
      [
        'a model cut in its metadata',
        model.subarray(0, 6000),
        new RegExp(
          String.raw`the file ends at byte 6000, inside (the length of )?string \d+ ` +
            String.raw`of the array in metadata entry \d+ \("tokenizer\.ggml\.tokens"\)`,
        ),
      ],
      ['a model cut in its tensor data', model.subarray(0, model.length - 100), /runs past the end of the file/],
      [
        'GGUF version 1',
        Buffer.concat([Buffer.from('GGUF', 'latin1'), u32(1), Buffer.alloc(16)]),
        /GGUF version 1, which llama\.cpp no longer reads/,
      ],
      [
        'GGUF version 7',
        Buffer.concat([Buffer.from('GGUF', 'latin1'), u32(7), Buffer.alloc(16)]),
        /GGUF version 7; llama\.cpp reads versions 2 and 3/,
      ],
      [
        'a big-endian GGUF',
        Buffer.concat([Buffer.from('GGUF', 'latin1'), Buffer.from([0, 0, 0, 3]), Buffer.alloc(16)]),
        /big-endian GGUF \(version 3\)/,
      ],
      [
        'alignment 0',
        Buffer.concat([header(3, 0, 1), kv('general.alignment', T.U32, u32(0))]),
        /"general\.alignment"\) is 0, which is not a power of two/,
      ],
      ['alignment 48', ggufFile({ alignment: 48, tensors: TENSORS }), /is 48, which is not a power of two/],
      [
        'a u64 alignment',
        Buffer.concat([header(3, 0, 1), kv('general.alignment', T.U64, u64(32))]),
        /general\.alignment"\) must be a u32, but it is a u64/,
      ],
      ['a tensor with 5 dimensions', tensor({ dims: [2, 2, 2, 2, 2] }), /tensor 0 \("t"\) has 5 dimensions/],
      ['a tensor name of 64 bytes', tensor({ name: 'n'.repeat(64) }), /the name of tensor 0 is 64 bytes or longer/],
      [
        'a removed tensor type',
        tensor({ type: 4 }),
        /tensor 0 \("t"\) has ggml type 4, which llama\.cpp no longer supports/,
      ],
      [
        'a row that is not whole blocks',
        tensor({ type: 2, dims: [16], bytes: 18 }),
        /row length 16 is not a multiple of its type's block size 32/,
      ],
      [
        'a negative dimension',
        Buffer.concat([
          header(3, 1, 0),
          str('t'),
          u32(2),
          u64(4),
          u64(2n ** 64n - 1n),
          u32(0),
          u64(0),
          Buffer.alloc(64),
        ]),
        /dimension 1 of tensor 0 \("t"\) is 18446744073709551615, which is negative/,
      ],
      [
        'a tensor past the end',
        tensor({ dims: [1024 * 1024] }),
        /tensor 0 \("t"\)'s data \(offset 0, 4194304 bytes\) runs past the end of the file/,
      ],
    ];
    for (const [name, bytes, pattern] of cases)
      await rejects(write(`${name.replace(/\W+/g, '-')}.gguf`, bytes), pattern);
    // A tensor whose offset lies (unaligned, or beyond the data) is caught as well.
    const good = ggufFile({ tensors: [{ name: 't', dims: [32], type: 0, bytes: 128 }] });
    const offsetAt = good.indexOf(Buffer.concat([str('t'), u32(1), u64(32), u32(0)])) + 8 + 1 + 4 + 8 + 4;
    await rejects(
      write(
        'unaligned.gguf',
        Buffer.from(good)
          .fill(0, offsetAt, offsetAt + 8)
          .fill(3, offsetAt, offsetAt + 1),
      ),
      /data offset 3 is not a multiple of the alignment 32/,
    );
    const beyond = Buffer.from(good);
    beyond.writeBigUInt64LE(2n ** 40n, offsetAt);
    await rejects(write('beyond.gguf', beyond), /offset 1099511627776, 128 bytes\) runs past the end/);
    // Not GGUF at all, and no file at all, keep their own errors.
    await assert.rejects(
      precheckGguf(write('text.gguf', Buffer.from('plain text'))),
      (e: EngineError) => e.code === 'NOT_GGUF' && /does not start with "GGUF"/.test(e.message),
    );
    await assert.rejects(
      precheckGguf(path.join(dir, 'missing.gguf')),
      (e: EngineError) => e.code === 'MODEL_NOT_FOUND',
    );
  });

  it('reads only the header: a 6 GiB (sparse) model passes without its tensor data being read', async () => {
    const elements = 1.5 * 2 ** 30; // 6 GiB of f32
    const file = path.join(dir, 'sparse.gguf');
    const withTensor = Buffer.concat([
      header(3, 1, 2),
      kv('general.name', T.STRING, str('big')),
      kv('x', T.F32, f32(1)),
      str('w'),
      u32(1),
      u64(elements),
      u32(0),
      u64(0),
    ]);
    const dataOffset = Math.ceil(withTensor.length / 32) * 32;
    const fh = await open(file, 'w');
    try {
      await fh.write(withTensor, 0, withTensor.length, 0);
      await fh.truncate(dataOffset + elements * 4);
    } finally {
      await fh.close();
    }
    const s = await precheckGguf(file);
    assert.equal(s.fileSize, dataOffset + elements * 4);
    assert.equal(s.dataOffset, dataOffset);
  });

  it("knows each ggml type's block as llama.cpp does", async () => {
    const { llama } = await inProcessLlama();
    const bindings = (
      llama as unknown as {
        _bindings: {
          getBlockSizeForGgmlType(t: number): number | undefined;
          getTypeSizeForGgmlType(t: number): number | undefined;
        };
      }
    )._bindings;
    GGML_TYPE_BLOCKS.forEach(([perBlock, bytes], type) => {
      assert.deepEqual(
        [bindings.getBlockSizeForGgmlType(type), bindings.getTypeSizeForGgmlType(type)],
        [perBlock, bytes],
        `ggml type ${type}`,
      );
    });
  });
});
