// The cheap checks before a message is read, and the facts that decide hard links.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maildirLayout } from '../../../src/maildir/layout';
import { precheckMaildir, type PrecheckResult } from '../../../src/maildir/precheck';
import { temporary } from '../../../src/outcome/outcome';
import { FakeFileSystem } from './fake-file-system';

const EGID = 500;
const layout = maildirLayout('/srv/m');
const check = (fs: FakeFileSystem, create = false): Promise<PrecheckResult> =>
  precheckMaildir(fs, layout, { create, egid: EGID, label: 'target bb' });
const failure = (status: `4.${number}.${number}`, text: string): PrecheckResult => ({
  ok: false,
  failure: temporary(status, text),
});

describe('precheckMaildir', () => {
  it('a good maildir: its facts, file group = our egid', async () => {
    const fs = new FakeFileSystem().addMaildir('/srv/m', { dev: 7, gid: 100 });
    const result = await check(fs);
    assert.ok(result.ok);
    assert.equal(result.facts.rootDev, 7);
    assert.equal(result.facts.tmpDev, 7);
    assert.equal(result.facts.fileGroup, EGID);
    assert.equal(typeof result.facts.rootIno, 'number');
  });

  it('set-group-ID tmp/: file group = the directory group', async () => {
    const fs = new FakeFileSystem().addMaildir('/srv/m', { tmp: { mode: 0o2770, gid: 321 } });
    const result = await check(fs);
    assert.ok(result.ok);
    assert.equal(result.facts.fileGroup, 321);
  });

  it('tmp/ with another group but not set-group-ID: file group = our egid', async () => {
    const fs = new FakeFileSystem().addMaildir('/srv/m', { tmp: { mode: 0o770, gid: 321 } });
    const result = await check(fs);
    assert.ok(result.ok);
    assert.equal(result.facts.fileGroup, EGID);
  });

  it('writes nothing and creates nothing', async () => {
    const fs = new FakeFileSystem().addMaildir('/srv/m');
    await check(fs);
    assert.deepEqual(
      fs.log.filter((line) => !/^(stat|lstat|canWriteDirectory) /.test(line)),
      [],
    );
  });

  // prettier-ignore
  const table: [string, (fs: FakeFileSystem) => void, PrecheckResult][] = [
    ['missing root', () => undefined, failure('4.2.1', 'target bb: maildir /srv/m does not exist')],
    ['root is a file', (fs) => fs.addDirectory('/srv').addFile('/srv/m', 'x'), failure('4.2.1', 'target bb: /srv/m is not a directory')],
    ['missing cur/', (fs) => fs.addDirectory('/srv/m').addDirectory('/srv/m/tmp').addDirectory('/srv/m/new'), failure('4.2.1', 'target bb: not a maildir: /srv/m/cur is missing or not a directory')],
    ['missing tmp/', (fs) => fs.addDirectory('/srv/m').addDirectory('/srv/m/new').addDirectory('/srv/m/cur'), failure('4.2.1', 'target bb: not a maildir: /srv/m/tmp is missing or not a directory')],
    ['new/ is a file', (fs) => fs.addDirectory('/srv/m').addDirectory('/srv/m/tmp').addDirectory('/srv/m/cur').addFile('/srv/m/new', ''), failure('4.2.1', 'target bb: not a maildir: /srv/m/new is missing or not a directory')],
    ['tmp/ and new/ on different devices', (fs) => fs.addMaildir('/srv/m', { tmp: { dev: 2 } }), failure('4.3.5', 'target bb: /srv/m/tmp and /srv/m/new are on different file systems')],
    ['tmp/ not writable', (fs) => fs.addMaildir('/srv/m').fail('canWriteDirectory', 'EACCES', { path: '/srv/m/tmp' }), failure('4.2.0', 'target bb: cannot create files in /srv/m/tmp: permission denied (EACCES)')],
    ['new/ on a read-only file system', (fs) => fs.addMaildir('/srv/m').fail('canWriteDirectory', 'EROFS', { path: '/srv/m/new' }), failure('4.3.0', 'target bb: cannot create files in /srv/m/new: read-only file system (EROFS)')],
    ['root not searchable (stat EACCES)', (fs) => fs.addMaildir('/srv/m').fail('stat', 'EACCES', { path: '/srv/m' }), failure('4.2.0', 'target bb: checking maildir /srv/m: permission denied (EACCES)')],
    ['stat of a subdirectory failing with EIO', (fs) => fs.addMaildir('/srv/m').fail('stat', 'EIO', { path: '/srv/m/new' }), failure('4.3.0', 'target bb: checking maildir /srv/m: input/output error (EIO)')],
    ['a path component is a file (ENOTDIR): missing', (fs) => fs.addFile('/srv', 'x'), failure('4.2.1', 'target bb: maildir /srv/m does not exist')],
  ];
  for (const [title, arrange, expected] of table) {
    it(`${title} → ${expected.ok ? 'ok' : expected.failure.status}`, async () => {
      const fs = new FakeFileSystem();
      arrange(fs);
      assert.deepEqual(await check(fs), expected);
    });
  }

  it('a missing cur/ fails even when create is false and the rest is fine, naming cur/', async () => {
    const fs = new FakeFileSystem().addDirectory('/srv/m/tmp').addDirectory('/srv/m/new');
    const result = await check(fs);
    assert.ok(!result.ok);
    assert.match(result.failure.text, /\/srv\/m\/cur/);
  });
});

describe('precheckMaildir with create', () => {
  it('creates a missing maildir (mode 0700), syncs it and its parent', async () => {
    const fs = new FakeFileSystem().addDirectory('/srv');
    const result = await check(fs, true);
    assert.ok(result.ok);
    assert.deepEqual(
      fs.log.filter((line) => /^(mkdir|syncDirectory) /.test(line)),
      [
        'mkdir /srv/m 0700',
        'mkdir /srv/m/tmp 0700',
        'mkdir /srv/m/new 0700',
        'mkdir /srv/m/cur 0700',
        'syncDirectory /srv/m',
        'syncDirectory /srv',
      ],
    );
  });

  it('creates missing parents too (mkdir -p)', async () => {
    const fs = new FakeFileSystem().addDirectory('/');
    assert.ok((await check(fs, true)).ok);
    assert.ok(fs.exists('/srv/m/cur'));
  });

  it('completes a partial maildir: only the missing cur/', async () => {
    const fs = new FakeFileSystem().addDirectory('/srv/m/tmp').addDirectory('/srv/m/new');
    assert.ok((await check(fs, true)).ok);
    assert.deepEqual(
      fs.log.filter((line) => line.startsWith('mkdir ')),
      ['mkdir /srv/m/cur 0700'],
    );
  });

  it('an existing maildir: nothing created, nothing synced', async () => {
    const fs = new FakeFileSystem().addMaildir('/srv/m');
    assert.ok((await check(fs, true)).ok);
    assert.deepEqual(
      fs.log.filter((line) => /^(mkdir|syncDirectory) /.test(line)),
      [],
    );
  });

  it('mkdir failing: a temporary failure with its errno status', async () => {
    const fs = new FakeFileSystem().addDirectory('/srv').fail('mkdir', 'ENOSPC');
    assert.deepEqual(
      await check(fs, true),
      failure('4.3.1', 'target bb: checking maildir /srv/m: no space left on device (ENOSPC)'),
    );
  });

  it('mkdir refused: 4.2.0', async () => {
    const fs = new FakeFileSystem().addDirectory('/srv').fail('mkdir', 'EACCES');
    const result = await check(fs, true);
    assert.ok(!result.ok);
    assert.equal(result.failure.status, '4.2.0');
  });

  it('syncing the new maildir failing: a temporary failure', async () => {
    const fs = new FakeFileSystem().addDirectory('/srv').fail('syncDirectory', 'EIO');
    const result = await check(fs, true);
    assert.ok(!result.ok);
    assert.equal(result.failure.status, '4.3.0');
  });
});
