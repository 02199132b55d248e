import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_MASKING_RULES,
  FileStateStore,
  MemoryStateStore,
  TemplateMiner,
  loadMaskingRules,
  parseMaskingRules,
} from './index.js';
import { InputError } from '../errors.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'logml-templates-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('TemplateMiner.add', () => {
  it('groups identical events that differ by a number', () => {
    const miner = new TemplateMiner();
    const a = miner.add('Found child 6725 in scoreboard slot 10');
    const b = miner.add('Found child 6726 in scoreboard slot 8');
    expect(a.changeType).toBe('created');
    expect(b.changeType).toBe('none');
    expect(b.templateId).toBe(a.templateId);
    expect(b.template).toBe('Found child <*> in scoreboard slot <*>');
  });

  it('keeps a parameter of variable length in one template (quoted, numbers, paths)', () => {
    const miner = new TemplateMiner();
    const a = miner.add('login by user "john" from 10.0.0.1');
    const b = miner.add('login by user "john smith" from 10.0.0.2');
    const c = miner.add('stack 0x7fe 0x7ff 0x800 done');
    const d = miner.add('stack 0x7fe done');
    expect(b.templateId).toBe(a.templateId);
    expect(b.template).toBe('login by user "<*>" from <*>');
    expect(d.templateId).toBe(c.templateId);
    expect(d.template).toBe('stack <*> done');
  });

  it('lets an established parameter span several unquoted tokens', () => {
    const miner = new TemplateMiner({ variantMergeCount: 3 });
    for (const user of ['john', 'mary', 'bob']) miner.add(`Invalid user ${user} from 10.0.0.1`);
    const one = miner.add('Invalid user alice from 10.0.0.2');
    const two = miner.add('Invalid user john smith from 10.0.0.3');
    expect(one.template).toBe('Invalid user <*> from <*>');
    expect(two).toEqual({ templateId: one.templateId, template: 'Invalid user <*> from <*>', changeType: 'none' });
    expect(miner.match('Invalid user jean paul sartre from 10.0.0.4')?.templateId).toBe(one.templateId);
    // A template that is mostly wildcards does not stretch.
    miner.add('data <*> <*>');
    expect(miner.add('data cache parity error detected now').changeType).toBe('created');
  });

  it('keeps events apart that differ in one meaningful word', () => {
    const miner = new TemplateMiner();
    const opened = miner.add('connection opened from 10.0.0.1 port 22');
    const closed = miner.add('connection closed from 10.0.0.1 port 22');
    miner.add('connection opened from 10.0.0.2 port 23');
    expect(closed.templateId).not.toBe(opened.templateId);
    expect(miner.match('connection closed from 10.9.9.9 port 1')?.templateId).toBe(closed.templateId);
    expect(miner.match('connection opened from 10.9.9.9 port 1')?.templateId).toBe(opened.templateId);
    expect(miner.templates()).toHaveLength(2);
  });

  it('merges one-word variants once enough distinct words show the position is a parameter', () => {
    const miner = new TemplateMiner({ variantMergeCount: 3 });
    const first = miner.add('session closed for user root');
    miner.add('session closed for user alice');
    const third = miner.add('session closed for user bob');
    expect(third.changeType).toBe('changed');
    expect(third.templateId).toBe(first.templateId);
    expect(third.template).toBe('session closed for user <*>');
    expect(miner.templates()).toHaveLength(1);
    const second = miner.add('session closed for user carol');
    expect(second.templateId).toBe(first.templateId);
  });

  it('generalises a token piecewise', () => {
    const miner = new TemplateMiner();
    miner.add('request done id=a17 status=ok');
    const r = miner.add('request done id=b22 status=ok');
    expect(r.template).toBe('request done id=<*> status=ok');
    expect(r.changeType).toBe('changed');
  });

  it('keeps tokens apart that differ by a word inside (state=up / state=down)', () => {
    const miner = new TemplateMiner();
    const up = miner.add('link eth0 changed state=up speed=1000');
    const down = miner.add('link eth1 changed state=down speed=1000');
    expect(down.templateId).not.toBe(up.templateId);
    expect(down.changeType).toBe('created');
  });

  it('keeps key=value tokens with different keys apart (different fields, not a parameter)', () => {
    const miner = new TemplateMiner();
    const a = miner.add('getRecentTasks: num=3,flags=0x1,totalTasks=12');
    const b = miner.add('getRecentTasks: topActivity=ComponentInfo{com.app/Main}');
    const c = miner.add('getRecentTasks: num=5,flags=0x2,totalTasks=9');
    expect(b.templateId).not.toBe(a.templateId);
    expect(c.templateId).toBe(a.templateId);
  });

  it('treats words proven to be parameters as parameters in other templates too', () => {
    const miner = new TemplateMiner({ variantMergeCount: 3 });
    const opened = miner.add('session opened for user root by admin');
    const alice = miner.add('session opened for user alice by admin');
    for (const user of ['root', 'alice', 'bob']) miner.add(`session closed for user ${user}`);
    // root, alice and bob are now known parameter values: the opened variants merge too.
    expect(miner.resolveId(alice.templateId)).toBe(opened.templateId);
    const bob = miner.add('session opened for user bob by admin');
    expect(bob.templateId).toBe(opened.templateId);
    expect(bob.template).toBe('session opened for user <*> by admin');
  });

  it('keeps the id when the template is generalised', () => {
    const miner = new TemplateMiner();
    const a = miner.add('worker node-a1 started task alpha');
    const b = miner.add('worker node-b2 started task alpha');
    expect(b.changeType).toBe('changed');
    expect(b.template).toBe('worker node-<*> started task alpha');
    expect(b.templateId).toBe(a.templateId);
  });

  it('gives the same id on two hosts that first meet the same event', () => {
    const host1 = new TemplateMiner();
    const host2 = new TemplateMiner();
    host2.add('something else entirely happened');
    const id1 = host1.add('disk /dev/sda1 is 91% full').templateId;
    const id2 = host2.add('disk /dev/sdb2 is 97% full').templateId;
    expect(id1).toMatch(/^[0-9a-f]{16}$/);
    expect(id2).toBe(id1);
  });

  it('mines a multi-line message as its first line plus a continuation', () => {
    const miner = new TemplateMiner();
    const a = miner.add('Unhandled exception in request 42\n  at foo (a.js:1)\n  at bar (b.js:2)');
    const b = miner.add('Unhandled exception in request 43\n  at baz (c.js:9)');
    const single = miner.add('Unhandled exception in request 44');
    expect(b.templateId).toBe(a.templateId);
    expect(a.template).toBe('Unhandled exception in request <*>\n<*>');
    expect(single.templateId).not.toBe(a.templateId);
  });

  it('evicts the least recently used template beyond maxClusters', () => {
    const miner = new TemplateMiner({ maxClusters: 2 });
    const a = miner.add('alpha event happened here');
    miner.add('beta event happened here now');
    miner.add('alpha event happened here'); // a is now more recent than b
    miner.add('gamma event happened here now too');
    const ids = miner.templates().map((t) => t.templateId);
    expect(ids).toHaveLength(2);
    expect(ids).toContain(a.templateId);
    expect(miner.match('beta event happened here now')).toBeNull();
    expect(miner.add('beta event happened here now').changeType).toBe('created');
  });
});

describe('TemplateMiner.match', () => {
  it('is read-only', () => {
    const miner = new TemplateMiner();
    expect(miner.match('user 1 logged in')).toBeNull();
    expect(miner.templates()).toHaveLength(0);
    const a = miner.add('user 1 logged in');
    expect(miner.match('user 2 logged in')).toEqual({ templateId: a.templateId, template: 'user <*> logged in' });
    expect(miner.templates()[0]!.count).toBe(1);
  });
});

describe('state stores', () => {
  it('round-trips through the file store, ids and learning intact', async () => {
    const path = join(await tempDir(), 'nested', 'state.json');
    const store = new FileStateStore(path);
    expect(await store.load()).toBeNull();
    const miner = new TemplateMiner();
    const a = miner.add('worker node-a1 started task alpha');
    miner.add('worker node-b2 started task alpha');
    const opened = miner.add('connection opened from 10.0.0.1');
    await miner.save(store);
    const saved = JSON.parse(await readFile(path, 'utf8'));
    expect(saved.version).toBe(1);
    const resumed = await TemplateMiner.load(store);
    const again = resumed.add('worker node-c3 started task alpha');
    expect(again).toEqual({ templateId: a.templateId, template: 'worker node-<*> started task alpha', changeType: 'none' });
    expect(resumed.add('connection opened from 10.0.0.9').templateId).toBe(opened.templateId);
    expect(resumed.add('connection closed from 10.0.0.9').changeType).toBe('created');
  });

  it('keeps variant links and merge aliases across a restart', async () => {
    const store = new MemoryStateStore();
    const miner = new TemplateMiner({ variantMergeCount: 3 });
    const root = miner.add('session closed for user root');
    const alice = miner.add('session closed for user alice');
    await miner.save(store);
    const resumed = await TemplateMiner.load(store, { variantMergeCount: 3 });
    const merged = resumed.add('session closed for user bob');
    expect(merged.templateId).toBe(root.templateId);
    expect(resumed.resolveId(alice.templateId)).toBe(root.templateId);
    await resumed.save(store);
    const third = await TemplateMiner.load(store);
    expect(third.resolveId(alice.templateId)).toBe(root.templateId);
    expect(third.toState().parameterWords).toEqual(expect.arrayContaining(['root', 'alice', 'bob']));
    // Known parameter words carry over: this variant joins at once instead of waiting for 3 users.
    const opened = third.add('session opened for user root by cron');
    expect(third.add('session opened for user alice by cron').templateId).toBe(opened.templateId);
  });

  it('refuses a file that is not a miner state', async () => {
    const path = join(await tempDir(), 'bad.json');
    await writeFile(path, '{"hello": 1}');
    await expect(new FileStateStore(path).load()).rejects.toBeInstanceOf(InputError);
  });
});

describe('masking rules', () => {
  it('reads rules from JSON and applies them before mining', async () => {
    const path = join(await tempDir(), 'rules.json');
    await writeFile(path, JSON.stringify([{ name: 'ticket', regex: 'TICKET-[A-Z]+', replacement: '<ticket>' }]));
    const rules = await loadMaskingRules(path);
    expect(rules).toEqual([{ name: 'ticket', regex: 'TICKET-[A-Z]+', replacement: '<ticket>' }]);
    const miner = new TemplateMiner({ maskingRules: [...rules, ...DEFAULT_MASKING_RULES] });
    miner.add('closed TICKET-ABC after 3 tries');
    expect(miner.add('closed TICKET-XYZ after 5 tries').template).toBe('closed <ticket> after <*> tries');
  });

  it('rejects malformed rules with a message naming the rule', () => {
    expect(() => parseMaskingRules('[{"name":"bad","regex":"(","replacement":"<*>"}]')).toThrow(/masking rule "bad"/);
    expect(() => parseMaskingRules('{"name":"x"}')).toThrow(InputError);
    expect(() => parseMaskingRules('not json')).toThrow(InputError);
  });

  it('masks common variables by default', () => {
    const miner = new TemplateMiner();
    const cases: Array<[string, string]> = [
      ['fetch https://example.com/a?b=1 ok', 'fetch <*> ok'],
      ['mail to bob.smith@example.org sent', 'mail to <*> sent'],
      ['req 123e4567-e89b-12d3-a456-426614174000 done', 'req <*> done'],
      ['open /var/log/app.log failed', 'open <*> failed'],
      ['peer 192.168.1.20:8080 reset', 'peer <*> reset'],
      ['at 2024-01-02T03:04:05.123Z started', 'at <*> started'],
      ['addr 0x7fff5fbff8a8 bad', 'addr <*> bad'],
      ['block blk_-1608999687919862906 lost', 'block blk_<*> lost'],
      ['took 35 ms total', 'took <*> ms total'],
    ];
    for (const [message, template] of cases) expect(miner.add(message).template).toBe(template);
  });
});

describe('stack traces keep their exception type', () => {
  const py = (n: number, type: string) => `request ${n} failed\nTraceback (most recent call last):\n  File "app.py", line ${n}, in handle\n    run()\n${type}: bad value ${n}`;
  const java = (n: number, type: string) => `job ${n} failed\n${type}: refused\n\tat a.B.c(B.java:${n})\n\t... ${n} more`;

  it('Python: the template names the raised exception; two exceptions, two templates', () => {
    const miner = new TemplateMiner();
    const a = miner.add(py(1, 'KeyError'));
    const b = miner.add(py(2, 'KeyError'));
    const c = miner.add(py(3, 'ValueError'));
    expect(a.templateId).toBe(b.templateId);
    expect(miner.match(py(4, 'KeyError'))!.template).toBe('request <*> failed\n<*>\nKeyError<*>');
    expect(c.templateId).not.toBe(a.templateId);
    expect(c.template).toContain('ValueError');
  });

  it('Python: with chained tracebacks, the last one raised names the template', () => {
    const miner = new TemplateMiner();
    const message = 'oops\nTraceback (most recent call last):\n  File "a.py", line 1\nKeyError: 1\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  File "a.py", line 3\nwebob.exc.HTTPBadRequest: no';
    expect(miner.add(message).template).toBe('oops\n<*>\nwebob.exc.HTTPBadRequest<*>');
  });

  it('Java: the first exception line names the template', () => {
    const miner = new TemplateMiner();
    const a = miner.add(java(1, 'java.net.ConnectException'));
    expect(miner.add(java(2, 'java.net.ConnectException')).templateId).toBe(a.templateId);
    expect(a.template).toBe('job <*> failed\n<*>\njava.net.ConnectException<*>');
    expect(miner.add(java(3, 'java.io.EOFException')).templateId).not.toBe(a.templateId);
  });

  it('a continuation without a named exception keeps the plain continuation template', () => {
    const miner = new TemplateMiner();
    expect(miner.add('query:\n  SELECT 1\n  FROM t').template).toBe('query:\n<*>');
  });
});

describe('TemplateMiner memory is bounded in bytes, not only in templates', () => {
  it('distinct long lines: the templates and the cache stay under their byte limits, the newest kept', () => {
    const limits = { maxClusterBytes: 4 * 1024 * 1024, maxCacheBytes: 1024 * 1024 };
    const miner = new TemplateMiner(limits);
    let last = '';
    for (let i = 0; i < 120; i++) {
      // 2,000+ words, a different count for each line: each one its own template (~40 KB of text)
      const words = Array.from({ length: 2000 + i }, (_, k) => `w${String.fromCharCode(97 + ((k * 7 + i) % 26))}x`);
      last = words.join(' ');
      miner.add(last);
      expect(miner.memoryBytes()).toBeLessThanOrEqual(limits.maxClusterBytes + limits.maxCacheBytes);
    }
    expect(miner.templates().length).toBeLessThan(120);
    expect(miner.match(last)).not.toBeNull();
  });
});
