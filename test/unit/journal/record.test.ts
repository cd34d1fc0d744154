// A journal record and its strict parsing: anything but a complete, well-formed record of the
// expected message is "unreadable" (undefined), never a partial or a wrong record.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maildirsOf, parseRecord, serializeRecord, type JournalRecord } from '../../../src/journal/record';

const DIGEST = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const RECORD: JournalRecord = {
  version: 1,
  digest: DIGEST,
  host: 'mx1',
  pid: 4242,
  created: '2025-11-27T10:00:00.000Z',
  delivered: ['/srv/a/Maildir'],
  copies: [
    {
      target: 'b',
      maildir: '/srv/b/Maildir',
      tmp: '/srv/b/Maildir/tmp/1.M2P3.mx1',
      new: '/srv/b/Maildir/new/1.M2P3.mx1',
    },
    {
      target: 'c',
      maildir: '/srv/c/Maildir',
      tmp: '/srv/c/Maildir/tmp/1.M4P3.mx1',
      new: '/srv/c/Maildir/new/1.M4P3.mx1',
    },
  ],
};
const TEXT = serializeRecord(RECORD);

/** RECORD as JSON with `change` applied to the parsed object. */
function altered(change: (r: Record<string, unknown>) => void): string {
  const value = JSON.parse(TEXT) as Record<string, unknown>;
  change(value);
  return JSON.stringify(value);
}

describe('serializeRecord and parseRecord', () => {
  it('round trip: parsing the serialized record gives it back', () => {
    assert.deepEqual(parseRecord(TEXT, DIGEST), RECORD);
  });

  it('the text is JSON ending in a newline', () => {
    assert.ok(TEXT.endsWith('}\n'));
    assert.deepEqual(JSON.parse(TEXT), RECORD);
  });

  it('a record with no copies (every target already held the message) round-trips', () => {
    const none: JournalRecord = { ...RECORD, copies: [] };
    assert.deepEqual(parseRecord(serializeRecord(none), DIGEST), none);
  });

  it('every truncation of the record (a crash while writing it) is unreadable', () => {
    const end = TEXT.trimEnd().length; // the text without its final newline is still whole
    for (let length = 0; length < end; length++) {
      assert.equal(parseRecord(TEXT.slice(0, length), DIGEST), undefined, `first ${length} characters`);
    }
  });

  it('the record of another message is unreadable as this one', () => {
    assert.equal(parseRecord(TEXT, 'f'.repeat(64)), undefined);
  });

  const garbage: readonly (readonly [string, string])[] = [
    ['empty', ''],
    ['zero-filled (power loss without data ordering)', '\u0000'.repeat(200)],
    ['not JSON', 'not a record'],
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"record"'],
    ['an array', '[]'],
    ['an empty object', '{}'],
    ['version 2', altered((r) => (r.version = 2))],
    ['version "1"', altered((r) => (r.version = '1'))],
    ['no digest', altered((r) => delete r.digest)],
    ['host a number', altered((r) => (r.host = 1))],
    ['pid a string', altered((r) => (r.pid = '4242'))],
    ['no created', altered((r) => delete r.created)],
    ['delivered not an array', altered((r) => (r.delivered = '/srv/a/Maildir'))],
    ['delivered holding a number', altered((r) => (r.delivered = ['/srv/a/Maildir', 7]))],
    ['no copies', altered((r) => delete r.copies)],
    ['copies an object', altered((r) => (r.copies = {}))],
    ['a copy null', altered((r) => (r.copies = [null]))],
    ['a copy without tmp', altered((r) => (r.copies = [{ target: 'b', maildir: '/m', new: '/m/new/x' }]))],
    [
      'a copy whose new is a number',
      altered((r) => (r.copies = [{ target: 'b', maildir: '/m', tmp: '/m/tmp/x', new: 1 }])),
    ],
    ['unpublished not an array', altered((r) => (r.unpublished = '/srv/b/Maildir'))],
    ['lost holding a number', altered((r) => (r.lost = ['/srv/b/Maildir', 1]))],
    [
      'a copy without target',
      altered((r) => (r.copies = [{ maildir: '/m', tmp: '/m/tmp/x', new: '/m/new/x' }])),
    ],
  ];
  for (const [what, text] of garbage) {
    it(`unreadable: ${what}`, () => {
      assert.equal(parseRecord(text, DIGEST), undefined);
    });
  }
});

describe('unpublished and lost (a failed publish, then its copy gone from tmp/)', () => {
  it('round trip of a record that carries both', () => {
    const marked: JournalRecord = { ...RECORD, unpublished: ['/srv/c/Maildir'], lost: ['/srv/c/Maildir'] };
    assert.deepEqual(parseRecord(serializeRecord(marked), DIGEST), marked);
  });

  it('maildirsOf leaves out a maildir whose copy was lost: it does not hold the message', () => {
    const lost: JournalRecord = { ...RECORD, lost: ['/srv/c/Maildir'] };
    assert.deepEqual([...maildirsOf(lost)].sort(), ['/srv/a/Maildir', '/srv/b/Maildir']);
  });

  it('unpublished alone changes nothing yet: the copy may still be published from tmp/', () => {
    const marked: JournalRecord = { ...RECORD, unpublished: ['/srv/c/Maildir'] };
    assert.deepEqual([...maildirsOf(marked)].sort(), [...maildirsOf(RECORD)].sort());
  });
});

describe('maildirsOf', () => {
  it('the maildirs that held the message before, and those this run publishes to', () => {
    assert.deepEqual([...maildirsOf(RECORD)].sort(), ['/srv/a/Maildir', '/srv/b/Maildir', '/srv/c/Maildir']);
  });

  it('each maildir once, and none for an empty record', () => {
    const twice: JournalRecord = { ...RECORD, delivered: ['/srv/b/Maildir'] };
    assert.deepEqual([...maildirsOf(twice)].sort(), ['/srv/b/Maildir', '/srv/c/Maildir']);
    assert.equal(maildirsOf({ ...RECORD, delivered: [], copies: [] }).size, 0);
  });
});
