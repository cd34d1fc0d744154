// A journal record is written whole or not at all: temp file, fsync, rename; the temp file is
// removed whichever step fails, and the record's old content (if any) stays.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeRecordFile } from '../../../src/journal/write-record';
import { FakeFileSystem, type Operation } from '../maildir/fake-file-system';

const DIR = '/state/pending';
const RECORD = `${DIR}/r.json`;

function setUp(): { fs: FakeFileSystem; log: string[] } {
  const log: string[] = [];
  const fs = new FakeFileSystem(log).addDirectory('/state').addDirectory(DIR);
  return { fs, log };
}

describe('writeRecordFile', () => {
  it('writes, syncs, closes and renames a temp file named <record>.<suffix>, mode 0600', async () => {
    const { fs, log } = setUp();
    await writeRecordFile(fs, RECORD, '{"a":1}', '4242');
    assert.deepEqual(fs.list(DIR), ['r.json']);
    assert.equal(fs.read(RECORD).toString(), '{"a":1}');
    assert.equal(fs.modeOf(RECORD), 0o600);
    const steps = log.map((entry) => entry.split(' ')[0]);
    assert.deepEqual(steps, ['createExclusive', 'writeAll', 'sync', 'close', 'rename'], log.join('\n'));
    assert.ok(log[0]!.includes(`${RECORD}.4242`), log[0]);
  });

  it('replaces an existing record only by the rename', async () => {
    const { fs } = setUp();
    fs.addFile(RECORD, 'old');
    await writeRecordFile(fs, RECORD, 'new', '1');
    assert.equal(fs.read(RECORD).toString(), 'new');
  });

  const failures: readonly Operation[] = ['createExclusive', 'writeAll', 'sync', 'close', 'rename'];
  for (const op of failures) {
    it(`${op} fails: the error comes through, no temp file is left, an old record is untouched`, async () => {
      const { fs } = setUp();
      fs.addFile(RECORD, 'old');
      fs.fail(op, 'ENOSPC');
      await assert.rejects(writeRecordFile(fs, RECORD, 'new', '7'), { code: 'ENOSPC' });
      assert.deepEqual(fs.list(DIR), ['r.json']);
      assert.equal(fs.read(RECORD).toString(), 'old');
    });
  }

  it('a temp name that exists (a leftover of a run with the same suffix) is never overwritten', async () => {
    const { fs } = setUp();
    fs.addFile(`${RECORD}.7`, 'leftover');
    await assert.rejects(writeRecordFile(fs, RECORD, 'new', '7'), { code: 'EEXIST' });
    assert.equal(fs.read(`${RECORD}.7`).toString(), 'leftover');
    assert.deepEqual(fs.list(DIR).sort(), ['r.json.7']);
  });
});
