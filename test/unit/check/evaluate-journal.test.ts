// The journal's facts → findings: interrupted deliveries whose copies still wait in tmp/ (naming
// those targets), unfinished records with nothing left to publish (harmless), records moved aside
// as corrupt, and the folder's size against journalSize, always with the same perfdata labels.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateJournal } from '../../../src/check/evaluate-journal';
import type { Finding } from '../../../src/check/finding';
import type { JournalFacts } from '../../../src/check/journal-facts';
import type { JournalRecord } from '../../../src/journal/record';

const ROOT = '/state/journal/host';
const facts = (change: Partial<JournalFacts> = {}): JournalFacts => ({
  root: ROOT,
  unfinished: [],
  waiting: new Map(),
  owned: new Set(),
  inProgress: 0,
  done: 0,
  corrupt: 0,
  bytes: 0,
  ...change,
});
const record = (digest: string, ...targets: string[]): JournalRecord => ({
  version: 1,
  digest,
  host: 'host',
  pid: 4242,
  created: '2026-01-15T12:00:00.000Z',
  delivered: [],
  copies: targets.map((t) => ({ target: t, maildir: `/m/${t}`, tmp: `/m/${t}/tmp/x`, new: `/m/${t}/new/x` })),
});
/** Unfinished records, each with the targets whose copy is still in tmp/. */
const unfinished = (...records: [JournalRecord, string[]][]): Partial<JournalFacts> => ({
  unfinished: records.map(([r]) => r),
  waiting: new Map(records.map(([r, targets]) => [r.digest, targets])),
});
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
/** The perfdata of the size finding when nothing waits: both labels, always. */
const perfOf = (bytes: number, limit: number | undefined) => [
  { label: 'journal_size', value: bytes, unit: 'B', warning: limit },
  { label: 'journal_unfinished', value: 0, unit: '', warning: 0 },
];
const labels = (findings: Finding[]): string[] =>
  findings.flatMap((f) => (f.perf ?? []).map((p) => p.label)).sort();

describe('evaluateJournal', () => {
  it('an empty journal: one OK finding with its size and folder; the size and unfinished count as perfdata', () => {
    assert.deepEqual(evaluateJournal(facts(), 1000), [
      { check: 'journal', status: 'OK', text: `0 B in 0 records (${ROOT})`, perf: perfOf(0, 1000) },
    ]);
  });

  it('records are counted over done/, in-progress and unfinished ones', () => {
    const findings = evaluateJournal(
      facts({ done: 5, inProgress: 2, bytes: 2048, ...unfinished([record(A, 'bb1'), []]) }),
      1e9,
    );
    const size = findings.at(-1)!;
    assert.equal(size.status, 'OK');
    assert.equal(size.text, `2.0 KiB in 8 records (${ROOT})`);
  });

  it('pending records of live runs are deliveries in progress, not a problem', () => {
    const findings = evaluateJournal(facts({ inProgress: 3 }), 1e9);
    assert.deepEqual(
      findings.map((f) => f.status),
      ['OK'],
    );
  });

  it('one interrupted delivery with copies waiting: WARNING naming those targets, with --repair; then the size', () => {
    const findings = evaluateJournal(facts(unfinished([record(A, 'bb1', 'bb2'), ['bb1', 'bb2']])), 1e9);
    assert.deepEqual(findings, [
      {
        check: 'journal',
        status: 'WARNING',
        text: '1 interrupted delivery has copies for bb1, bb2 waiting in tmp/, unseen by the consumers until the next delivery; --repair publishes them now',
        perf: [{ label: 'journal_unfinished', value: 1, unit: '', warning: 0 }],
      },
      {
        check: 'journal',
        status: 'OK',
        text: `0 B in 1 records (${ROOT})`,
        perf: [{ label: 'journal_size', value: 0, unit: 'B', warning: 1e9 }],
      },
    ]);
  });

  it('only the targets whose copy is still in tmp/ are named, not every target of the record', () => {
    const [finding] = evaluateJournal(facts(unfinished([record(A, 'bb1', 'bb2', 'bb3'), ['bb3']])), 1e9);
    assert.equal(finding!.status, 'WARNING');
    assert.match(finding!.text, /^1 interrupted delivery has copies for bb3 waiting in tmp\//);
  });

  it('several interrupted deliveries: counted, each waiting target named once', () => {
    const [finding] = evaluateJournal(
      facts(unfinished([record(A, 'bb1', 'bb2'), ['bb1', 'bb2']], [record(B, 'bb2', 'bb3'), ['bb2', 'bb3']])),
      1e9,
    );
    assert.equal(finding!.status, 'WARNING');
    assert.match(
      finding!.text,
      /^2 interrupted deliveries have copies for bb1, bb2, bb3 waiting in tmp\/, .*--repair publishes them now$/,
    );
    assert.deepEqual(finding!.perf, [{ label: 'journal_unfinished', value: 2, unit: '', warning: 0 }]);
  });

  it('an unfinished record whose copies are all in new/: OK, harmless, not a WARNING', () => {
    const findings = evaluateJournal(facts(unfinished([record(A, 'bb1', 'bb2'), []])), 1e9);
    assert.deepEqual(
      findings.map((f) => [f.status, f.text]),
      [
        [
          'OK',
          '1 finished delivery is not yet marked done (harmless; the next delivery or --repair records it)',
        ],
        ['OK', `0 B in 1 records (${ROOT})`],
      ],
    );
    assert.deepEqual(findings[1]!.perf, perfOf(0, 1e9), 'journal_unfinished is 0: nothing waits');
  });

  it('several such records: plural', () => {
    const [finding] = evaluateJournal(facts(unfinished([record(A, 'bb1'), []], [record(B, 'bb2'), []])), 1e9);
    assert.equal(
      finding!.text,
      '2 finished deliveries are not yet marked done (harmless; the next delivery or --repair records them)',
    );
  });

  it('a record with no entry in `waiting` counts as nothing waiting', () => {
    const findings = evaluateJournal(facts({ unfinished: [record(A, 'bb1')] }), 1e9);
    assert.deepEqual(
      findings.map((f) => f.status),
      ['OK', 'OK'],
    );
  });

  it('one waiting and one finished: the WARNING counts only the one waiting, the OK the other', () => {
    const findings = evaluateJournal(
      facts(unfinished([record(A, 'bb1', 'bb2'), ['bb2']], [record(B, 'bb3'), []])),
      1e9,
    );
    assert.deepEqual(
      findings.map((f) => f.status),
      ['WARNING', 'OK', 'OK'],
    );
    assert.match(findings[0]!.text, /^1 interrupted delivery has copies for bb2 waiting/);
    assert.match(findings[1]!.text, /^1 finished delivery is not yet marked done/);
  });

  it('one corrupt record: WARNING pointing at corrupt/, and the size finding', () => {
    const findings = evaluateJournal(facts({ corrupt: 1 }), 1e9);
    assert.deepEqual(
      findings.map((f) => f.status),
      ['WARNING', 'OK'],
    );
    assert.equal(
      findings[0]!.text,
      `1 unreadable record moved aside in ${ROOT}/corrupt: a retry of that message may have added a duplicate; inspect, then remove them`,
    );
  });

  it('several corrupt records: plural', () => {
    const [finding] = evaluateJournal(facts({ corrupt: 3 }), 1e9);
    assert.match(finding!.text, /^3 unreadable records .*a retry of those messages/);
  });

  // prettier-ignore
  const sizes: [number, number | undefined, string][] = [
    [999, 1000, 'OK'],
    [1000, 1000, 'OK'],
    [1001, 1000, 'WARNING'],
    [10 ** 12, undefined, 'OK'], // journalSize false: never a problem
  ];
  for (const [bytes, limit, status] of sizes) {
    it(`${bytes} bytes with journalSize ${String(limit)} → ${status}`, () => {
      const findings = evaluateJournal(facts({ bytes, done: 4 }), limit);
      assert.equal(findings.length, 1);
      assert.equal(findings[0]!.status, status);
      assert.deepEqual(findings[0]!.perf, perfOf(bytes, limit));
    });
  }

  it('over journalSize: the size, the record count and the limit', () => {
    const [finding] = evaluateJournal(facts({ bytes: 3 * 1024 ** 2, done: 9 }), 1024 ** 2);
    assert.equal(finding!.text, '3.0 MiB in 9 records, more than 1.0 MiB');
  });

  it('everything at once: waiting copies, a corrupt record, over journalSize: three WARNINGs, no OK', () => {
    const findings = evaluateJournal(
      facts({ ...unfinished([record('c'.repeat(64), 'bb1'), ['bb1']]), corrupt: 1, bytes: 5000 }),
      100,
    );
    assert.deepEqual(
      findings.map((f) => f.status),
      ['WARNING', 'WARNING', 'WARNING'],
    );
    assert.match(findings[2]!.text, /in 1 records, more than 100 B$/);
  });

  // Graphs of the perfdata must not have gaps: journal_size and journal_unfinished on every run,
  // each exactly once, whether the journal is empty, stuck, harmlessly unfinished or too big.
  it('the same perfdata labels, each once, whatever is found', () => {
    const cases: Partial<JournalFacts>[] = [
      {},
      unfinished([record(A, 'bb1'), ['bb1']]),
      unfinished([record(A, 'bb1'), []]),
      { corrupt: 2 },
      { bytes: 10 ** 6 },
      { ...unfinished([record(A, 'bb1'), ['bb1']], [record(B, 'bb2'), []]), corrupt: 1, bytes: 10 ** 6 },
    ];
    for (const change of cases) {
      assert.deepEqual(
        labels(evaluateJournal(facts(change), 1000)),
        ['journal_size', 'journal_unfinished'],
        JSON.stringify(change),
      );
    }
  });
});
