// check --repair: the journal's roll-forward first, then the stale tmp/ files listed (only then)
// and removed, except those a pending record of a live or a dead run owns. Real files in a
// temporary folder and the real journalFacts; the journal is a stand-in whose recovery publishes
// (renames) the copies its dead records name and moves them to done/, as Journal.recoverOthers does.
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { journalFacts } from '../../../src/check/journal-facts';
import { repair, type RepairSteps, type StaleFile } from '../../../src/check/repair';
import type { Journal } from '../../../src/journal/journal';
import { journalLayout, recordName, type JournalLayout } from '../../../src/journal/layout';
import { serializeRecord, type JournalRecord } from '../../../src/journal/record';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const HOUR = 3600_000;
const LIVE = 100;
const DEAD = 200;
const isAlive = (pid: number): boolean => pid === LIVE;

describe('repair', () => {
  const root = mkdtempSync(join(tmpdir(), 'mf-repair-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let group = 0;

  /** A fresh place: maildirs a and b, a journal, and a log of the steps repair takes. */
  const place = () => {
    const dir = join(root, `p${++group}`);
    const dirs = { a: join(dir, 'a'), b: join(dir, 'b') };
    for (const m of Object.values(dirs))
      for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(m, sub), { recursive: true });
    const layout: JournalLayout = journalLayout(join(dir, 'state'), 'host');
    for (const d of [layout.pending, layout.done]) mkdirSync(d, { recursive: true });
    const log: string[] = [];
    let digits = 0;
    return {
      dirs,
      layout,
      log,
      /** Writes a file in tmp/ of target `t`; returns its path. */
      tmp(t: 'a' | 'b', name: string): string {
        const path = join(dirs[t], 'tmp', name);
        writeFileSync(path, 'x');
        return path;
      },
      /** A pending record of `pid` with one copy per target, each named `name`; its tmp files written. */
      pending(name: string, pid: number, targets: ('a' | 'b')[] = ['a']): JournalRecord {
        const record: JournalRecord = {
          version: 1,
          digest: String(++digits).repeat(64),
          host: 'host',
          pid,
          created: new Date(NOW - HOUR).toISOString(),
          delivered: [],
          copies: targets.map((t) => ({
            target: t,
            maildir: dirs[t],
            tmp: join(dirs[t], 'tmp', name),
            new: join(dirs[t], 'new', name),
          })),
        };
        for (const c of record.copies) writeFileSync(c.tmp, 'x');
        writeFileSync(join(layout.pending, recordName(record.digest)), serializeRecord(record));
        return record;
      },
      /**
       * The steps repair is given: the journal (a stand-in whose recovery publishes the copies of
       * dead runs' records and moves them to done/, or does nothing when `works` is false), the
       * real journal facts, and every file in tmp/ of a and b listed as 40 hours old.
       */
      steps(works = true, withJournal = true): RepairSteps {
        const journal: Pick<Journal, 'recoverOthers'> = {
          recoverOthers: () => {
            log.push('recover');
            if (!works) return Promise.resolve();
            for (const name of readdirSync(layout.pending)) {
              const record = JSON.parse(readFileSync(join(layout.pending, name), 'utf8')) as JournalRecord;
              if (isAlive(record.pid)) continue;
              for (const c of record.copies) if (existsSync(c.tmp)) renameSync(c.tmp, c.new);
              renameSync(join(layout.pending, name), join(layout.done, name));
            }
            return Promise.resolve();
          },
        };
        return {
          journal: withJournal ? (journal as Journal) : undefined,
          readJournal: () => {
            log.push('read');
            return withJournal ? journalFacts(layout, isAlive, NOW) : Promise.resolve(undefined);
          },
          listStale: () => {
            log.push('list');
            const files: StaleFile[] = (['a', 'b'] as const).flatMap((t) =>
              readdirSync(join(dirs[t], 'tmp')).map((name) => ({
                target: t,
                path: join(dirs[t], 'tmp', name),
                mtimeMs: NOW - 40 * HOUR,
              })),
            );
            return Promise.resolve(files);
          },
          now: () => NOW,
        };
      },
    };
  };
  const short = (record: JournalRecord): string => record.digest.slice(0, 12);

  it('no journal: every stale file is removed, one line each with its target and age', async () => {
    const p = place();
    const x = p.tmp('a', 'x');
    const y = p.tmp('b', 'y');
    const done = await repair(p.steps(true, false));
    assert.deepEqual(done, [`target a: removed ${x} (40h old)`, `target b: removed ${y} (40h old)`]);
    assert.equal(existsSync(x), false);
    assert.equal(existsSync(y), false);
  });

  it('the age is measured with the clock as read when removing', async () => {
    const p = place();
    const x = p.tmp('a', 'x');
    const done = await repair({ ...p.steps(), now: () => NOW + 4 * HOUR });
    assert.deepEqual(done, [`target a: removed ${x} (44h old)`]);
  });

  it('nothing stale and nothing unfinished: nothing done, the journal left alone', async () => {
    const p = place();
    assert.deepEqual(await repair(p.steps()), []);
    assert.equal(p.log.includes('recover'), false);
  });

  it('an interrupted delivery is finished; the line names the message and the targets it published', async () => {
    const p = place();
    const record = p.pending('m1', DEAD, ['a', 'b']);
    const done = await repair(p.steps());
    assert.deepEqual(done, [`finished the interrupted delivery of message ${short(record)} to a, b`]);
    for (const c of record.copies) assert.ok(existsSync(c.new), c.new);
    assert.deepEqual(readdirSync(p.layout.pending), []);
  });

  it('a copy already published before the crash is not named again', async () => {
    const p = place();
    const record = p.pending('m1', DEAD, ['a', 'b']);
    renameSync(record.copies[0]!.tmp, record.copies[0]!.new);
    const done = await repair(p.steps());
    assert.deepEqual(done, [`finished the interrupted delivery of message ${short(record)} to b`]);
  });

  it('every copy already published (only the move to done/ was lost): "recorded … as done"', async () => {
    const p = place();
    const record = p.pending('m1', DEAD, ['a', 'b']);
    for (const c of record.copies) renameSync(c.tmp, c.new);
    const done = await repair(p.steps());
    assert.deepEqual(done, [`recorded the finished delivery of message ${short(record)} as done`]);
    assert.deepEqual(readdirSync(p.layout.done), [recordName(record.digest)]);
  });

  it('recovery fails: "could not finish", the file the record owns kept, a stray one removed', async () => {
    const p = place();
    const record = p.pending('owned', DEAD);
    const stray = p.tmp('a', 'stray');
    const done = await repair(p.steps(false));
    assert.deepEqual(done, [
      `could not finish the interrupted delivery of message ${short(record)} to a: see the findings below`,
      `target a: removed ${stray} (40h old)`,
    ]);
    assert.ok(existsSync(record.copies[0]!.tmp), 'the owned tmp file stays for the journal');
    assert.equal(existsSync(stray), false);
  });

  // Regression: the stale list was gathered before the roll-forward; a stale tmp file that the
  // roll-forward had just published (renamed into new/) was then unlinked again and reported as
  // "could not remove …: ENOENT", turning a clean repair into an alarming report.
  it('regression: a stale file the roll-forward publishes is listed after it, so not reported', async () => {
    const p = place();
    const record = p.pending('m1', DEAD);
    const done = await repair(p.steps());
    assert.ok(existsSync(record.copies[0]!.new), 'published');
    assert.deepEqual(done, [`finished the interrupted delivery of message ${short(record)} to a`]);
    assert.ok(p.log.indexOf('list') > p.log.indexOf('recover'), p.log.join(', '));
  });

  // Regression: only the files of dead runs' records were spared. A live delivery's synced copy
  // older than tmpAge (a short tmpAge, a long delivery, or clock skew) was unlinked, and the
  // delivery's publish then took the missing file for "already published": the copy was lost.
  it("regression: a stale file that a live run's pending record owns is kept", async () => {
    const p = place();
    const record = p.pending('live', LIVE, ['a', 'b']);
    const stray = p.tmp('b', 'stray');
    const done = await repair(p.steps());
    assert.deepEqual(done, [`target b: removed ${stray} (40h old)`]);
    for (const c of record.copies) assert.ok(existsSync(c.tmp), c.tmp);
    assert.equal(p.log.includes('recover'), false, 'a live run is nobody to roll forward');
  });

  it('a stale file gone by the time it is removed (taken meanwhile): skipped, no line', async () => {
    const p = place();
    const steps = p.steps();
    const gone: StaleFile = { target: 'a', path: join(p.dirs.a, 'tmp', 'gone'), mtimeMs: NOW - 40 * HOUR };
    const done = await repair({ ...steps, listStale: () => Promise.resolve([gone]) });
    assert.deepEqual(done, []);
  });

  it('a stale entry that cannot be removed (a folder: EISDIR): "could not remove" with the error', async () => {
    const p = place();
    const folder = join(p.dirs.a, 'tmp', 'folder');
    mkdirSync(folder);
    const done = await repair(p.steps());
    assert.equal(done.length, 1);
    assert.match(done[0]!, new RegExp(`^target a: could not remove ${folder}: EISDIR\\b`));
    assert.ok(existsSync(folder));
  });
});
