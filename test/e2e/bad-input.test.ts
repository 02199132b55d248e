/**
 * End-to-end: every kind of bad input gives a one-line error (plus a hint line), the documented
 * exit code, no stack trace, never a hang; good records around bad ones are still scored.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeModel } from '../../src/core/model/onnx-proto.js';
import { readBundle } from '../../src/core/model/bundle.js';
import { parseNdjson, ROOT, runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'logml-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hdfs = join(ROOT, 'fixtures', 'loghub-2k', 'HDFS_2k.log');

function expectOneLineError(res: { code: number | null; stdout: string; stderr: string }, code: number, pattern: RegExp) {
  expect(res.code).toBe(code);
  const lines = res.stderr.trim().split('\n');
  expect(lines[0]).toMatch(/^logml: /);
  expect(lines[0]).toMatch(pattern);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines[1]) expect(lines[1]).toMatch(/^hint: /);
  expect(res.stderr).not.toMatch(/\n\s+at /);
}

describe('bad input to logml predict', () => {
  it('missing file: exit 2', async () => {
    expectOneLineError(await runCli(['predict', join(dir, 'nope.log')]), 2, /no such file/);
  });
  it('a directory: exit 2', async () => {
    expectOneLineError(await runCli(['predict', dir]), 2, /is a directory/);
  });
  it('an unreadable file: exit 2', async () => {
    const file = join(dir, 'secret.log');
    writeFileSync(file, 'hello\n');
    chmodSync(file, 0o000);
    chmodSync(dir, 0o755);
    // root reads anything: run the CLI as an unprivileged user when we are root
    const asNobody = process.getuid?.() === 0 ? { spawn: { uid: 65534, gid: 65534 } } : {};
    expectOneLineError(await runCli(['predict', file], asNobody), 2, /permission denied/);
  });
  it('binary data: exit 2', async () => {
    expectOneLineError(await runCli(['predict', process.execPath]), 2, /binary file/);
  });
  it('an empty file: exit 2 (an empty pipe is not an error: see predict.test.ts)', async () => {
    const file = join(dir, 'empty.log');
    writeFileSync(file, '');
    expectOneLineError(await runCli(['predict', file]), 2, /empty input/);
  });
  it('invalid UTF-8 and NUL bytes: the lines are kept with U+FFFD for the bad bytes, counted on stderr, exit 0', async () => {
    const file = join(dir, 'mixed.log');
    const good = readFileSync(hdfs, 'utf8').split('\n').slice(0, 10);
    writeFileSync(file, Buffer.concat([
      Buffer.from(good.slice(0, 5).join('\n') + '\n'),
      Buffer.from('081109 203615 148 INFO x: caf'), Buffer.from([0xff, 0xfe, 0x20, 0x41, 0x0a]), // invalid UTF-8
      Buffer.from('081109 203615 148 INFO x: a\u0000b\n'), // NUL byte
      Buffer.from(good.slice(5).join('\n') + '\n'),
    ]));
    const res = await runCli(['predict', file]);
    expect(res.code).toBe(0);
    const rows = parseNdjson(res.stdout);
    expect(rows.length).toBe(12);
    expect(rows[5]!.message).toMatch(/x: caf\ufffd\ufffd A$/);
    expect(rows[6]!.message).toMatch(/x: a\ufffdb$/);
    expect(res.stderr.trim()).toBe('logml: 2 lines had bad bytes, replaced by U+FFFD (1 invalid UTF-8, 1 with NUL bytes); scored 12 records');
  });
  it('random bytes, xz and bzip2 data: refused as a binary file, exit 2', async () => {
    let x = 12345; // seeded: the same bytes every run
    const random = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < random.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      random[i] = x >>> 24;
    }
    const rnd = join(dir, 'random.bin');
    writeFileSync(rnd, random);
    expectOneLineError(await runCli(['predict', rnd]), 2, /random\.bin: binary file/);
    expectOneLineError(await runCli(['predict'], { stdin: random }), 2, /standard input: binary file/);
    expectOneLineError(await runCli(['templates', rnd]), 2, /binary file/);
    const xz = join(dir, 'app.log.xz');
    writeFileSync(xz, Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), random.subarray(0, 4096)]));
    expectOneLineError(await runCli(['predict', xz]), 2, /xz-compressed/);
    const bz = join(dir, 'app.log.bz2');
    writeFileSync(bz, Buffer.concat([Buffer.from('BZh91AY&SY'), random.subarray(0, 4096)]));
    expectOneLineError(await runCli(['predict', bz]), 2, /bzip2-compressed/);
  });
  it('UTF-16 text (PowerShell redirects) is read as text, with or without a byte-order mark, plain or gzip; random bytes behind a mark are still binary', async () => {
    const text = '2026-12-03 10:00:00 INFO café opened\r\n2026-12-03 10:00:01 ERROR connection refused\r\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(text, 'utf16le').swap16(); // UTF-16BE, no mark
    const files = { 'le.log': le, 'be.log': be, 'le.log.gz': gzipSync(le) };
    for (const [name, bytes] of Object.entries(files)) {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const res = await runCli(['predict', file, '--no-templates']);
      expect(res.code, res.stderr).toBe(0);
      const rows = parseNdjson(res.stdout);
      expect(rows.map((r) => [r.level, r.message])).toEqual([['INFO', 'café opened'], ['ERROR', 'connection refused']]);
    }
    const stdin = await runCli(['predict', '--no-templates'], { stdin: le });
    expect(parseNdjson(stdin.stdout)).toHaveLength(2);
    let x = 777;
    const noise = Buffer.alloc(64 * 1024);
    for (let i = 0; i < noise.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      noise[i] = x >>> 24;
    }
    const fake = join(dir, 'marked.bin');
    writeFileSync(fake, Buffer.concat([Buffer.from([0xff, 0xfe]), noise]));
    expectOneLineError(await runCli(['predict', fake]), 2, /marked\.bin: binary file/);
  });
  it('a file with lines but no record (blank lines, a CSV header alone, an empty JSON array): says so, exit 2', async () => {
    for (const [name, text] of [['blank.log', '\n\n   \n'], ['header.csv', 'timestamp,level,message\n'], ['empty.json', '[\n]\n']] as const) {
      const file = join(dir, name);
      writeFileSync(file, text);
      expectOneLineError(await runCli(['predict', file]), 2, /but no log record in them/);
      expectOneLineError(await runCli(['templates', file]), 2, /but no log record in them/);
    }
    const piped = await runCli(['predict'], { stdin: '\n' });
    expect(piped.code).toBe(0);
  });
  it('an input whose every line is skipped: says so, exit 2', async () => {
    const file = join(dir, 'all-long.log');
    writeFileSync(file, 'y'.repeat(2 * 1024 * 1024) + '\n' + 'z'.repeat(2 * 1024 * 1024) + '\n');
    expectOneLineError(await runCli(['predict', file]), 2, /every line was skipped \(2 longer than --max-line-bytes\)/);
    expectOneLineError(await runCli(['templates', file]), 2, /every line was skipped/);
  });
  it('a JSON record nested 5,000 deep is skipped and counted; predict, templates and -f carry on', async () => {
    const file = join(dir, 'deep.jsonl');
    const deep = `{"level":"info","msg":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const good = (i: number) => `{"level":"info","time":"2024-05-01T00:00:0${i}Z","msg":"user ${i} logged in"}`;
    writeFileSync(file, [good(1), good(2), deep, good(3), good(4)].join('\n') + '\n');
    const res = await runCli(['predict', file, '--format', 'ndjson']);
    expect(res.code).toBe(0);
    expect(parseNdjson(res.stdout).map((r) => r.line)).toEqual([1, 2, 4, 5]);
    expect(res.stderr.trim()).toBe('logml: skipped 1 line (1 unparsable record); scored 4 records');
    const tpl = await runCli(['templates', file, '--format', 'ndjson']);
    expect(tpl.code).toBe(0);
    expect(parseNdjson(tpl.stdout)).toHaveLength(4);
    expect(tpl.stderr).toMatch(/skipped 1 line \(1 unparsable record\); mined 4 records/);
    // and when the bad record is among the lines the format is detected on, and in json mode
    const first = join(dir, 'deep-first.jsonl');
    writeFileSync(first, [deep, good(1), good(2)].join('\n') + '\n');
    for (const extra of [[], ['--input-format', 'json']]) {
      const r = await runCli(['predict', first, '--format', 'ndjson', ...extra]);
      expect(r.code).toBe(0);
      expect(parseNdjson(r.stdout).map((x) => x.line)).toEqual([2, 3]);
    }
  });
  it('a 50 MB line is skipped and counted, the rest scored, no hang', async () => {
    const file = join(dir, 'huge.log');
    const good = readFileSync(hdfs, 'utf8').split('\n').slice(0, 3).join('\n');
    writeFileSync(file, good + '\n' + 'x'.repeat(50 * 1024 * 1024) + '\n' + good + '\n');
    const res = await runCli(['predict', file], { timeoutMs: 60_000 });
    expect(res.code).toBe(0);
    expect(parseNdjson(res.stdout).length).toBe(6);
    expect(res.stderr).toMatch(/skipped 1 line \(1 longer than --max-line-bytes\)/);
  });
  it('a truncated .gz: the lines before the damage are written, then exit 2', async () => {
    const file = join(dir, 'cut.log.gz');
    const gz = gzipSync(readFileSync(hdfs));
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const res = await runCli(['predict', file]);
    expectOneLineError(res, 2, /corrupt or truncated gzip/);
    expect(parseNdjson(res.stdout).length).toBeGreaterThan(500);
  });
  it('unknown options and bad values: exit 2', async () => {
    const r1 = await runCli(['predict', hdfs, '--format', 'xml']);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/xml/);
    const r2 = await runCli(['predict', hdfs, '--min-level', 'LOUD']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/unknown level "LOUD"/);
    const r3 = await runCli(['nonsense']);
    expect(r3.code).toBe(2);
  });
});

describe('bad input to logml report -p', () => {
  it('a binary file: exit 2', async () => {
    const file = join(dir, 'nul.ndjson');
    writeFileSync(file, Buffer.alloc(1 << 20));
    expectOneLineError(await runCli(['report', '-p', file]), 2, /binary file/);
  });
  it('an unreadable file: permission denied, exit 2', async () => {
    const file = join(dir, 'secret.ndjson');
    writeFileSync(file, '{}\n');
    chmodSync(file, 0o000);
    const asNobody = process.getuid?.() === 0 ? { spawn: { uid: 65534, gid: 65534 } } : {};
    expectOneLineError(await runCli(['report', '-p', file], asNobody), 2, /permission denied/);
  });
  it('a 40 MB line is skipped and counted, the others read', async () => {
    const file = join(dir, 'long.ndjson');
    const row = '{"source":"a.log","line":1,"predicted_level":"INFO","anomaly_score":0.1,"is_anomaly":false,"model":["m@1"]}';
    writeFileSync(file, `${row}\n{"x":"${'x'.repeat(40 * 1024 * 1024)}"}\n${row}\n`);
    const res = await runCli(['report', '-p', file, '--format', 'json']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/skipped 1 line/);
  });
});

describe('bad models', () => {
  it('a corrupt .onnx: exit 2', async () => {
    const file = join(dir, 'corrupt.onnx');
    writeFileSync(file, Buffer.from('this is not a protobuf at all, just text pretending'));
    expectOneLineError(await runCli(['predict', hdfs, '--model', file]), 2, /corrupt\.onnx/);
  });
  it('a foreign .onnx (valid ONNX, not a logml model): exit 2', async () => {
    const file = join(dir, 'foreign.onnx');
    writeFileSync(file, encodeModel({
      ir_version: 8, producer_name: 'other', producer_version: '1', domain: '', model_version: 1, doc_string: '',
      graph: { name: 'g', node: [{ name: 'n', op_type: 'Identity', input: ['x'], output: ['y'], attribute: [] }], initializer: [],
        input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 1 }] } } } }],
        output: [{ name: 'y', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 1 }] } } } }] },
      opset_import: [{ domain: '', version: 17 }], metadata_props: [],
    }));
    expectOneLineError(await runCli(['predict', hdfs, '--model', file]), 2, /not a logml model/);
  });
  it('a model whose feature spec differs: exit 2', async () => {
    // re-encode the shipped model with an altered feature spec (and its matching hash)
    const { decodeModel, modelProtoType } = await import('../../src/core/model/onnx-proto.js');
    const { specHash } = await import('../../src/core/features/spec.js');
    const bytes = readFileSync(join(ROOT, 'models', 'level.onnx'));
    const msg = decodeModel(bytes) as unknown as { metadata_props: Array<{ key: string; value: string }> };
    const spec = { ...readBundle(bytes, 'x').meta.featureSpec, tokenizer: 'logml-words-v9' };
    for (const p of msg.metadata_props) {
      if (p.key === 'logml.featureSpec') p.value = JSON.stringify(spec);
      if (p.key === 'logml.featureSpecHash') p.value = specHash(spec as never);
    }
    const file = join(dir, 'other-spec.onnx');
    writeFileSync(file, modelProtoType().encode(msg as never).finish());
    expectOneLineError(await runCli(['predict', hdfs, '--model', file]), 2, /feature spec this logml cannot reproduce: tokenizer "logml-words-v9"/);
    // and a spec edited without its hash: refused as altered
    for (const p of msg.metadata_props) if (p.key === 'logml.featureSpecHash') p.value = '0'.repeat(64);
    writeFileSync(file, modelProtoType().encode(msg as never).finish());
    expectOneLineError(await runCli(['predict', hdfs, '--model', file]), 2, /does not match its recorded hash/);
  });
  it('a missing model file: exit 2', async () => {
    expectOneLineError(await runCli(['predict', hdfs, '--model', join(dir, 'nope.onnx')]), 2, /does not exist/);
  });
  it('--debug prints the stack trace', async () => {
    const res = await runCli(['predict', join(dir, 'nope.log'), '--debug']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/\n\s+at /);
  });
});
