// The three subdirectories of a maildir.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maildirLayout } from '../../../src/maildir/layout';

describe('maildirLayout', () => {
  // prettier-ignore
  const table: [string, string][] = [
    ['/srv/m', '/srv/m'],
    ['/srv/m/', '/srv/m'],
    ['/', ''],
  ];
  for (const [root, base] of table) {
    it(`${root} → ${base}/tmp, ${base}/new, ${base}/cur`, () => {
      assert.deepEqual(maildirLayout(root), {
        root,
        tmp: `${base}/tmp`,
        new: `${base}/new`,
        cur: `${base}/cur`,
      });
    });
  }
});
