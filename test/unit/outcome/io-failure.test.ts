// A failed system call becomes a temporary Failure with its RFC 3463 code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ioFailure } from '../../../src/outcome/io-failure';

const sysError = (code: string): Error => Object.assign(new Error(`${code}: failed`), { code });

describe('ioFailure', () => {
  // prettier-ignore
  const table: [string, string, string][] = [
    ['ENOSPC', '4.3.1', 'writing /m/tmp/x: no space left on device (ENOSPC)'],
    ['EDQUOT', '4.2.2', 'writing /m/tmp/x: disk quota exceeded (EDQUOT)'],
    ['EFBIG', '4.3.4', 'writing /m/tmp/x: file too large for this system (EFBIG)'],
    ['EACCES', '4.2.0', 'writing /m/tmp/x: permission denied (EACCES)'],
    ['EPERM', '4.2.0', 'writing /m/tmp/x: operation not permitted (EPERM)'],
    ['ENOENT', '4.2.1', 'writing /m/tmp/x: no such file or directory (ENOENT)'],
    ['ENOTDIR', '4.2.1', 'writing /m/tmp/x: not a directory (ENOTDIR)'],
    ['EROFS', '4.3.0', 'writing /m/tmp/x: read-only file system (EROFS)'],
    ['ELOOP', '4.2.0', 'writing /m/tmp/x: refusing to follow a symbolic link (ELOOP)'],
    ['EXDEV', '4.3.5', 'writing /m/tmp/x: tmp/ and new/ are on different file systems (EXDEV)'],
    ['EIO', '4.3.0', 'writing /m/tmp/x: input/output error (EIO)'],
    ['ESTALE', '4.2.0', 'writing /m/tmp/x: stale NFS file handle (ESTALE)'],
    ['EWHATEVER', '4.3.0', 'writing /m/tmp/x: EWHATEVER'],
  ];
  for (const [code, status, text] of table) {
    it(`${code} → ${status}`, () => {
      assert.deepEqual(ioFailure('writing /m/tmp/x', sysError(code)), { kind: 'temporary', status, text });
    });
  }

  it('EDQUOT that Node 20 reports only by number (errno -122) → 4.2.2', () => {
    const error = Object.assign(new Error('Unknown system error -122'), {
      code: 'Unknown system error -122',
      errno: -122,
    });
    assert.deepEqual(ioFailure('writing', error), {
      kind: 'temporary',
      status: '4.2.2',
      text: 'writing: disk quota exceeded (EDQUOT)',
    });
  });

  it('an error without errno → 4.3.0 with its message', () => {
    assert.deepEqual(ioFailure('syncing', new Error('something odd')), {
      kind: 'temporary',
      status: '4.3.0',
      text: 'syncing: something odd',
    });
  });

  it('a thrown non-error → 4.3.0 with its text', () => {
    assert.deepEqual(ioFailure('x', 'a string'), { kind: 'temporary', status: '4.3.0', text: 'x: a string' });
  });

  it('is never permanent, whatever the error', () => {
    for (const value of [sysError('ENOSPC'), sysError('EXDEV'), new Error('x'), null, 7]) {
      assert.equal(ioFailure('x', value).kind, 'temporary');
      assert.match(ioFailure('x', value).status, /^4\.\d+\.\d+$/);
    }
  });

  // Found while writing these tests: the table is a plain object, so a code that names an
  // Object.prototype member finds the inherited function and yields status `undefined`.
  it('regression: a code named like an Object.prototype member ("constructor") is unknown → 4.3.0', () => {
    for (const code of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      assert.deepEqual(ioFailure('x', { code }), { kind: 'temporary', status: '4.3.0', text: `x: ${code}` });
    }
  });
});
