// Rolling an interrupted delivery forward: publish the copies whose tmp file is still there, and
// only those. A tmp file that is gone was published (rename is atomic), so it is never published
// a second time, however often and however concurrently the record is rolled forward.
import assert from 'node:assert/strict';
import {
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
import type { JournalRecord } from '../../../src/journal/record';
import { rollForward } from '../../../src/journal/recover';
import { nodeFileSystem, type FileSystem } from '../../../src/maildir/file-system';
import type { NameSource } from '../../../src/maildir/name-source';

/** The real file system, logging the renames that succeed (publishes) and directory syncs. */
function loggingFileSystem(log: string[]): FileSystem {
  return {
    ...nodeFileSystem,
    rename: async (from, to) => {
      await nodeFileSystem.rename(from, to);
      log.push(`rename ${to}`);
    },
    syncDirectory: async (path) => {
      log.push(`sync ${path}`);
      await nodeFileSystem.syncDirectory(path);
    },
  };
}

let fresh = 0;
const names: NameSource = { next: () => `fresh${++fresh}` };
const list = (dir: string): string[] => readdirSync(dir).sort();

describe('rollForward', () => {
  const root = mkdtempSync(join(tmpdir(), 'mf-recover-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  /** Maildirs a, b, c with a synced tmp copy of "message" in each, and the record naming them. */
  const interrupted = (): { record: JournalRecord; dirs: string[] } => {
    n += 1;
    const dirs = ['a', 'b', 'c'].map((name) => join(root, `case-${n}`, name));
    const copies = dirs.map((dir, i) => {
      for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(dir, sub), { recursive: true });
      const name = `100.M${i}P1.host`;
      writeFileSync(join(dir, 'tmp', name), 'message');
      return { target: `t${i}`, maildir: dir, tmp: join(dir, 'tmp', name), new: join(dir, 'new', name) };
    });
    const record: JournalRecord = {
      version: 1,
      digest: 'd'.repeat(64),
      host: 'host',
      pid: 1,
      created: '2025-11-27T10:00:00.000Z',
      delivered: [],
      copies,
    };
    return { record, dirs };
  };

  it('a copy gone from tmp/ without a word: published (by the dead run); not lost', async () => {
    const { record, dirs } = interrupted();
    rmSync(record.copies[1]!.tmp);
    assert.deepEqual(await rollForward(nodeFileSystem, names, record), []);
    assert.deepEqual(list(join(dirs[0]!, 'new')), ['100.M0P1.host']);
  });

  it('regression: a copy the run marked unpublished, then gone from tmp/ (a clean-up), is lost, not published', async () => {
    const { record, dirs } = interrupted();
    rmSync(record.copies[1]!.tmp);
    const marked: JournalRecord = { ...record, unpublished: [dirs[1]!, dirs[2]!] };
    assert.deepEqual(await rollForward(nodeFileSystem, names, marked), [dirs[1]]);
    assert.deepEqual(
      list(join(dirs[2]!, 'new')),
      ['100.M2P1.host'],
      'the unpublished copy still there is published',
    );
  });

  it('a copy marked unpublished but found in new/ (a recovery published it): not lost', async () => {
    const { record, dirs } = interrupted();
    renameSync(record.copies[1]!.tmp, record.copies[1]!.new);
    assert.deepEqual(await rollForward(nodeFileSystem, names, { ...record, unpublished: [dirs[1]!] }), []);
  });

  it('a copy already recorded lost stays lost, and is not looked for', async () => {
    const { record, dirs } = interrupted();
    assert.deepEqual(await rollForward(nodeFileSystem, names, { ...record, lost: [dirs[0]!] }), [dirs[0]]);
    assert.deepEqual(list(join(dirs[0]!, 'tmp')), ['100.M0P1.host'], 'a lost copy is not published');
  });

  it('every tmp file still there: each is published under its recorded name, and each new/ is synced', async () => {
    const { record, dirs } = interrupted();
    const log: string[] = [];
    await rollForward(loggingFileSystem(log), names, record);
    for (const [i, dir] of dirs.entries()) {
      assert.deepEqual([list(join(dir, 'tmp')), list(join(dir, 'new'))], [[], [`100.M${i}P1.host`]]);
      assert.equal(readFileSync(record.copies[i]!.new, 'utf8'), 'message');
    }
    assert.deepEqual(
      log.filter((l) => l.startsWith('sync')).sort(),
      dirs.map((dir) => `sync ${join(dir, 'new')}`),
    );
  });

  it('a copy whose tmp file is gone (published before the crash) is not published again; new/ holds it once', async () => {
    const { record, dirs } = interrupted();
    renameSync(record.copies[0]!.tmp, record.copies[0]!.new); // the dead run got as far as a
    const log: string[] = [];
    await rollForward(loggingFileSystem(log), names, record);
    for (const dir of dirs) assert.equal(list(join(dir, 'new')).length, 1, `one copy in ${dir}`);
    assert.deepEqual(
      log.filter((l) => l.startsWith('rename')),
      [`rename ${record.copies[1]!.new}`, `rename ${record.copies[2]!.new}`],
    );
  });

  // The dead run may have renamed its file and died before its fsync of new/: a record is only
  // completed once every new/ it names is synced, whoever did the rename.
  it('every new/ the record names is synced, those the dead run published into included', async () => {
    const { record, dirs } = interrupted();
    renameSync(record.copies[0]!.tmp, record.copies[0]!.new);
    const log: string[] = [];
    await rollForward(loggingFileSystem(log), names, record);
    assert.deepEqual(
      log.filter((l) => l.startsWith('sync')).sort(),
      dirs.map((dir) => `sync ${join(dir, 'new')}`),
    );
  });

  it('a copy that a consumer already moved from new/ to cur/ is not published again', async () => {
    const { record, dirs } = interrupted();
    const a = dirs[0]!;
    renameSync(record.copies[0]!.tmp, record.copies[0]!.new);
    renameSync(record.copies[0]!.new, join(a, 'cur', '100.M0P1.host:2,S'));
    await rollForward(nodeFileSystem, names, record);
    assert.deepEqual(
      [list(join(a, 'tmp')), list(join(a, 'new')), list(join(a, 'cur'))],
      [[], [], ['100.M0P1.host:2,S']],
    );
  });

  it('run twice: the second run publishes nothing; one copy in each', async () => {
    const { record, dirs } = interrupted();
    await rollForward(nodeFileSystem, names, record);
    const log: string[] = [];
    await rollForward(loggingFileSystem(log), names, record);
    assert.deepEqual(
      log.filter((l) => l.startsWith('rename')),
      [],
      'nothing published the second time',
    );
    for (const dir of dirs) assert.equal(list(join(dir, 'new')).length, 1);
  });

  it('two runs at once (a retry and a recovering delivery): each copy is published exactly once', async () => {
    const { record, dirs } = interrupted();
    await Promise.all([
      rollForward(nodeFileSystem, names, record),
      rollForward(nodeFileSystem, names, record),
      rollForward(nodeFileSystem, names, record),
    ]);
    for (const dir of dirs) {
      assert.deepEqual(list(join(dir, 'tmp')), []);
      assert.equal(list(join(dir, 'new')).length, 1, `one copy in ${dir}`);
    }
  });

  it('the recorded new/ name is taken by another message: published under a fresh name; the other file is untouched', async () => {
    const { record } = interrupted();
    writeFileSync(record.copies[0]!.new, 'another message');
    await rollForward(nodeFileSystem, names, record);
    const newDir = join(record.copies[0]!.maildir, 'new');
    const files = list(newDir);
    assert.equal(files.length, 2);
    assert.equal(readFileSync(record.copies[0]!.new, 'utf8'), 'another message');
    const other = files.find((f) => join(newDir, f) !== record.copies[0]!.new)!;
    assert.equal(readFileSync(join(newDir, other), 'utf8'), 'message');
  });

  it('a copy that cannot be published (its new/ is gone) throws, and its tmp file is kept for later', async () => {
    const { record } = interrupted();
    rmSync(join(record.copies[1]!.maildir, 'new'), { recursive: true });
    await assert.rejects(rollForward(nodeFileSystem, names, record), { code: 'ENOENT' });
    assert.deepEqual(list(join(record.copies[1]!.maildir, 'tmp')), ['100.M1P1.host']);
  });

  it('a record with no copies does nothing', async () => {
    const { record } = interrupted();
    const log: string[] = [];
    await rollForward(loggingFileSystem(log), names, { ...record, copies: [] });
    assert.deepEqual(log, []);
  });
});
