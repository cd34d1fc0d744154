// The real FileSystem, on a scratch folder: exclusive creation that never follows a symlink,
// complete writes, exact modes, directory fsync.
import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { nodeFileSystem as fs } from '../../../src/maildir/file-system';

describe('nodeFileSystem', () => {
  const root = mkdtempSync(join(tmpdir(), 'mf-fs-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const fresh = (): string => join(root, `f${++n}`);

  it('createExclusive: writes all the bytes, sets the mode, syncs and closes', async () => {
    const path = fresh();
    const file = await fs.createExclusive(path, 0o600);
    const data = Buffer.alloc(3 * 1024 * 1024 + 7, 0xab);
    await file.writeAll(data);
    await file.writeAll(Buffer.from('tail'));
    await file.chmod(0o640);
    await file.sync();
    await file.close();
    assert.deepEqual(readFileSync(path), Buffer.concat([data, Buffer.from('tail')]));
    assert.equal(statSync(path).mode & 0o7777, 0o640);
  });

  it('createExclusive: an existing name is EEXIST and the file is untouched', async () => {
    const path = fresh();
    writeFileSync(path, 'theirs');
    await assert.rejects(fs.createExclusive(path, 0o600), { code: 'EEXIST' });
    assert.equal(readFileSync(path, 'utf8'), 'theirs');
  });

  it('createExclusive: never follows a symlink, dangling or not', async () => {
    const target = fresh();
    const dangling = fresh();
    symlinkSync(target, dangling);
    await assert.rejects(fs.createExclusive(dangling, 0o600), { code: 'EEXIST' });
    assert.ok(!existsSync(target), 'created the symlink target');

    const existing = fresh();
    writeFileSync(existing, 'victim');
    const link = fresh();
    symlinkSync(existing, link);
    await assert.rejects(fs.createExclusive(link, 0o600), { code: 'EEXIST' });
    assert.equal(readFileSync(existing, 'utf8'), 'victim');
  });

  it('openForReading: reads at a position; 0 at the end', async () => {
    const path = fresh();
    writeFileSync(path, 'hello world');
    const file = await fs.openForReading(path);
    const buffer = Buffer.alloc(5);
    assert.equal(await file.read(buffer, 6), 5);
    assert.equal(buffer.toString(), 'world');
    assert.equal(await file.read(buffer, 11), 0);
    await file.close();
  });

  it('openForReading: refuses a symlink (ELOOP)', async () => {
    const path = fresh();
    writeFileSync(path, 'x');
    const link = fresh();
    symlinkSync(path, link);
    await assert.rejects(fs.openForReading(link), { code: 'ELOOP' });
  });

  it('link: a second name for the same inode; EEXIST if the name is taken', async () => {
    const a = fresh();
    const b = fresh();
    writeFileSync(a, 'x');
    await fs.link(a, b);
    assert.equal(statSync(a).ino, statSync(b).ino);
    await assert.rejects(fs.link(a, b), { code: 'EEXIST' });
  });

  it('rename, unlink, unlinkNow', async () => {
    const a = fresh();
    const b = fresh();
    writeFileSync(a, 'x');
    await fs.rename(a, b);
    assert.ok(!existsSync(a) && existsSync(b));
    await fs.unlink(b);
    assert.ok(!existsSync(b));
    await assert.rejects(fs.unlink(b), { code: 'ENOENT' });
    const c = fresh();
    writeFileSync(c, 'x');
    fs.unlinkNow(c);
    assert.ok(!existsSync(c));
    assert.throws(() => fs.unlinkNow(c), { code: 'ENOENT' });
  });

  it('stat follows symlinks, lstat does not', async () => {
    const dir = fresh();
    mkdirSync(dir);
    const link = fresh();
    symlinkSync(dir, link);
    assert.ok((await fs.stat(link)).isDirectory());
    assert.ok((await fs.lstat(link)).isSymbolicLink());
    await assert.rejects(fs.stat(fresh()), { code: 'ENOENT' });
  });

  it('canWriteDirectory: ok for a writable folder, ENOENT for a missing one', async () => {
    await fs.canWriteDirectory(root);
    await assert.rejects(fs.canWriteDirectory(fresh()), { code: 'ENOENT' });
  });

  it('mkdir: creates parents, each with the mode; an existing folder is fine', async () => {
    const top = fresh();
    const deep = join(top, 'x', 'Maildir');
    await fs.mkdir(deep, 0o700);
    assert.equal(lstatSync(deep).mode & 0o777, 0o700);
    assert.equal(lstatSync(join(top, 'x')).mode & 0o777, 0o700);
    await fs.mkdir(deep, 0o700);
  });

  it('syncDirectory: ok for a folder; ENOTDIR for a file, ENOENT for nothing', async () => {
    await fs.syncDirectory(root);
    const file = fresh();
    writeFileSync(file, 'x');
    await assert.rejects(fs.syncDirectory(file), { code: 'ENOTDIR' });
    await assert.rejects(fs.syncDirectory(fresh()), { code: 'ENOENT' });
  });
});
