import { describe, expect, it } from 'vitest';
import { templateParams } from './params.js';
import { TemplateMiner } from './template-miner.js';

describe('templateParams', () => {
  it('gives the values at each <*>, in template order', () => {
    expect(templateParams('user <*> logged in from <*>', 'user bob logged in from 10.0.0.1')).toEqual(['bob', '10.0.0.1']);
    expect(templateParams('took <*> ms (id=<*>)', 'took 35 ms (id=a1)')).toEqual(['35', 'a1']);
  });

  it('a parameter may span several tokens (quoted strings, masked dates)', () => {
    expect(templateParams('name "<*>" saved', 'name "john smith" saved')).toEqual(['john smith']);
  });

  it('multi-line messages: the continuation lines are the last parameter', () => {
    expect(templateParams('failed <*>\n<*>', 'failed 42\n  at a.b(C.java:1)\n  at d.e(F.java:2)')).toEqual(['42', 'at a.b(C.java:1)\n  at d.e(F.java:2)']);
  });

  it('null when the message does not fit; [] for a template without parameters', () => {
    expect(templateParams('user <*> logged in', 'disk full')).toBeNull();
    expect(templateParams('service started', 'service  started')).toEqual([]);
    expect(templateParams('service started', 'service stopped')).toBeNull();
  });

  it('regex metacharacters in the template are literal', () => {
    expect(templateParams('a.b(<*>) [x] $1 *', 'a.b(7) [x] $1 *')).toEqual(['7']);
    expect(templateParams('a.b(<*>)', 'aXb(7)')).toBeNull();
  });

  it('fits what the miner produces for the messages it mined', () => {
    const miner = new TemplateMiner();
    const messages = ['GET /api/users/1 took 12 ms', 'GET /api/users/22 took 7 ms', 'connection from 10.0.0.1:5432 closed', 'connection from 10.0.0.2:80 closed'];
    for (const m of messages) miner.add(m);
    for (const m of messages) {
      const t = miner.match(m)!.template;
      expect(templateParams(t, m)).not.toBeNull();
    }
  });
});
