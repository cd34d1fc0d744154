// Steps 2–4 of a maildir delivery: a fresh exclusive file in tmp/, with exactly the target's mode.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NameSource } from '../../../src/maildir/name-source';
import { createTmpFile } from '../../../src/maildir/tmp-file';
import { tmpRegistry, type TmpRegistry } from '../../../src/maildir/tmp-registry';
import { FakeFileSystem } from './fake-file-system';

/** Names n1, n2, … */
function counting(): NameSource {
  let n = 0;
  return { next: () => `n${++n}` };
}

/** A registry that logs into the same list as the file system, to check the order of events. */
function loggingRegistry(log: string[]): TmpRegistry & { paths: Set<string> } {
  const paths = new Set<string>();
  return {
    paths,
    add: (path) => void (log.push(`add ${path}`), paths.add(path)),
    forget: (path) => void (log.push(`forget ${path}`), paths.delete(path)),
    removeAll: () => Promise.resolve([]),
    removeAllNow: () => [],
    get size() {
      return paths.size;
    },
  };
}

describe('createTmpFile', () => {
  it('creates tmp/<fresh name> exclusively and sets exactly the mode', async () => {
    const fs = new FakeFileSystem().addMaildir('/m');
    const registry = loggingRegistry(fs.log);
    const tmp = await createTmpFile(fs, counting(), registry, '/m/tmp', 0o640);
    assert.deepEqual([tmp.name, tmp.path], ['n1', '/m/tmp/n1']);
    assert.deepEqual(fs.log, ['add /m/tmp/n1', 'createExclusive /m/tmp/n1', 'chmod /m/tmp/n1 0640']);
    assert.equal(fs.modeOf('/m/tmp/n1'), 0o640);
    assert.deepEqual([...registry.paths], ['/m/tmp/n1']);
  });

  it('the file it returns writes into the tmp file', async () => {
    const fs = new FakeFileSystem().addMaildir('/m');
    const tmp = await createTmpFile(fs, counting(), tmpRegistry(fs), '/m/tmp', 0o600);
    await tmp.file.writeAll(Buffer.from('hello'));
    assert.equal(fs.read('/m/tmp/n1').toString(), 'hello');
  });

  for (const mode of [0o600, 0o640, 0o644, 0o660, 0o400]) {
    it(`chmod gets the exact mode 0${mode.toString(8)}`, async () => {
      const fs = new FakeFileSystem().addMaildir('/m');
      await createTmpFile(fs, counting(), tmpRegistry(fs), '/m/tmp', mode);
      assert.ok(fs.log.includes(`chmod /m/tmp/n1 0${mode.toString(8)}`), fs.log.join('\n'));
    });
  }

  it('EEXIST on the first attempt: a fresh name, and success', async () => {
    const fs = new FakeFileSystem().addMaildir('/m').fail('createExclusive', 'EEXIST');
    const registry = loggingRegistry(fs.log);
    const tmp = await createTmpFile(fs, counting(), registry, '/m/tmp', 0o600);
    assert.equal(tmp.path, '/m/tmp/n2');
    assert.deepEqual(fs.log, [
      'add /m/tmp/n1',
      'createExclusive /m/tmp/n1',
      'forget /m/tmp/n1',
      'add /m/tmp/n2',
      'createExclusive /m/tmp/n2',
      'chmod /m/tmp/n2 0600',
    ]);
    assert.deepEqual([...registry.paths], ['/m/tmp/n2']);
  });

  it('an existing file of that name (a real collision) is left alone; a fresh name is used', async () => {
    const fs = new FakeFileSystem().addMaildir('/m').addFile('/m/tmp/n1', 'someone else');
    const tmp = await createTmpFile(fs, counting(), tmpRegistry(fs), '/m/tmp', 0o600);
    assert.equal(tmp.path, '/m/tmp/n2');
    assert.equal(fs.read('/m/tmp/n1').toString(), 'someone else');
  });

  it('4 EEXIST in a row: the 5th name works', async () => {
    const fs = new FakeFileSystem().addMaildir('/m').fail('createExclusive', 'EEXIST', { times: 4 });
    assert.equal((await createTmpFile(fs, counting(), tmpRegistry(fs), '/m/tmp', 0o600)).path, '/m/tmp/n5');
  });

  it('5 EEXIST in a row: throws EEXIST, with nothing left registered', async () => {
    const fs = new FakeFileSystem().addMaildir('/m').fail('createExclusive', 'EEXIST', { times: 5 });
    const registry = loggingRegistry(fs.log);
    await assert.rejects(createTmpFile(fs, counting(), registry, '/m/tmp', 0o600), { code: 'EEXIST' });
    assert.equal(fs.log.filter((line) => line.startsWith('createExclusive')).length, 5);
    assert.equal(registry.size, 0);
  });

  it('holds the path in the registry while open() is in flight', async () => {
    const fs = new FakeFileSystem().addMaildir('/m');
    const registry = tmpRegistry(fs);
    let sizeDuringOpen = -1;
    const realCreate = fs.createExclusive.bind(fs);
    fs.createExclusive = (path, mode) => {
      sizeDuringOpen = registry.size;
      return realCreate(path, mode);
    };
    await createTmpFile(fs, counting(), registry, '/m/tmp', 0o600);
    assert.equal(sizeDuringOpen, 1);
  });

  const others = ['ENOSPC', 'EACCES', 'ELOOP', 'ENOENT', 'EDQUOT'];
  for (const code of others) {
    it(`${code}: thrown at once, the path forgotten`, async () => {
      const fs = new FakeFileSystem().addMaildir('/m').fail('createExclusive', code);
      const registry = loggingRegistry(fs.log);
      await assert.rejects(createTmpFile(fs, counting(), registry, '/m/tmp', 0o600), { code });
      assert.deepEqual(fs.log, ['add /m/tmp/n1', 'createExclusive /m/tmp/n1', 'forget /m/tmp/n1']);
    });
  }

  it('chmod failing: thrown, and the created file stays registered for cleanup', async () => {
    const fs = new FakeFileSystem().addMaildir('/m').fail('chmod', 'EPERM');
    const registry = loggingRegistry(fs.log);
    await assert.rejects(createTmpFile(fs, counting(), registry, '/m/tmp', 0o640), { code: 'EPERM' });
    assert.deepEqual([...registry.paths], ['/m/tmp/n1']);
  });
});
