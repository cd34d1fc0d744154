// Step 6 of a maildir delivery: link tmp/<name> into new/, then unlink tmp/<name>; the NFS and
// no-hard-links traps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NameSource } from '../../../src/maildir/name-source';
import { publish } from '../../../src/maildir/publish';
import { FakeFileSystem } from './fake-file-system';

function counting(): NameSource {
  let n = 0;
  return { next: () => `fresh${++n}` };
}

const TMP = '/m/tmp/orig';
const maildir = (): FakeFileSystem => new FakeFileSystem().addMaildir('/m').addFile(TMP, 'message');

describe('publish', () => {
  it('link succeeds: new/<name> holds the message, tmp/<name> is unlinked', async () => {
    const fs = maildir();
    assert.equal(await publish(fs, counting(), TMP, '/m/new', 'orig'), 'orig');
    assert.deepEqual(fs.log, ['link /m/new/orig /m/tmp/orig', 'unlink /m/tmp/orig']);
    assert.deepEqual([fs.list('/m/tmp'), fs.list('/m/new')], [[], ['orig']]);
    assert.equal(fs.read('/m/new/orig').toString(), 'message');
  });

  it('unlinking tmp/ failing after the link is not a failure: the message is delivered', async () => {
    const fs = maildir().fail('unlink', 'EIO');
    assert.equal(await publish(fs, counting(), TMP, '/m/new', 'orig'), 'orig');
    assert.deepEqual(fs.list('/m/new'), ['orig']);
  });

  it('link EEXIST for the same inode (NFS lost reply): success, tmp unlinked, no new name', async () => {
    const fs = maildir().fail('link', 'EEXIST', { afterEffect: true });
    assert.equal(await publish(fs, counting(), TMP, '/m/new', 'orig'), 'orig');
    assert.deepEqual(fs.list('/m/new'), ['orig']);
    assert.deepEqual(fs.list('/m/tmp'), []);
    assert.ok(fs.log.includes('lstat /m/new/orig'));
  });

  it('link EEXIST for another file: a fresh name, the other file untouched', async () => {
    const fs = maildir().addFile('/m/new/orig', 'another message');
    assert.equal(await publish(fs, counting(), TMP, '/m/new', 'orig'), 'fresh1');
    assert.equal(fs.read('/m/new/orig').toString(), 'another message');
    assert.equal(fs.read('/m/new/fresh1').toString(), 'message');
    assert.deepEqual(fs.list('/m/tmp'), []);
  });

  it('5 names taken by other files: throws with code EEXIST; tmp/ kept', async () => {
    const fs = maildir();
    for (const name of ['orig', 'fresh1', 'fresh2', 'fresh3', 'fresh4'])
      fs.addFile(`/m/new/${name}`, 'other');
    await assert.rejects(publish(fs, counting(), TMP, '/m/new', 'orig'), { code: 'EEXIST' });
    assert.deepEqual(fs.list('/m/tmp'), ['orig']);
  });

  for (const code of ['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']) {
    it(`link ${code}, target absent: rename() instead`, async () => {
      const fs = maildir().fail('link', code);
      assert.equal(await publish(fs, counting(), TMP, '/m/new', 'orig'), 'orig');
      assert.deepEqual([fs.list('/m/tmp'), fs.list('/m/new')], [[], ['orig']]);
      assert.deepEqual(fs.log, [
        'link /m/new/orig /m/tmp/orig',
        'lstat /m/new/orig',
        'rename /m/new/orig /m/tmp/orig',
      ]);
    });
  }

  it('link EXDEV, target present: never renamed over it; a fresh name', async () => {
    const fs = maildir().addFile('/m/new/orig', 'another message').fail('link', 'EXDEV', { times: 2 });
    assert.equal(await publish(fs, counting(), TMP, '/m/new', 'orig'), 'fresh1');
    assert.equal(fs.read('/m/new/orig').toString(), 'another message');
    assert.equal(fs.read('/m/new/fresh1').toString(), 'message');
  });

  it('link EXDEV, then rename failing: the rename error is thrown', async () => {
    const fs = maildir().fail('link', 'EXDEV').fail('rename', 'ENOSPC');
    await assert.rejects(publish(fs, counting(), TMP, '/m/new', 'orig'), { code: 'ENOSPC' });
  });

  it('link EXDEV, then lstat failing with another error than ENOENT: thrown', async () => {
    const fs = maildir().fail('link', 'EXDEV').fail('lstat', 'EACCES');
    await assert.rejects(publish(fs, counting(), TMP, '/m/new', 'orig'), { code: 'EACCES' });
    assert.deepEqual(fs.list('/m/tmp'), ['orig']);
  });

  for (const code of ['ENOSPC', 'EACCES', 'EIO', 'ENOENT', 'EDQUOT', 'EROFS']) {
    it(`link ${code}: thrown, nothing renamed, tmp/ kept`, async () => {
      const fs = maildir().fail('link', code);
      await assert.rejects(publish(fs, counting(), TMP, '/m/new', 'orig'), { code });
      assert.deepEqual([fs.list('/m/tmp'), fs.list('/m/new')], [['orig'], []]);
      assert.deepEqual(fs.log, ['link /m/new/orig /m/tmp/orig']);
    });
  }
});
