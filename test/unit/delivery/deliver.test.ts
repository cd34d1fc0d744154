// A whole delivery through the fake file system: one copy per target, and, whatever single
// step fails, either nothing anywhere or a temporary failure that names what was delivered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Settings, Target } from '../../../src/config/types';
import { deliver, type DeliveryDeps } from '../../../src/delivery/deliver';
import type { NameSource } from '../../../src/maildir/name-source';
import { tmpRegistry } from '../../../src/maildir/tmp-registry';
import { FakeFileSystem, type Operation } from '../maildir/fake-file-system';

const MESSAGE = 'From sender@example.org Sat Nov 28 14:00:00 2026\nSubject: x\n\nbody\n';
const BODY = 'Subject: x\n\nbody\n';
const SETTINGS: Settings = { sizeLimit: 1000, timeoutSeconds: 900, hardLinks: true };
const ROOTS = ['/a', '/b', '/c', '/d'];

/** a and b share a file system; c is on another; d wants mode 0640. */
function setup() {
  const fs = new FakeFileSystem()
    .addMaildir('/a', { dev: 1 })
    .addMaildir('/b', { dev: 1 })
    .addMaildir('/c', { dev: 2 })
    .addMaildir('/d', { dev: 1 });
  const targets: Target[] = ROOTS.map((root) => ({
    name: root.slice(1),
    path: root,
    mode: root === '/d' ? 0o640 : 0o600,
    create: false,
  }));
  let n = 0;
  const names: NameSource = { next: () => `n${++n}` };
  const registry = tmpRegistry(fs);
  const deps: DeliveryDeps = {
    fs,
    names,
    registry,
    egid: 100,
    committing: {
      enter: () => void fs.log.push('ENTER commit'),
      leave: () => void fs.log.push('LEAVE commit'),
    },
  };
  return { fs, targets, registry, deps };
}

function input(text: string): { chunks: AsyncIterable<Buffer>; finished: () => boolean } {
  let finished = false;
  return {
    chunks: (async function* () {
      for (let i = 0; i < text.length; i += 7) {
        await Promise.resolve();
        yield Buffer.from(text.slice(i, i + 7), 'latin1');
      }
      finished = true;
    })(),
    finished: () => finished,
  };
}

const filesIn = (fs: FakeFileSystem, sub: 'tmp' | 'new'): string[][] =>
  ROOTS.map((root) => fs.list(`${root}/${sub}`));

describe('deliver', () => {
  it('one byte-exact copy in every new/, nothing left in tmp/, registry empty', async () => {
    const { fs, targets, registry, deps } = setup();
    const result = await deliver(targets, SETTINGS, input(MESSAGE).chunks, deps);
    assert.deepEqual(result.outcome, { kind: 'ok' });
    assert.equal(result.bytes, BODY.length);
    assert.deepEqual(
      result.delivered.map((d) => d.target),
      ['a', 'b', 'c', 'd'],
    );
    for (const [index, files] of filesIn(fs, 'new').entries()) {
      assert.equal(files.length, 1);
      assert.equal(fs.read(`${ROOTS[index]!}/new/${files[0]!}`).toString('latin1'), BODY);
    }
    assert.deepEqual(filesIn(fs, 'tmp'), [[], [], [], []]);
    assert.equal(registry.size, 0);
  });

  it('a and b share one inode; c (other file system) and d (other mode) have their own', async () => {
    const { fs, targets, deps } = setup();
    const result = await deliver(targets, SETTINGS, input(MESSAGE).chunks, deps);
    const [a, b, c, d] = result.delivered.map((copy) => fs.inodeOf(copy.path));
    assert.equal(a, b);
    assert.notEqual(a, c);
    assert.notEqual(a, d);
    assert.equal(fs.modeOf(result.delivered[3]!.path), 0o640);
  });

  it('hardLinks false: four separate files', async () => {
    const { fs, targets, deps } = setup();
    const result = await deliver(targets, { ...SETTINGS, hardLinks: false }, input(MESSAGE).chunks, deps);
    assert.equal(new Set(result.delivered.map((copy) => fs.inodeOf(copy.path))).size, 4);
  });

  it('publishes only after every copy is synced, inside the commit bracket, and syncs every new/', async () => {
    const { fs, targets, deps } = setup();
    await deliver(targets, SETTINGS, input(MESSAGE).chunks, deps);
    const enter = fs.log.indexOf('ENTER commit');
    const leave = fs.log.indexOf('LEAVE commit');
    const lastSync = fs.log.reduce((last, line, index) => (line.startsWith('sync ') ? index : last), -1);
    const firstPublish = fs.log.findIndex((line) => /^(link|rename) \/.\/new\//.test(line));
    assert.ok(lastSync < enter && enter < firstPublish, fs.log.join('\n'));
    for (const root of ROOTS) {
      const synced = fs.log.indexOf(`syncDirectory ${root}/new`);
      assert.ok(synced > firstPublish && synced < leave, `${root}/new not synced in the commit`);
    }
  });

  it('a missing maildir: 4.2.1 before anything is read or written', async () => {
    const { fs, targets, deps } = setup();
    const missing = [...targets, { name: 'e', path: '/e', mode: 0o600, create: false }];
    const message = input(MESSAGE);
    const result = await deliver(missing, SETTINGS, message.chunks, deps);
    assert.equal(result.outcome.kind, 'temporary');
    assert.equal(result.outcome.status, '4.2.1');
    assert.ok(!message.finished());
    assert.deepEqual(
      fs.log.filter((line) => !/^(stat|canWriteDirectory) /.test(line)),
      [],
    );
  });

  it('two names for one maildir (a symlink): 4.3.5, nothing written', async () => {
    const { fs, targets, deps } = setup();
    fs.addAlias('/srv/link-to-a', '/a');
    const twice = [...targets, { name: 'again', path: '/srv/link-to-a', mode: 0o600, create: false }];
    const result = await deliver(twice, SETTINGS, input(MESSAGE).chunks, deps);
    assert.equal(result.outcome.kind, 'temporary');
    assert.equal(result.outcome.status, '4.3.5');
    assert.match(result.outcome.text, /^target again: \/srv\/link-to-a is the same maildir as .*\ba\b/);
    assert.deepEqual(filesIn(fs, 'tmp'), [[], [], [], []]);
  });

  it('over the size limit: permanent 5.2.3, input read to the end, nothing left anywhere', async () => {
    const { fs, targets, registry, deps } = setup();
    const message = input(MESSAGE);
    const result = await deliver(targets, { ...SETTINGS, sizeLimit: BODY.length - 1 }, message.chunks, deps);
    assert.equal(result.outcome.kind, 'permanent');
    assert.equal(result.outcome.status, '5.2.3');
    assert.ok(message.finished());
    assert.deepEqual(
      [filesIn(fs, 'tmp'), filesIn(fs, 'new')],
      [
        [[], [], [], []],
        [[], [], [], []],
      ],
    );
    assert.equal(registry.size, 0);
  });

  it('exactly at the size limit: delivered', async () => {
    const { targets, deps } = setup();
    const result = await deliver(
      targets,
      { ...SETTINGS, sizeLimit: BODY.length },
      input(MESSAGE).chunks,
      deps,
    );
    assert.deepEqual(result.outcome, { kind: 'ok' });
  });

  // Every call of a successful delivery, failed in turn (DESIGN.md guarantees 2 and 6).
  describe('any single failing step', () => {
    const baseline = setup();
    const calls: { op: Operation; path: string; index: number }[] = [];
    const done = deliver(baseline.targets, SETTINGS, input(MESSAGE).chunks, baseline.deps).then(() => {
      const seen = new Set<string>();
      for (const [index, line] of baseline.fs.log.entries()) {
        const [op, path] = line.split(' ');
        if (op === undefined || path === undefined || op === 'ENTER' || op === 'LEAVE') continue;
        if (seen.has(`${op} ${path}`)) continue;
        seen.add(`${op} ${path}`);
        calls.push({ op: op as Operation, path, index });
      }
      return baseline.fs.log.findIndex((line) => /^link \/.\/new\//.test(line));
    });

    for (const code of ['EIO', 'ENOSPC']) {
      it(`${code} anywhere: temporary; no tmp file left; nothing in new/ unless publishing had begun`, async () => {
        const firstPublish = await done;
        assert.ok(calls.length > 30, `only ${calls.length} calls`);
        for (const call of calls) {
          const where = `${code} on ${call.op} ${call.path}`;
          const { fs, targets, registry, deps } = setup();
          fs.fail(call.op, code, { path: call.path });
          const message = input(MESSAGE);
          const result = await deliver(targets, SETTINGS, message.chunks, deps);
          if (call.op === 'unlink') {
            // The tmp name of a published file: the message is delivered; readers clean tmp/.
            assert.deepEqual(result.outcome, { kind: 'ok' }, where);
            continue;
          }
          assert.equal(result.outcome.kind, 'temporary', where);
          assert.match(result.outcome.status, /^4\./, where);
          assert.deepEqual(filesIn(fs, 'tmp'), [[], [], [], []], `${where}: tmp files left`);
          assert.equal(registry.size, 0, where);
          if (call.index < firstPublish) {
            assert.deepEqual(filesIn(fs, 'new'), [[], [], [], []], `${where}: delivered before publishing`);
            assert.deepEqual(result.delivered, [], where);
          } else {
            const names = result.delivered.map((d) => d.target).join(', ');
            const text = result.outcome.text;
            if (names !== '')
              assert.ok(text.endsWith(`; already delivered to: ${names}`), `${where}: ${text}`);
            for (const [index, files] of filesIn(fs, 'new').entries()) {
              const has = result.delivered.some((d) => d.target === ROOTS[index]!.slice(1));
              assert.equal(files.length, has ? 1 : 0, `${where}: ${ROOTS[index]!}/new`);
            }
          }
        }
      });
    }
  });
});
