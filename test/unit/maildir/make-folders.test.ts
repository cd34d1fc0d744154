// mkdir -p that says why it failed (Node's recursive mkdir says ENOENT for a read-only or full
// parent: those cases need a mount and are in test/faults/storage.test.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeFolders } from '../../../src/maildir/make-folders';

describe('makeFolders', () => {
  const root = mkdtempSync(join(tmpdir(), 'mf-folders-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('makes every missing level, with the mode (under the umask) for each', async () => {
    const dir = join(root, 'a', 'b', 'c');
    await makeFolders(dir, 0o700);
    for (const level of [join(root, 'a'), join(root, 'a', 'b'), dir]) {
      assert.ok(statSync(level).isDirectory(), level);
      assert.equal(statSync(level).mode & 0o077, 0, `${level} is private`);
    }
  });

  it('a folder that exists is fine, and so is a relative path', async () => {
    await makeFolders(root, 0o700);
    await makeFolders(join(root, 'a', '..', 'a', 'b'), 0o700);
  });

  it('a level that is a file: ENOTDIR, from the level that fails', async () => {
    writeFileSync(join(root, 'file'), '');
    await assert.rejects(makeFolders(join(root, 'file', 'x', 'y'), 0o700), { code: 'ENOTDIR' });
  });
});
