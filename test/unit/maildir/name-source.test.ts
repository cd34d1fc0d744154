// Name sources: one clock reading split into seconds and microseconds, and names that never
// repeat within a process (Q) nor across processes (P), even with a frozen clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nameSource, systemNameInputs, type NameInputs } from '../../../src/maildir/name-source';

const NAME = /^(\d+)\.M(\d{6})P(\d+)Q(\d+)R([0-9a-f]+)\.(.+)$/;

function inputs(change: Partial<NameInputs> = {}): NameInputs {
  return { now: () => 1700000000123.456, pid: 4242, host: 'mx1', random: () => 'feedface', ...change };
}

function fields(name: string): {
  sec: string;
  usec: string;
  pid: string;
  q: string;
  r: string;
  host: string;
} {
  const match = NAME.exec(name);
  assert.ok(match !== null, `not a unique name: ${name}`);
  const [, sec = '', usec = '', pid = '', q = '', r = '', host = ''] = match;
  return { sec, usec, pid, q, r, host };
}

describe('nameSource', () => {
  // prettier-ignore
  const splits: [number, string, string][] = [
    [1700000000123.456, '1700000000', '123456'],
    [1700000000000, '1700000000', '000000'],
    [1700000000000.001, '1700000000', '000001'],
    [1700000000999.999, '1700000000', '999999'],
    [1700000001000, '1700000001', '000000'],
    [0.5, '0', '000500'],
  ];
  for (const [now, sec, usec] of splits) {
    it(`now() = ${now} → sec ${sec}, usec ${usec}`, () => {
      const name = nameSource(inputs({ now: () => now })).next();
      assert.deepEqual([fields(name).sec, fields(name).usec], [sec, usec]);
    });
  }

  it('builds the name from pid, host and randomness', () => {
    assert.equal(nameSource(inputs()).next(), '1700000000.M123456P4242Q0Rfeedface.mx1');
  });

  it('Q increments with every name: 0, 1, 2 …', () => {
    const names = nameSource(inputs());
    assert.deepEqual(
      [names.next(), names.next(), names.next()].map((n) => fields(n).q),
      ['0', '1', '2'],
    );
  });

  it('never repeats within one microsecond, even with a frozen clock and fixed randomness', () => {
    const names = nameSource(inputs());
    const seen = new Set(Array.from({ length: 10_000 }, () => names.next()));
    assert.equal(seen.size, 10_000);
  });

  it('differs across pids with the same clock, sequence and randomness', () => {
    const a = nameSource(inputs({ pid: 100 })).next();
    const b = nameSource(inputs({ pid: 101 })).next();
    assert.notEqual(a, b);
    assert.deepEqual([fields(a).pid, fields(b).pid], ['100', '101']);
  });

  it('reads the clock and the randomness once per name', () => {
    let reads = 0;
    let draws = 0;
    const names = nameSource(
      inputs({ now: () => (reads++, 1700000000123.456), random: () => (draws++, 'ab') }),
    );
    names.next();
    names.next();
    assert.deepEqual([reads, draws], [2, 2]);
  });

  it('escapes the host part', () => {
    assert.equal(fields(nameSource(inputs({ host: 'a/b:c' })).next()).host, 'a\\057b\\072c');
  });
});

describe('systemNameInputs', () => {
  it('reads the wall clock in milliseconds, this pid, and 64 random bits as hex', () => {
    const system = systemNameInputs();
    assert.ok(Math.abs(system.now() - Date.now()) < 1000);
    assert.equal(system.pid, process.pid);
    assert.match(system.random(), /^[0-9a-f]{16}$/);
    assert.notEqual(system.random(), system.random());
  });

  it('gives distinct, well-formed names', () => {
    const names = nameSource(systemNameInputs());
    const all = Array.from({ length: 1000 }, () => names.next());
    assert.equal(new Set(all).size, all.length);
    for (const name of all) assert.doesNotMatch(name, /[/:]/);
  });
});
