// A whole delivery through the fake file system: one copy per target, and, whatever single
// step fails, either nothing anywhere or a temporary failure that names what was delivered.
// Journal off here (journal: undefined); "deliver with the journal" below opens a real journal
// in a temporary folder, beside the fake maildirs, for exactly-once across retries.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Settings, Target } from '../../../src/config/types';
import { deliver, NO_TRACE, type DeliveryDeps } from '../../../src/delivery/deliver';
import { openJournal, type Journal } from '../../../src/journal/journal';
import type { NameSource } from '../../../src/maildir/name-source';
import { tmpRegistry, type TmpRegistry } from '../../../src/maildir/tmp-registry';
import type { TraceHeaders } from '../../../src/mta/trace-headers';
import { ok, permanent, temporary, type Outcome } from '../../../src/outcome/outcome';
import { compileRule } from '../../../src/route/compile';
import { FakeFileSystem, type Operation } from '../maildir/fake-file-system';
import { DEFAULT_THRESHOLDS } from '../../../src/check/thresholds';

// deliver() takes its journal from deps.journal; settings.journal is the runner's (cli/run.ts).
const JOURNAL = { enabled: true, dir: undefined, keepDays: 8 };

const MESSAGE = 'From sender@example.org Sat Nov 28 14:00:00 2026\nSubject: x\n\nbody\n';
const BODY = 'Subject: x\n\nbody\n';
const SETTINGS: Settings = {
  sizeLimit: 1000,
  timeoutSeconds: 900,
  hardLinks: true,
  journal: JOURNAL,
  traceHeaders: 'auto',
  quiet: false,
  log: undefined,
  unmatched: { kind: 'reject' },
  check: DEFAULT_THRESHOLDS,
};
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
    journal: undefined,
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
  it('journal off: one byte-exact copy in every new/, nothing left in tmp/, registry empty', async () => {
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
    const firstPublish = fs.log.findIndex((line) => /^rename \/.\/new\//.test(line));
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
      return baseline.fs.log.findIndex((line) => /^rename \/.\/new\//.test(line));
    });

    for (const code of ['EIO', 'ENOSPC']) {
      it(`journal off, ${code} anywhere: temporary; no tmp file left; nothing in new/ unless publishing had begun`, async () => {
        const firstPublish = await done;
        assert.ok(calls.length > 30, `only ${calls.length} calls`);
        for (const call of calls) {
          const where = `${code} on ${call.op} ${call.path}`;
          const { fs, targets, registry, deps } = setup();
          fs.fail(call.op, code, { path: call.path });
          const message = input(MESSAGE);
          const result = await deliver(targets, SETTINGS, message.chunks, deps);
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

// Trace headers (src/mta/trace-headers.ts) go in front of every copy; the Delivered-To line they
// add is the loop check (qmail-local's bouncexf(), anchors-mda.md §2.1): already in the header
// block → permanent 5.4.6, nothing delivered.
describe('deliver with trace headers', () => {
  const DT = 'Delivered-To: bb-foo@example.org';
  const TRACE: TraceHeaders = { text: `Return-Path: <s@example.org>\n${DT}\n`, deliveredTo: DT };
  const WITH_ID = 'From s Sat Nov 28 14:00:00 2026\nMessage-ID: <1@example.org>\nSubject: x\n\nbody\n';

  it('NO_TRACE adds nothing and is the default', async () => {
    const { fs, targets, deps } = setup();
    await deliver(targets, SETTINGS, input(MESSAGE).chunks, deps, NO_TRACE);
    const files = filesIn(fs, 'new');
    assert.equal(fs.read(`/a/new/${files[0]![0]!}`).toString('latin1'), BODY);
  });

  it('the trace text is written in front of every copy, after the From_ line is removed', async () => {
    const { fs, targets, deps } = setup();
    const result = await deliver(targets, SETTINGS, input(MESSAGE).chunks, deps, TRACE);
    assert.deepEqual(result.outcome, { kind: 'ok' });
    for (const [index, files] of filesIn(fs, 'new').entries()) {
      assert.equal(fs.read(`${ROOTS[index]!}/new/${files[0]!}`).toString('latin1'), `${TRACE.text}${BODY}`);
    }
  });

  it('size and digest are those of the message without the trace text (the journal key stays the same)', async () => {
    const { targets, deps } = setup();
    const result = await deliver(targets, SETTINGS, input(MESSAGE).chunks, deps, TRACE);
    assert.equal(result.bytes, BODY.length);
    assert.equal(result.digest, createHash('sha256').update(BODY).digest('hex'));
  });

  it('the Message-ID of the message is in the result', async () => {
    const { targets, deps } = setup();
    const result = await deliver(targets, SETTINGS, input(WITH_ID).chunks, deps, TRACE);
    assert.equal(result.messageId, '<1@example.org>');
  });

  it('no Message-ID: messageId undefined', async () => {
    const { targets, deps } = setup();
    const result = await deliver(targets, SETTINGS, input(MESSAGE).chunks, deps, TRACE);
    assert.equal(result.messageId, undefined);
  });

  it('a loop (our Delivered-To line already in the header): permanent 5.4.6, nothing in tmp/ or new/, registry empty', async () => {
    const { fs, targets, registry, deps } = setup();
    const looping = `Received: x\n${DT}\nSubject: x\n\nbody\n`;
    const result = await deliver(targets, SETTINGS, input(looping).chunks, deps, TRACE);
    assert.equal(result.outcome.kind, 'permanent');
    assert.equal(result.outcome.status, '5.4.6');
    assert.match(result.outcome.text, /looping/);
    assert.deepEqual(result.delivered, []);
    assert.deepEqual(filesIn(fs, 'new'), [[], [], [], []]);
    assert.deepEqual(filesIn(fs, 'tmp'), [[], [], [], []]);
    assert.equal(registry.size, 0);
  });

  it('a loop with CRLF line ends is a loop too', async () => {
    const { targets, deps } = setup();
    const looping = `Subject: x\r\n${DT}\r\n\r\nbody\r\n`;
    const result = await deliver(targets, SETTINGS, input(looping).chunks, deps, TRACE);
    assert.equal(result.outcome.kind === 'permanent' && result.outcome.status, '5.4.6');
  });

  // prettier-ignore
  const notLoops: [string, string][] = [
    ['the same line in the body only', `Subject: x\n\n${DT}\n`],
    ['another recipient', 'Delivered-To: other@example.org\nSubject: x\n\nbody\n'],
    ['the line with trailing text', `${DT}.com\nSubject: x\n\nbody\n`],
    ['the line in lower case (qmail compares exactly)', `${DT.toLowerCase()}\nSubject: x\n\nbody\n`],
  ];
  for (const [title, text] of notLoops) {
    it(`not a loop: ${title}; delivered`, async () => {
      const { fs, targets, deps } = setup();
      const result = await deliver(targets, SETTINGS, input(text).chunks, deps, TRACE);
      assert.deepEqual(result.outcome, { kind: 'ok' });
      assert.equal(filesIn(fs, 'new').flat().length, 4);
    });
  }

  it('without a Delivered-To line of ours there is no loop check: the line in the header is delivered', async () => {
    const { targets, deps } = setup();
    const text = `${DT}\nSubject: x\n\nbody\n`;
    const trace: TraceHeaders = { text: 'Return-Path: <s@example.org>\n', deliveredTo: undefined };
    const result = await deliver(targets, SETTINGS, input(text).chunks, deps, trace);
    assert.deepEqual(result.outcome, { kind: 'ok' });
  });
});

// DESIGN.md guarantee 3: the retry of the same message completes what is missing and never adds
// a second copy. The journal keeps its records on the real file system (a temporary folder);
// the maildirs stay in the fake, and so does the journal's one FileSystem call, the fsync of
// pending/ (so the fake must know that folder).
describe('deliver with the journal', () => {
  const stateDirs: string[] = [];
  after(() => {
    for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
  });
  const DIGEST = createHash('sha256').update(BODY).digest('hex');

  function setupJournal() {
    const base = setup();
    const stateDir = mkdtempSync(join(tmpdir(), 'mf-deliver-'));
    stateDirs.push(stateDir);
    const names = base.deps.names;
    const journalOf = (): Journal =>
      openJournal({
        stateDir,
        keepDays: 8,
        host: 'test.example',
        pid: 4242,
        now: Date.now,
        fs: base.fs,
        names,
      });
    const journal = journalOf();
    base.fs.addDirectory(journal.layout.pending);
    /** The deps of a new process (a retry by the MTA): a new registry, the same journal folder. */
    const run = (): DeliveryDeps & { registry: TmpRegistry } => ({
      ...base.deps,
      registry: tmpRegistry(base.fs),
      journal: journalOf(),
    });
    /** The journal's files; its folders are made on first use (none before the pre-checks pass). */
    const list = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);
    const records = () => ({
      pending: list(journal.layout.pending),
      done: list(journal.layout.done),
      locks: list(journal.layout.locks),
    });
    const doneMaildirs = (): string[] => {
      const record = JSON.parse(readFileSync(join(journal.layout.done, `${DIGEST}.json`), 'utf8')) as {
        delivered: string[];
        copies: { maildir: string }[];
      };
      return [...record.delivered, ...record.copies.map((c) => c.maildir)].sort();
    };
    return { ...base, stateDir, journal, run, records, doneMaildirs };
  }

  /** Exactly one byte-exact copy in every new/ and nothing in any tmp/. */
  function assertOneCopyEach(fs: FakeFileSystem, where = ''): void {
    for (const root of ROOTS) {
      const files = fs.list(`${root}/new`);
      assert.equal(files.length, 1, `${where}${root}/new: ${files.join(' ')}`);
      assert.equal(fs.read(`${root}/new/${files[0]!}`).toString('latin1'), BODY, `${where}${root}/new`);
    }
    assert.deepEqual(filesIn(fs, 'tmp'), [[], [], [], []], `${where}tmp files left`);
  }

  it('one copy in every new/; the record ends in done/, naming every maildir; lock released', async () => {
    const { fs, targets, run, records, doneMaildirs } = setupJournal();
    const deps = run();
    const result = await deliver(targets, SETTINGS, input(MESSAGE).chunks, deps);
    assert.deepEqual(result.outcome, { kind: 'ok' });
    assert.equal(result.digest, DIGEST);
    assert.deepEqual(result.skipped, []);
    assertOneCopyEach(fs);
    assert.equal(deps.registry.size, 0);
    assert.deepEqual(records(), { pending: [], done: [`${DIGEST}.json`], locks: [] });
    assert.deepEqual(doneMaildirs(), ROOTS);
  });

  it('a looping message (5.4.6) leaves no journal record and no lock', async () => {
    const { targets, run, records } = setupJournal();
    const dt = 'Delivered-To: bb@example.org';
    const looping = `${dt}\nSubject: x\n\nbody\n`;
    const result = await deliver(targets, SETTINGS, input(looping).chunks, run(), {
      text: `${dt}\n`,
      deliveredTo: dt,
    });
    assert.equal(result.outcome.kind === 'permanent' && result.outcome.status, '5.4.6');
    assert.deepEqual(records(), { pending: [], done: [], locks: [] });
  });

  it('the intent is recorded (and pending/ synced) after every copy is synced and before the first publish', async () => {
    const { fs, targets, journal, run } = setupJournal();
    await deliver(targets, SETTINGS, input(MESSAGE).chunks, run());
    const intent = fs.log.indexOf(`syncDirectory ${journal.layout.pending}`);
    const lastSync = fs.log.reduce((last, line, index) => (line.startsWith('sync ') ? index : last), -1);
    const firstPublish = fs.log.findIndex((line) => /^rename \/.\/new\//.test(line));
    assert.ok(lastSync < intent && intent < firstPublish, fs.log.join('\n'));
  });

  it('a retry of the same message, its From_ line stamped anew, adds no copy: every target skipped', async () => {
    const { fs, targets, run } = setupJournal();
    await deliver(targets, SETTINGS, input(MESSAGE).chunks, run());
    const restamped = MESSAGE.replace('14:00:00', '14:05:00');
    const retry = run();
    const result = await deliver(targets, SETTINGS, input(restamped).chunks, retry);
    assert.deepEqual(result.outcome, { kind: 'ok' });
    assert.deepEqual(result.delivered, []);
    assert.deepEqual(result.skipped, ['a', 'b', 'c', 'd']);
    assertOneCopyEach(fs);
    assert.equal(retry.registry.size, 0);
  });

  it('the same message again with two more targets: delivered to those two only', async () => {
    const { fs, targets, run, doneMaildirs } = setupJournal();
    await deliver(targets.slice(0, 2), SETTINGS, input(MESSAGE).chunks, run());
    const result = await deliver(targets, SETTINGS, input(MESSAGE).chunks, run());
    assert.deepEqual(result.outcome, { kind: 'ok' });
    assert.deepEqual(
      result.delivered.map((d) => d.target),
      ['c', 'd'],
    );
    assert.deepEqual(result.skipped, ['a', 'b']);
    assertOneCopyEach(fs);
    assert.deepEqual(doneMaildirs(), ROOTS);
  });

  it('a message differing in one byte is another message: delivered again', async () => {
    const { fs, targets, run } = setupJournal();
    await deliver(targets, SETTINGS, input(MESSAGE).chunks, run());
    const result = await deliver(targets, SETTINGS, input(`${MESSAGE}.`).chunks, run());
    assert.deepEqual(result.outcome, { kind: 'ok' });
    assert.deepEqual(result.skipped, []);
    for (const root of ROOTS) assert.equal(fs.list(`${root}/new`).length, 2, `${root}/new`);
  });

  it('publishing fails at b (rename ENOSPC) after a got it: temporary, "the retry finishes the delivery"; the tmp copies of b, c, d stay for the journal', async () => {
    const { fs, targets, run, records } = setupJournal();
    fs.fail('rename', 'ENOSPC', { path: '/b/new/n4' });
    const deps = run();
    const result = await deliver(targets, SETTINGS, input(MESSAGE).chunks, deps);
    assert.equal(result.outcome.kind, 'temporary');
    assert.equal(result.outcome.status, '4.3.1');
    assert.match(
      result.outcome.text,
      /^target b: moving \/b\/tmp\/n4 into \/b\/new: no space left on device/,
    );
    assert.ok(
      result.outcome.text.endsWith('; already delivered to: a; the retry finishes the delivery'),
      result.outcome.text,
    );
    assert.deepEqual(
      result.delivered.map((d) => d.target),
      ['a'],
    );
    assert.deepEqual(
      ROOTS.map((root) => [fs.list(`${root}/new`).length, fs.list(`${root}/tmp`).length]),
      [
        [1, 0],
        [0, 1],
        [0, 1],
        [0, 1],
      ],
    );
    assert.equal(deps.registry.size, 0, 'the journal owns the tmp copies: no exit path may remove them');
    assert.deepEqual(records(), { pending: [`${DIGEST}.json`], done: [], locks: [] });
  });

  it('the retry after a failure part-way through publishing: exactly one copy in each target, record done', async () => {
    const { fs, targets, run, records, doneMaildirs } = setupJournal();
    fs.fail('rename', 'ENOSPC', { path: '/b/new/n4' });
    await deliver(targets, SETTINGS, input(MESSAGE).chunks, run());
    const retry = run();
    const result = await deliver(targets, SETTINGS, input(MESSAGE).chunks, retry);
    assert.deepEqual(result.outcome, { kind: 'ok' });
    assertOneCopyEach(fs);
    assert.equal(retry.registry.size, 0);
    assert.deepEqual(records(), { pending: [], done: [`${DIGEST}.json`], locks: [] });
    assert.deepEqual(doneMaildirs(), ROOTS);
  });

  // Found while updating these tests: writeIntent() fails after the record write has renamed
  // the record into pending/ (only the fsync of pending/ failed); deliver() then removes every
  // tmp copy, but the record stays. The retry finds it, sees every tmp file gone, takes them for
  // published (recover.ts, publish "gone"), moves it to done/ and skips every target: exit 0 and
  // the message is in no maildir.
  it('regression: fsync of pending/ fails after the intent was written; the retry still delivers one copy to each target', async () => {
    const { fs, targets, journal, run } = setupJournal();
    fs.fail('syncDirectory', 'EIO', { path: journal.layout.pending });
    const first = await deliver(targets, SETTINGS, input(MESSAGE).chunks, run());
    assert.equal(first.outcome.kind, 'temporary');
    assert.deepEqual(filesIn(fs, 'new'), [[], [], [], []], 'nothing may be published');
    const retry = await deliver(targets, SETTINGS, input(MESSAGE).chunks, run());
    assert.deepEqual(retry.outcome, { kind: 'ok' });
    assertOneCopyEach(fs);
  });

  // Found while updating these tests: when every copy of a pending record is already published
  // ("gone"), recovery syncs no new/ (recover.ts only syncs the folders it published into), and
  // the retry reports success although the fsync of b/new failed and was never redone
  // (DESIGN.md guarantee 1: "new/ is fsynced before success is reported").
  it('regression: after the fsync of b/new failed, the retry syncs b/new again before it reports success', async () => {
    const { fs, targets, run } = setupJournal();
    fs.fail('syncDirectory', 'EIO', { path: '/b/new' });
    const first = await deliver(targets, SETTINGS, input(MESSAGE).chunks, run());
    assert.equal(first.outcome.kind, 'temporary');
    fs.log.length = 0;
    const retry = await deliver(targets, SETTINGS, input(MESSAGE).chunks, run());
    assert.deepEqual(retry.outcome, { kind: 'ok' });
    assertOneCopyEach(fs);
    assert.ok(fs.log.includes('syncDirectory /b/new'), `b/new never synced again:\n${fs.log.join('\n')}`);
  });

  // Every FileSystem call of a successful delivery with the journal, failed in turn, then the
  // MTA's retry with no fault (DESIGN.md guarantees 2 and 3).
  describe('any single failing step, then the retry', () => {
    const baseline = setupJournal();
    const calls: { op: Operation; path: string }[] = [];
    const done = deliver(baseline.targets, SETTINGS, input(MESSAGE).chunks, baseline.run()).then(() => {
      const seen = new Set<string>();
      for (const line of baseline.fs.log) {
        const [op, path] = line.split(' ');
        if (op === undefined || path === undefined || op === 'ENTER' || op === 'LEAVE') continue;
        if (seen.has(`${op} ${path}`)) continue;
        seen.add(`${op} ${path}`);
        calls.push({ op: op as Operation, path: path.replace(baseline.stateDir, '<state>') });
      }
    });

    for (const code of ['EIO', 'ENOSPC']) {
      it(`${code} anywhere: temporary, then nothing anywhere or "the retry finishes the delivery"; the retry leaves exactly one copy in each target`, async () => {
        await done;
        assert.ok(calls.length > 30, `only ${calls.length} calls`);
        const wrong: string[] = [];
        for (const call of calls) {
          const { fs, targets, stateDir, run, records } = setupJournal();
          const path = call.path.replace('<state>', stateDir);
          const where = `${code} on ${call.op} ${call.path}`;
          fs.fail(call.op, code, { path });
          const deps = run();
          const result = await deliver(targets, SETTINGS, input(MESSAGE).chunks, deps);
          try {
            assert.equal(result.outcome.kind, 'temporary');
            assert.match(result.outcome.status, /^4\./);
            assert.equal(deps.registry.size, 0);
            assert.deepEqual(records().locks, [], 'lock left behind');
            if (!result.outcome.text.endsWith('; the retry finishes the delivery')) {
              assert.deepEqual(filesIn(fs, 'new'), [[], [], [], []], 'delivered, yet not said so');
              assert.deepEqual(filesIn(fs, 'tmp'), [[], [], [], []], 'tmp files left');
            }
            const retry = await deliver(targets, SETTINGS, input(MESSAGE).chunks, run());
            assert.deepEqual(retry.outcome, { kind: 'ok' }, 'the retry failed');
            assertOneCopyEach(fs, 'after the retry: ');
            assert.deepEqual(records().pending, [], 'after the retry: a pending record');
          } catch (error: unknown) {
            wrong.push(`${where}: ${error instanceof Error ? error.message.split('\n')[0]! : String(error)}`);
          }
        }
        assert.deepEqual(wrong, []);
      });
    }
  });
});

// Routing (README, "Routing"): only the targets whose rule matches (and those without a rule)
// get a file; when none matches, `unmatched` decides; a target that does not get the message is
// not even looked at, so it cannot fail the delivery.
describe('deliver with match rules', () => {
  const ROUTED =
    'From s Sat Nov 28 14:00:00 2026\nSubject: [macos] fix\nFrom: "Dev" <dev@gstreamer.net>\n\nbody\n';
  const ROUTED_BODY = ROUTED.slice(ROUTED.indexOf('\n') + 1);
  const LINUX = { header: 'Subject', contains: '[linux]' };
  const MACOS = { header: 'Subject', contains: '[macos]' };
  const KERNEL = { address: 'From', glob: '*@kernel.org' };

  /** The four targets of setup(), with a rule for those named in `rules`. */
  function routedSetup(rules: Record<string, unknown>, fs?: (f: FakeFileSystem) => void) {
    const base = setup();
    fs?.(base.fs);
    const targets = base.targets.map((t, index) => {
      const rule = rules[t.name];
      if (rule === undefined) return t;
      const compiled = compileRule(rule, ['targets', index, 'match']);
      if (!compiled.ok) return assert.fail(compiled.problem);
      return { ...t, match: compiled.rule };
    });
    return { ...base, targets };
  }
  const allRuled = { a: LINUX, b: KERNEL, c: LINUX, d: KERNEL };
  const nothingAnywhere = (fs: FakeFileSystem): void =>
    assert.deepEqual(
      [filesIn(fs, 'tmp'), filesIn(fs, 'new')],
      [
        [[], [], [], []],
        [[], [], [], []],
      ],
    );

  it('only the matched targets and those without a rule get a byte-exact file', async () => {
    const { fs, targets, registry, deps } = routedSetup({ a: LINUX, b: MACOS, c: KERNEL });
    const result = await deliver(targets, SETTINGS, input(ROUTED).chunks, deps);
    assert.deepEqual(result.outcome, { kind: 'ok' });
    assert.deepEqual(
      result.delivered.map((d) => d.target),
      ['b', 'd'],
    );
    assert.deepEqual(
      filesIn(fs, 'new').map((files) => files.length),
      [0, 1, 0, 1],
    );
    for (const root of ['/b', '/d']) {
      assert.equal(fs.read(`${root}/new/${fs.list(`${root}/new`)[0]!}`).toString('latin1'), ROUTED_BODY);
    }
    assert.deepEqual(filesIn(fs, 'tmp'), [[], [], [], []]);
    assert.equal(registry.size, 0);
    assert.equal(result.bytes, ROUTED_BODY.length);
    assert.deepEqual(
      result.route?.routes.map((r) => r.selected),
      [false, true, false, true],
    );
    assert.equal(result.discarded, undefined);
  });

  it('the targets that do not get the message are not touched at all', async () => {
    const { fs, targets, deps } = routedSetup({ a: LINUX, b: MACOS, c: KERNEL });
    await deliver(targets, SETTINGS, input(ROUTED).chunks, deps);
    assert.deepEqual(
      fs.log.filter((line) => /^\w+ \/[ac](\/|$)/.test(line)),
      [],
    );
  });

  it('a broken target that does not get the message does not fail the delivery', async () => {
    const { fs, targets, deps } = routedSetup({ a: LINUX, b: MACOS });
    const broken = [
      ...targets,
      { name: 'e', path: '/e', mode: 0o600, create: false, match: targets[0]!.match },
    ];
    const result = await deliver(broken, SETTINGS, input(ROUTED).chunks, deps);
    assert.deepEqual(result.outcome, { kind: 'ok' });
    assert.deepEqual(
      result.delivered.map((d) => d.target),
      ['b', 'c', 'd'],
    );
    assert.equal(fs.exists('/e'), false);
  });

  it('a broken target that gets the message fails it: 4.2.1, nothing written', async () => {
    const { fs, targets, deps } = routedSetup({ a: LINUX });
    const broken = [
      ...targets,
      { name: 'e', path: '/e', mode: 0o600, create: false, match: targets[1]?.match },
    ];
    const result = await deliver(broken, SETTINGS, input(ROUTED).chunks, deps);
    assert.equal(result.outcome.kind === 'temporary' && result.outcome.status, '4.2.1');
    nothingAnywhere(fs);
  });

  // prettier-ignore
  const policies: [string, Settings['unmatched'], Outcome, boolean][] = [
    ['reject: permanent 5.7.1', { kind: 'reject' }, permanent('5.7.1', "no target's match rule accepts this message (unmatched: reject)"), false],
    ['defer: temporary 4.7.1', { kind: 'defer' }, temporary('4.7.1', "no target's match rule accepts this message (unmatched: defer)"), false],
    ['discard: ok, discarded', { kind: 'discard' }, ok, true],
  ];
  for (const [title, unmatched, outcome, discarded] of policies) {
    it(`no rule matches, unmatched ${title}; nothing written anywhere; the message read to its end`, async () => {
      const { fs, targets, registry, deps } = routedSetup(allRuled);
      const message = input(ROUTED);
      const result = await deliver(targets, { ...SETTINGS, unmatched }, message.chunks, deps);
      assert.deepEqual(result.outcome, outcome);
      assert.equal(result.discarded, discarded);
      assert.deepEqual(result.delivered, []);
      assert.deepEqual(result.skipped, []);
      assert.equal(result.bytes, ROUTED_BODY.length);
      assert.equal(result.digest, createHash('sha256').update(ROUTED_BODY).digest('hex'));
      assert.equal(result.route?.unmatched, unmatched.kind);
      assert.ok(message.finished());
      nothingAnywhere(fs);
      assert.equal(registry.size, 0);
      assert.deepEqual(
        fs.log.filter((line) => !line.startsWith('ENTER') && !line.startsWith('LEAVE')),
        [],
        'a maildir was looked at',
      );
    });
  }

  it('no rule matches, unmatched deliverTo: the named targets get a file, marked fallback', async () => {
    const { fs, targets, deps } = routedSetup(allRuled);
    const result = await deliver(
      targets,
      { ...SETTINGS, unmatched: { kind: 'deliverTo', targets: ['c', 'a'] } },
      input(ROUTED).chunks,
      deps,
    );
    assert.deepEqual(result.outcome, { kind: 'ok' });
    assert.deepEqual(
      result.delivered.map((d) => d.target),
      ['a', 'c'],
    );
    assert.deepEqual(
      filesIn(fs, 'new').map((files) => files.length),
      [1, 0, 1, 0],
    );
    assert.deepEqual(
      result.route?.routes.map((r) => r.fallback),
      [true, false, true, false],
    );
  });

  it('no rule matches, over the size limit: 5.2.3 wins over the policy', async () => {
    const { fs, targets, deps } = routedSetup(allRuled);
    const settings: Settings = { ...SETTINGS, sizeLimit: 10, unmatched: { kind: 'discard' } };
    const result = await deliver(targets, settings, input(ROUTED).chunks, deps);
    assert.equal(result.outcome.kind === 'permanent' && result.outcome.status, '5.2.3');
    assert.notEqual(result.discarded, true);
    nothingAnywhere(fs);
  });

  it('no rule matches, a loop: 5.4.6 wins over the policy', async () => {
    const { targets, deps } = routedSetup(allRuled);
    const dt = 'Delivered-To: bb@example.org';
    const looping = `${dt}\n${ROUTED_BODY}`;
    const result = await deliver(
      targets,
      { ...SETTINGS, unmatched: { kind: 'discard' } },
      input(looping).chunks,
      deps,
      {
        text: `${dt}\n`,
        deliveredTo: dt,
      },
    );
    assert.equal(result.outcome.kind === 'permanent' && result.outcome.status, '5.4.6');
    assert.notEqual(result.discarded, true);
  });

  it('the trace headers are not seen by the rules', async () => {
    const { fs, targets, deps } = routedSetup({
      a: { header: 'X-Ours', exists: true },
      b: MACOS,
      c: MACOS,
      d: MACOS,
    });
    const result = await deliver(targets, SETTINGS, input(ROUTED).chunks, deps, {
      text: 'X-Ours: yes\n',
      deliveredTo: undefined,
    });
    assert.deepEqual(result.outcome, { kind: 'ok' });
    assert.equal(fs.list('/a/new').length, 0);
    assert.equal(
      fs.read(`/b/new/${fs.list('/b/new')[0]!}`).toString('latin1'),
      `X-Ours: yes\n${ROUTED_BODY}`,
    );
  });

  it('no rules: no route in the result', async () => {
    const { targets, deps } = setup();
    const result = await deliver(targets, SETTINGS, input(ROUTED).chunks, deps);
    assert.equal(result.route, undefined);
  });

  it('the input fails while the header is read: temporary, nothing written', async () => {
    const { fs, targets, deps } = routedSetup(allRuled);
    const failing = (async function* () {
      await Promise.resolve();
      yield Buffer.from('Subject: x\n');
      throw Object.assign(new Error('EIO: read'), { code: 'EIO' });
    })();
    const result = await deliver(targets, SETTINGS, failing, deps);
    assert.deepEqual(
      result.outcome,
      temporary('4.3.0', 'reading the message header: input/output error (EIO)'),
    );
    nothingAnywhere(fs);
  });
});
