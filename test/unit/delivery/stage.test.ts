// Phase 1: every target gets a complete, synced copy in its tmp/: written from the message, or a
// hard link to a writer's file, or a copy of it where links are refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Target } from '../../../src/config/types';
import type { CopyMethod } from '../../../src/delivery/plan';
import { stageCopies } from '../../../src/delivery/stage';
import { maildirLayout } from '../../../src/maildir/layout';
import type { NameSource } from '../../../src/maildir/name-source';
import { tmpRegistry } from '../../../src/maildir/tmp-registry';
import { FailureError } from '../../../src/outcome/outcome';
import { FakeFileSystem } from '../maildir/fake-file-system';

const W: CopyMethod = { kind: 'write' };
const L = (from: number): CopyMethod => ({ kind: 'link', from });

async function* chunks(...parts: string[]): AsyncIterable<Buffer> {
  for (const part of parts) {
    await Promise.resolve();
    yield Buffer.from(part, 'latin1');
  }
}

function setup(specs: { root: string; mode?: number }[]) {
  const fs = new FakeFileSystem();
  let n = 0;
  const names: NameSource = { next: () => `n${++n}` };
  const registry = tmpRegistry(fs);
  const targets: Target[] = specs.map(({ root, mode }) => {
    fs.addMaildir(root);
    return { name: root.slice(1), path: root, mode: mode ?? 0o600, create: false };
  });
  const layouts = targets.map((t) => maildirLayout(t.path));
  return { fs, registry, targets, layouts, deps: { fs, names, registry } };
}

const MESSAGE = ['From x Sat Nov 28\n', 'Subject: s\r\n', '\r\nbody\0\xff\n'];
const BODY = 'Subject: s\r\n\r\nbody\0\xff\n';

describe('stageCopies', () => {
  it('writes the message into each writer, links the others, all synced and closed', async () => {
    const { fs, registry, targets, layouts, deps } = setup([{ root: '/a' }, { root: '/b' }, { root: '/c' }]);
    const { copies, message } = await stageCopies(
      targets,
      layouts,
      [W, L(0), W],
      chunks(...MESSAGE),
      1000,
      deps,
    );
    assert.deepEqual(message, { bytes: BODY.length, fromLine: 'From x Sat Nov 28' });
    assert.deepEqual(
      copies.map((c) => [c.target.name, c.name, c.tmpPath]),
      [
        ['a', 'n1', '/a/tmp/n1'],
        ['b', 'n3', '/b/tmp/n3'],
        ['c', 'n2', '/c/tmp/n2'],
      ],
    );
    for (const copy of copies) assert.equal(fs.read(copy.tmpPath).toString('latin1'), BODY);
    assert.equal(fs.inodeOf('/b/tmp/n3'), fs.inodeOf('/a/tmp/n1'));
    assert.notEqual(fs.inodeOf('/c/tmp/n2'), fs.inodeOf('/a/tmp/n1'));
    for (const path of ['/a/tmp/n1', '/c/tmp/n2']) {
      const sync = fs.log.indexOf(`sync ${path}`);
      const close = fs.log.indexOf(`close ${path}`);
      assert.ok(sync !== -1 && close > sync, `${path}: not synced, then closed`);
    }
    assert.ok(
      fs.log.indexOf('link /b/tmp/n3 /a/tmp/n1') > fs.log.indexOf('close /a/tmp/n1'),
      'linked before the file was synced',
    );
    assert.equal(registry.size, 3);
    assert.deepEqual([fs.list('/a/new'), fs.list('/b/new'), fs.list('/c/new')], [[], [], []]);
  });

  it('sets each writer file to its target mode', async () => {
    const { fs, targets, layouts, deps } = setup([{ root: '/a', mode: 0o640 }, { root: '/b' }]);
    await stageCopies(targets, layouts, [W, W], chunks('x'), 1000, deps);
    assert.deepEqual([fs.modeOf('/a/tmp/n1'), fs.modeOf('/b/tmp/n2')], [0o640, 0o600]);
  });

  for (const code of ['EXDEV', 'EPERM', 'ENOTSUP', 'EMLINK']) {
    it(`link ${code}: a synced copy with the target's mode instead`, async () => {
      const { fs, targets, layouts, deps } = setup([{ root: '/a' }, { root: '/b' }]);
      fs.fail('link', code);
      const { copies } = await stageCopies(targets, layouts, [W, L(0)], chunks(...MESSAGE), 1000, deps);
      const copy = copies[1]!;
      assert.equal(fs.read(copy.tmpPath).toString('latin1'), BODY);
      assert.notEqual(fs.inodeOf(copy.tmpPath), fs.inodeOf('/a/tmp/n1'));
      assert.equal(fs.modeOf(copy.tmpPath), 0o600);
      assert.ok(fs.log.includes(`sync ${copy.tmpPath}`));
      assert.deepEqual(fs.list('/b/tmp'), [copy.name], 'the failed link name must not linger');
    });
  }

  it('copies a message larger than one read buffer completely', async () => {
    const { fs, targets, layouts, deps } = setup([{ root: '/a' }, { root: '/b' }]);
    fs.fail('link', 'EXDEV');
    const big = 'y'.repeat(700 * 1024);
    const { copies } = await stageCopies(targets, layouts, [W, L(0)], chunks(big), 10 ** 7, deps);
    assert.equal(fs.read(copies[1]!.tmpPath).length, big.length);
  });

  it('link EEXIST: another name, still a link', async () => {
    const { fs, targets, layouts, deps } = setup([{ root: '/a' }, { root: '/b' }]);
    fs.fail('link', 'EEXIST');
    const { copies } = await stageCopies(targets, layouts, [W, L(0)], chunks('x'), 1000, deps);
    assert.equal(copies[1]!.tmpPath, '/b/tmp/n3');
    assert.equal(fs.inodeOf('/b/tmp/n3'), fs.inodeOf('/a/tmp/n1'));
  });

  it('link failing otherwise: a Failure naming the target', async () => {
    const { fs, targets, layouts, deps } = setup([{ root: '/a' }, { root: '/b' }]);
    fs.fail('link', 'ENOSPC');
    await assert.rejects(
      stageCopies(targets, layouts, [W, L(0)], chunks('x'), 1000, deps),
      (e: unknown) =>
        e instanceof FailureError &&
        e.failure.status === '4.3.1' &&
        e.failure.text.startsWith('target b: linking '),
    );
  });

  it('a write failing: a Failure naming the target and file; the input read to the end', async () => {
    const { fs, registry, targets, layouts, deps } = setup([{ root: '/a' }, { root: '/b' }]);
    fs.fail('writeAll', 'EDQUOT', { path: '/b/tmp/n2' });
    let finished = false;
    async function* input(): AsyncIterable<string> {
      await Promise.resolve();
      yield 'one\n';
      yield 'two\n';
      finished = true;
    }
    await assert.rejects(
      stageCopies(targets, layouts, [W, W], input(), 1000, deps),
      (e: unknown) =>
        e instanceof FailureError &&
        e.failure.status === '4.2.2' &&
        e.failure.text === 'target b: writing /b/tmp/n2: disk quota exceeded (EDQUOT)',
    );
    assert.ok(finished);
    assert.equal(registry.size, 2, 'both tmp files must stay registered for cleanup');
  });

  it('over the size limit: the permanent 5.2.3 failure', async () => {
    const { targets, layouts, deps } = setup([{ root: '/a' }]);
    await assert.rejects(
      stageCopies(targets, layouts, [W], chunks('12345', '6'), 5, deps),
      (e: unknown) =>
        e instanceof FailureError && e.failure.kind === 'permanent' && e.failure.status === '5.2.3',
    );
  });

  it('fsync failing: a Failure naming the target', async () => {
    const { fs, targets, layouts, deps } = setup([{ root: '/a' }, { root: '/b' }]);
    fs.fail('sync', 'EIO', { path: '/a/tmp/n1' });
    await assert.rejects(
      stageCopies(targets, layouts, [W, W], chunks('x'), 1000, deps),
      (e: unknown) => e instanceof FailureError && e.failure.text.startsWith('target a: syncing /a/tmp/n1: '),
    );
  });

  it('creating a tmp file failing: a Failure naming the target and tmp/', async () => {
    const { fs, targets, layouts, deps } = setup([{ root: '/a' }]);
    fs.fail('createExclusive', 'EACCES');
    await assert.rejects(
      stageCopies(targets, layouts, [W], chunks('x'), 1000, deps),
      (e: unknown) =>
        e instanceof FailureError &&
        e.failure.text === 'target a: creating a file in /a/tmp: permission denied (EACCES)',
    );
  });
});
