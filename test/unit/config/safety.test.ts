// The .forward / .qmail rule for the config file: nobody else may have been able to write it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configSafetyProblem, type OwnerAndMode } from '../../../src/config/safety';

const ME = 1000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const file = (mode: number, uid = ME): OwnerAndMode => ({ uid, mode: S_IFREG | mode });
const dir = (mode: number, uid = ME): OwnerAndMode => ({ uid, mode: S_IFDIR | mode });

describe('configSafetyProblem', () => {
  // prettier-ignore
  const table: [string, OwnerAndMode, OwnerAndMode, string | undefined][] = [
    ['mine, 0600, private folder', file(0o600), dir(0o700), undefined],
    ['mine, 0644, folder 0755', file(0o644), dir(0o755), undefined],
    ['read-only 0400', file(0o400), dir(0o755), undefined],
    ['owned by root', file(0o644, 0), dir(0o755, 0), undefined],
    ['folder owned by someone else but not writable', file(0o600), dir(0o755, 2000), undefined],
    ['in a sticky world-writable folder (/tmp)', file(0o600), dir(0o1777, 0), undefined],
    ['group-writable', file(0o664), dir(0o755), 'is writable by group or others (mode 0664); run chmod go-w on it'],
    ['world-writable', file(0o602), dir(0o755), 'is writable by group or others (mode 0602); run chmod go-w on it'],
    ['setuid bits shown in the mode', file(0o4666), dir(0o755), 'is writable by group or others (mode 4666); run chmod go-w on it'],
    ['owned by another user', file(0o600, 2000), dir(0o755), 'is owned by uid 2000, not by you (uid 1000) or root'],
    ['in a group-writable folder', file(0o600), dir(0o775), 'is in /etc/mf, which others can write (mode 0775), so they could replace it'],
    ['in a world-writable folder', file(0o600), dir(0o777), 'is in /etc/mf, which others can write (mode 0777), so they could replace it'],
    ['writable file wins over a bad owner', file(0o666, 2000), dir(0o777), 'is writable by group or others (mode 0666); run chmod go-w on it'],
  ];
  for (const [title, f, d, expected] of table) {
    it(`${title} → ${String(expected)}`, () =>
      assert.equal(configSafetyProblem(f, d, '/etc/mf', ME), expected));
  }

  it('root running it accepts its own files', () => {
    assert.equal(configSafetyProblem(file(0o600, 0), dir(0o755, 0), '/etc', 0), undefined);
  });
});
