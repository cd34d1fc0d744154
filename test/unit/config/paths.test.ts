// Target paths: ~/ against $HOME, relative paths against the config's folder, ~user refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfigPath, type Resolved } from '../../../src/config/paths';

describe('resolveConfigPath', () => {
  // prettier-ignore
  const table: [string, string, string | undefined, Resolved][] = [
    ['/srv/M', '/etc', '/home/u', { ok: true, path: '/srv/M' }],
    ['/srv/M/', '/etc', '/home/u', { ok: true, path: '/srv/M' }],
    ['/srv/x/../M', '/etc', '/home/u', { ok: true, path: '/srv/M' }],
    ['M', '/etc/mf', '/home/u', { ok: true, path: '/etc/mf/M' }],
    ['./M', '/etc/mf', '/home/u', { ok: true, path: '/etc/mf/M' }],
    ['../M', '/etc/mf', '/home/u', { ok: true, path: '/etc/M' }],
    ['~/M', '/etc', '/home/u', { ok: true, path: '/home/u/M' }],
    ['~/', '/etc', '/home/u', { ok: true, path: '/home/u' }],
    ['~', '/etc', '/home/u', { ok: true, path: '/home/u' }],
    ['~/M', '/etc', '/home/u/', { ok: true, path: '/home/u/M' }],
    ['./~/M', '/etc', undefined, { ok: true, path: '/etc/~/M' }],
    ['M~', '/etc', undefined, { ok: true, path: '/etc/M~' }],
    ['~/M', '/etc', undefined, { ok: false, problem: '"~/M" starts with ~/ but $HOME is not set to an absolute path' }],
    ['~', '/etc', undefined, { ok: false, problem: '"~" starts with ~/ but $HOME is not set to an absolute path' }],
    ['~/M', '/etc', '', { ok: false, problem: '"~/M" starts with ~/ but $HOME is not set to an absolute path' }],
    ['~/M', '/etc', 'home/u', { ok: false, problem: '"~/M" starts with ~/ but $HOME is not set to an absolute path' }],
    ['~bob/M', '/etc', '/home/u', { ok: false, problem: '"~bob/M": only ~/ (your own home) is expanded, not ~user' }],
    ['~bob', '/etc', '/home/u', { ok: false, problem: '"~bob": only ~/ (your own home) is expanded, not ~user' }],
  ];
  for (const [raw, base, home, expected] of table) {
    it(`${JSON.stringify(raw)} in ${base}, HOME=${String(home)} → ${JSON.stringify(expected)}`, () =>
      assert.deepEqual(resolveConfigPath(raw, base, home), expected));
  }
});
