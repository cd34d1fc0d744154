// Unique maildir names, modern style: <sec>.M<usec>P<pid>Q<n>R<hex>.<host> (cr.yp.to/proto/maildir.html).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHost, uniqueName, type NameParts } from '../../../src/maildir/unique-name';

const parts: NameParts = {
  seconds: 1700000000,
  microseconds: 123456,
  pid: 4242,
  sequence: 0,
  random: '0123456789abcdef',
  host: 'mx1.example.org',
};

describe('uniqueName', () => {
  it('is <sec>.M<usec>P<pid>Q<n>R<hex>.<host>', () => {
    assert.equal(uniqueName(parts), '1700000000.M123456P4242Q0R0123456789abcdef.mx1.example.org');
  });

  // prettier-ignore
  const cases: [string, Partial<NameParts>, string][] = [
    ['usec padded to 6 digits', { microseconds: 7 }, '1700000000.M000007P4242Q0R0123456789abcdef.mx1.example.org'],
    ['usec 0', { microseconds: 0 }, '1700000000.M000000P4242Q0R0123456789abcdef.mx1.example.org'],
    ['usec 999999', { microseconds: 999999 }, '1700000000.M999999P4242Q0R0123456789abcdef.mx1.example.org'],
    ['Q counts', { sequence: 17 }, '1700000000.M123456P4242Q17R0123456789abcdef.mx1.example.org'],
    ['pid 1', { pid: 1 }, '1700000000.M123456P1Q0R0123456789abcdef.mx1.example.org'],
    ['host escaped', { host: 'a/b:c' }, '1700000000.M123456P4242Q0R0123456789abcdef.a\\057b\\072c'],
    ['empty host', { host: '' }, '1700000000.M123456P4242Q0R0123456789abcdef.localhost'],
  ];
  for (const [title, change, expected] of cases) {
    it(title, () => assert.equal(uniqueName({ ...parts, ...change }), expected));
  }

  const hosts = ['', '.', '..', '/', ':', '/:/', 'a:b/c', '.hidden', 'host\nname', 'üñí.example'];
  for (const host of hosts) {
    it(`never contains "/" or ":" nor starts with "." (host ${JSON.stringify(host)})`, () => {
      const name = uniqueName({ ...parts, host });
      assert.doesNotMatch(name, /[/:]/);
      assert.ok(!name.startsWith('.'), name);
    });
  }
});

describe('escapeHost', () => {
  // prettier-ignore
  const cases: [string, string][] = [
    ['mx1.example.org', 'mx1.example.org'],
    ['a/b', 'a\\057b'],
    ['a:b', 'a\\072b'],
    ['a/b:c', 'a\\057b\\072c'],
    [':/', '\\072\\057'],
    ['a//b', 'a\\057\\057b'],
    ['a::b', 'a\\072\\072b'],
    ['/a:b/c:d/', '\\057a\\072b\\057c\\072d\\057'],
    ['back\\slash', 'back\\slash'],
    ['', 'localhost'],
  ];
  for (const [host, expected] of cases) {
    it(`${JSON.stringify(host)} → ${JSON.stringify(expected)}`, () =>
      assert.equal(escapeHost(host), expected));
  }
});
