// The journal's folders, one journal per host, and record names that are digests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestOfRecordName, journalLayout, recordName } from '../../../src/journal/layout';

const DIGEST = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('journalLayout', () => {
  it('<state>/journal/<host>/{pending,done,locks,corrupt}', () => {
    assert.deepEqual(journalLayout('/var/state', 'mx1.example.org'), {
      root: '/var/state/journal/mx1.example.org',
      pending: '/var/state/journal/mx1.example.org/pending',
      done: '/var/state/journal/mx1.example.org/done',
      locks: '/var/state/journal/mx1.example.org/locks',
      corrupt: '/var/state/journal/mx1.example.org/corrupt',
    });
  });

  it('a host name with "/" or ":" stays one folder name (escaped as in maildir names)', () => {
    assert.equal(journalLayout('/s', 'a/b:c').root, '/s/journal/a\\057b\\072c');
    assert.equal(journalLayout('/s', '../../etc').root, '/s/journal/..\\057..\\057etc');
  });

  it('an empty host name becomes "localhost"', () => {
    assert.equal(journalLayout('/s', '').root, '/s/journal/localhost');
  });
});

describe('recordName and digestOfRecordName', () => {
  it('a record is named <digest>.json, and the name gives the digest back', () => {
    assert.equal(recordName(DIGEST), `${DIGEST}.json`);
    assert.equal(digestOfRecordName(recordName(DIGEST)), DIGEST);
  });

  for (const [name, why] of [
    [`${DIGEST}.json.3165872614`, 'a temporary record file (write-record.ts)'],
    [`${DIGEST.toUpperCase()}.json`, 'upper-case hex'],
    [`${DIGEST.slice(1)}.json`, '63 digits'],
    [`${DIGEST}0.json`, '65 digits'],
    [`${DIGEST.slice(1)}g.json`, 'not hex'],
    [DIGEST, 'no .json'],
    [`${DIGEST}.JSON`, '.JSON'],
    [`x${DIGEST}.json`, 'a prefix'],
    ['.json', 'no digest'],
    ['pruned', "prune's stamp"],
    ['', 'empty'],
  ] as const) {
    it(`not a record: ${why}`, () => {
      assert.equal(digestOfRecordName(name), undefined);
    });
  }
});
