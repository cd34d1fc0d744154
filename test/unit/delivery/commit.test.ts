// Phase 2: publish every staged copy in target order, then fsync every new/.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Target } from '../../../src/config/types';
import { commitCopies, type DeliveredCopy } from '../../../src/delivery/commit';
import type { StagedCopy } from '../../../src/delivery/stage';
import { maildirLayout } from '../../../src/maildir/layout';
import type { NameSource } from '../../../src/maildir/name-source';
import { tmpRegistry } from '../../../src/maildir/tmp-registry';
import { FailureError } from '../../../src/outcome/outcome';
import { FakeFileSystem } from '../maildir/fake-file-system';

const names = (): NameSource => {
  let n = 0;
  return { next: () => `fresh${++n}` };
};

function setup(roots: string[]) {
  const fs = new FakeFileSystem();
  const registry = tmpRegistry(fs);
  const copies: StagedCopy[] = roots.map((root, i) => {
    fs.addMaildir(root).addFile(`${root}/tmp/n${i}`, 'message');
    registry.add(`${root}/tmp/n${i}`);
    const target: Target = { name: root.slice(1), path: root, mode: 0o600, create: false };
    return { target, layout: maildirLayout(root), name: `n${i}`, tmpPath: `${root}/tmp/n${i}` };
  });
  fs.log.length = 0;
  return { fs, registry, copies, deps: { fs, names: names(), registry } };
}

describe('commitCopies', () => {
  it('publishes in target order, then syncs every new/; the registry forgets them', async () => {
    const { fs, registry, copies, deps } = setup(['/a', '/b']);
    const published: DeliveredCopy[] = [];
    await commitCopies(copies, deps, published);
    assert.deepEqual(published, [
      { target: 'a', path: '/a/new/n0' },
      { target: 'b', path: '/b/new/n1' },
    ]);
    assert.deepEqual(fs.log, [
      'lstat /a/new/n0',
      'rename /a/new/n0 /a/tmp/n0',
      'lstat /b/new/n1',
      'rename /b/new/n1 /b/tmp/n1',
      'syncDirectory /a/new',
      'syncDirectory /b/new',
    ]);
    assert.equal(registry.size, 0);
  });

  it('reports the fresh name after a collision in new/', async () => {
    const { fs, copies, deps } = setup(['/a']);
    fs.addFile('/a/new/n0', 'another message');
    const published: DeliveredCopy[] = [];
    await commitCopies(copies, deps, published);
    assert.deepEqual(published, [{ target: 'a', path: '/a/new/fresh1' }]);
  });

  it('a tmp file already gone (a recovering run published it): counted as delivered, under its name', async () => {
    const { fs, registry, copies, deps } = setup(['/a', '/b']);
    fs.unlinkNow('/a/tmp/n0');
    fs.addFile('/a/new/n0', 'message');
    const published: DeliveredCopy[] = [];
    await commitCopies(copies, deps, published);
    assert.deepEqual(published, [
      { target: 'a', path: '/a/new/n0' },
      { target: 'b', path: '/b/new/n1' },
    ]);
    assert.deepEqual([fs.list('/a/new'), fs.list('/b/new')], [['n0'], ['n1']]);
    assert.ok(fs.log.includes('syncDirectory /a/new'), 'the new/ of a gone copy is still synced');
    assert.equal(registry.size, 0);
  });

  it('a failing publish: throws a Failure naming the target; `published` holds the earlier ones', async () => {
    const { fs, registry, copies, deps } = setup(['/a', '/b', '/c']);
    fs.fail('rename', 'ENOSPC', { path: '/b/new/n1' });
    const published: DeliveredCopy[] = [];
    const error = await commitCopies(copies, deps, published).catch((e: unknown) => e);
    assert.ok(error instanceof FailureError);
    assert.equal(error.failure.status, '4.3.1');
    assert.match(error.failure.text, /^target b: moving \/b\/tmp\/n1 into \/b\/new: /);
    assert.deepEqual(published, [{ target: 'a', path: '/a/new/n0' }]);
    assert.equal(registry.size, 2, 'the unpublished tmp files must stay registered for cleanup');
    assert.deepEqual(fs.list('/c/new'), []);
  });

  it('a failing fsync of new/: a Failure naming the target, after every copy was published', async () => {
    const { fs, copies, deps } = setup(['/a', '/b']);
    fs.fail('syncDirectory', 'EIO', { path: '/a/new' });
    const published: DeliveredCopy[] = [];
    await assert.rejects(
      commitCopies(copies, deps, published),
      (e: unknown) => e instanceof FailureError && e.failure.text.startsWith('target a: syncing /a/new: '),
    );
    assert.equal(published.length, 2);
    assert.ok(fs.log.includes('syncDirectory /b/new'), 'the other new/ must still be synced');
  });
});
