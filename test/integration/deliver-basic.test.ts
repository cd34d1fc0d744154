// Delivery to 1, 3 and 8 maildirs, as an MTA runs it: every target gets one byte-exact copy.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { listMaildir, readNew, runCli, sandbox } from './harness';

describe('delivery into N maildirs', () => {
  const box = sandbox();
  after(() => box.remove());

  for (const count of [1, 3, 8]) {
    it(`delivers one copy to each of ${count} maildir(s), silently, exit 0`, async () => {
      const dirs = Array.from({ length: count }, (_, i) => box.maildir(`n${count}/m${i}`));
      const message = 'From: a@example.org\nSubject: n\n\nhello\n';
      const result = await runCli(dirs, { input: message });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout + result.stderr, '');
      for (const dir of dirs) {
        const listing = listMaildir(dir);
        assert.equal(listing.tmp.length, 0);
        assert.equal(listing.new.length, 1);
        assert.deepEqual(readNew(dir), [Buffer.from(message)]);
        const mode = statSync(join(dir, 'new', listing.new[0]!)).mode & 0o777;
        assert.equal(mode, 0o600);
      }
    });
  }
});
