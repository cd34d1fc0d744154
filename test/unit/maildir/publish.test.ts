// Step 6 of a maildir delivery: rename tmp/<name> into new/ after checking that new/<name> is
// free; never over an existing file; "the tmp file is gone" means someone published it first.
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
  it('new/<name> free: one lstat, one rename; new/<name> holds the message, tmp/ is empty, no link', async () => {
    const fs = maildir();
    assert.deepEqual(await publish(fs, counting(), TMP, '/m/new', 'orig'), {
      kind: 'published',
      name: 'orig',
    });
    assert.deepEqual(fs.log, ['lstat /m/new/orig', 'rename /m/new/orig /m/tmp/orig']);
    assert.deepEqual([fs.list('/m/tmp'), fs.list('/m/new')], [[], ['orig']]);
    assert.equal(fs.read('/m/new/orig').toString(), 'message');
  });

  it('new/<name> taken by another file: a fresh name, the other file never renamed over', async () => {
    const fs = maildir().addFile('/m/new/orig', 'another message');
    assert.deepEqual(await publish(fs, counting(), TMP, '/m/new', 'orig'), {
      kind: 'published',
      name: 'fresh1',
    });
    assert.equal(fs.read('/m/new/orig').toString(), 'another message');
    assert.equal(fs.read('/m/new/fresh1').toString(), 'message');
    assert.deepEqual(fs.list('/m/tmp'), []);
    assert.ok(!fs.log.includes('rename /m/new/orig /m/tmp/orig'), fs.log.join('\n'));
  });

  it('5 names taken by other files: throws with code EEXIST; nothing renamed, tmp/ kept', async () => {
    const fs = maildir();
    for (const name of ['orig', 'fresh1', 'fresh2', 'fresh3', 'fresh4'])
      fs.addFile(`/m/new/${name}`, 'other');
    await assert.rejects(publish(fs, counting(), TMP, '/m/new', 'orig'), { code: 'EEXIST' });
    assert.deepEqual(fs.list('/m/tmp'), ['orig']);
    assert.ok(!fs.log.some((line) => line.startsWith('rename ')), fs.log.join('\n'));
  });

  it('tmp/<name> gone and not in new/ (lost, or published and taken by a consumer): "vanished", new/ untouched', async () => {
    const fs = new FakeFileSystem().addMaildir('/m');
    assert.deepEqual(await publish(fs, counting(), TMP, '/m/new', 'orig'), { kind: 'vanished' });
    assert.deepEqual(fs.list('/m/new'), []);
  });

  it('tmp/<name> gone and new/<name> holds it (published first under this name): "gone", no second copy', async () => {
    const fs = new FakeFileSystem().addMaildir('/m').addFile('/m/new/orig', 'message');
    assert.deepEqual(await publish(fs, counting(), TMP, '/m/new', 'orig'), { kind: 'gone' });
    assert.deepEqual(fs.list('/m/new'), ['orig']);
  });

  it('rename done but reported ENOENT (a lost NFS reply, retransmitted): "gone", one copy in new/', async () => {
    const fs = maildir().fail('rename', 'ENOENT', { afterEffect: true });
    assert.deepEqual(await publish(fs, counting(), TMP, '/m/new', 'orig'), { kind: 'gone' });
    assert.deepEqual([fs.list('/m/tmp'), fs.list('/m/new')], [[], ['orig']]);
  });

  it('rename ENOENT while tmp/<name> is still there (new/ is missing): thrown, tmp/ kept', async () => {
    const fs = new FakeFileSystem().addDirectory('/m/tmp').addFile(TMP, 'message');
    await assert.rejects(publish(fs, counting(), TMP, '/m/new', 'orig'), { code: 'ENOENT' });
    assert.deepEqual(fs.list('/m/tmp'), ['orig']);
    assert.ok(!fs.exists('/m/new/orig'));
  });

  it('rename ENOENT, then lstat of tmp/<name> failing with EIO: the EIO is thrown, nothing assumed', async () => {
    const fs = maildir().fail('rename', 'ENOENT').fail('lstat', 'EIO', { path: TMP });
    await assert.rejects(publish(fs, counting(), TMP, '/m/new', 'orig'), { code: 'EIO' });
    assert.deepEqual([fs.list('/m/tmp'), fs.list('/m/new')], [['orig'], []]);
  });

  it('lstat of new/<name> failing with EACCES (not ENOENT): thrown, nothing renamed', async () => {
    const fs = maildir().fail('lstat', 'EACCES', { path: '/m/new/orig' });
    await assert.rejects(publish(fs, counting(), TMP, '/m/new', 'orig'), { code: 'EACCES' });
    assert.deepEqual([fs.list('/m/tmp'), fs.list('/m/new')], [['orig'], []]);
    assert.deepEqual(fs.log, ['lstat /m/new/orig']);
  });

  for (const code of ['ENOSPC', 'EACCES', 'EIO', 'EDQUOT', 'EROFS', 'EXDEV', 'EPERM']) {
    it(`rename ${code}: thrown after one attempt, tmp/ kept, new/ empty`, async () => {
      const fs = maildir().fail('rename', code);
      await assert.rejects(publish(fs, counting(), TMP, '/m/new', 'orig'), { code });
      assert.deepEqual([fs.list('/m/tmp'), fs.list('/m/new')], [['orig'], []]);
      assert.deepEqual(fs.log, ['lstat /m/new/orig', 'rename /m/new/orig /m/tmp/orig']);
    });
  }
});
