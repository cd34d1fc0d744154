// The registry of this run's unpublished tmp files, which every exit path removes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tmpRegistry } from '../../../src/maildir/tmp-registry';
import { FakeFileSystem } from './fake-file-system';

function withFiles(...names: string[]): FakeFileSystem {
  const fs = new FakeFileSystem().addMaildir('/m');
  for (const name of names) fs.addFile(`/m/tmp/${name}`, name);
  return fs;
}

describe('tmpRegistry', () => {
  it('counts added paths; forget() drops one; adding twice counts once', () => {
    const registry = tmpRegistry(new FakeFileSystem());
    registry.add('/m/tmp/a');
    registry.add('/m/tmp/b');
    registry.add('/m/tmp/a');
    assert.equal(registry.size, 2);
    registry.forget('/m/tmp/a');
    registry.forget('/m/tmp/never-added');
    assert.equal(registry.size, 1);
  });

  for (const [method, unlink] of [
    ['removeAll', 'unlink'],
    ['removeAllNow', 'unlinkNow'],
  ] as const) {
    const run = async (registry: ReturnType<typeof tmpRegistry>): Promise<unknown[]> =>
      method === 'removeAll' ? registry.removeAll() : registry.removeAllNow();

    it(`${method}: unlinks every registered file and empties the registry`, async () => {
      const fs = withFiles('a', 'b', 'keep');
      const registry = tmpRegistry(fs);
      registry.add('/m/tmp/a');
      registry.add('/m/tmp/b');
      assert.deepEqual(await run(registry), []);
      assert.deepEqual(fs.list('/m/tmp'), ['keep']);
      assert.equal(registry.size, 0);
      assert.deepEqual(fs.log, [`${unlink} /m/tmp/a`, `${unlink} /m/tmp/b`]);
    });

    it(`${method}: a forgotten (published) file is not touched`, async () => {
      const fs = withFiles('a');
      const registry = tmpRegistry(fs);
      registry.add('/m/tmp/a');
      registry.forget('/m/tmp/a');
      await run(registry);
      assert.deepEqual(fs.list('/m/tmp'), ['a']);
    });

    it(`${method}: ignores ENOENT (already gone, or open() never created it)`, async () => {
      const fs = withFiles('b');
      const registry = tmpRegistry(fs);
      registry.add('/m/tmp/missing');
      registry.add('/m/tmp/b');
      assert.deepEqual(await run(registry), []);
      assert.deepEqual(fs.list('/m/tmp'), []);
    });

    it(`${method}: returns other errors, goes on with the other files, never throws`, async () => {
      const fs = withFiles('a', 'b', 'c')
        .fail(unlink, 'EACCES', { path: '/m/tmp/a' })
        .fail(unlink, 'EIO', { path: '/m/tmp/c' });
      const registry = tmpRegistry(fs);
      for (const name of ['a', 'b', 'c']) registry.add(`/m/tmp/${name}`);
      const errors = await run(registry);
      assert.deepEqual(
        errors.map((e) => (e as { code: string }).code),
        ['EACCES', 'EIO'],
      );
      assert.deepEqual(fs.list('/m/tmp'), ['a', 'c']);
      assert.equal(registry.size, 0);
    });

    it(`${method}: a second call has nothing left to do`, async () => {
      const fs = withFiles('a');
      const registry = tmpRegistry(fs);
      registry.add('/m/tmp/a');
      await run(registry);
      fs.log.length = 0;
      assert.deepEqual(await run(registry), []);
      assert.deepEqual(fs.log, []);
    });
  }

  it('removeAllNow is synchronous: done before it returns', () => {
    const fs = withFiles('a');
    const registry = tmpRegistry(fs);
    registry.add('/m/tmp/a');
    const errors = registry.removeAllNow();
    assert.ok(Array.isArray(errors));
    assert.deepEqual(fs.list('/m/tmp'), []);
  });
});
