// One target's facts against its thresholds → findings, over hand-made facts: every check, each
// side of every boundary, and what the text says (the measured value, and the threshold crossed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateMaildir, formatBytes } from '../../../src/check/evaluate';
import type { Finding, Status } from '../../../src/check/finding';
import type { FolderFacts, MaildirFacts, SpaceFacts } from '../../../src/check/maildir-facts';
import { DEFAULT_THRESHOLDS, type TargetThresholds } from '../../../src/check/thresholds';
import { temporary, type Failure } from '../../../src/outcome/outcome';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const HOUR = 3600_000;
/** The defaults (journalSize is the journal's, never looked at here). */
const LIMITS: TargetThresholds = DEFAULT_THRESHOLDS;

const folder = (change: Partial<FolderFacts> = {}): FolderFacts => ({
  count: 0,
  bytes: 0,
  oldest: undefined,
  older: [],
  ...change,
});
const SPACE: SpaceFacts = { freeBytes: 500, totalBytes: 1000, freeInodes: 500, totalInodes: 1000 };

type Ready = Extract<MaildirFacts, { kind: 'ready' }>;
const ready = (change: Partial<Omit<Ready, 'kind'>> = {}): MaildirFacts => ({
  kind: 'ready',
  probe: undefined,
  space: SPACE,
  tmp: folder(),
  new: folder(),
  cur: folder(),
  ...change,
});

const evaluate = (facts: MaildirFacts, limits: Partial<TargetThresholds> = {}): Finding[] =>
  evaluateMaildir('bb1', facts, { ...LIMITS, ...limits }, NOW);

/** The one finding of `check`; fails if there is not exactly one. */
function only(findings: Finding[], check: string): Finding {
  const found = findings.filter((f) => f.check === check);
  assert.equal(found.length, 1, `one ${check} finding in ${JSON.stringify(findings)}`);
  return found[0]!;
}

function assertFinding(finding: Finding, status: Status, ...mentions: string[]): void {
  assert.equal(finding.status, status, finding.text);
  assert.equal(finding.target, 'bb1');
  for (const words of mentions)
    assert.ok(finding.text.includes(words), `${JSON.stringify(words)} in ${finding.text}`);
}

const failure: Failure = temporary('4.3.0', 'target bb1: reading /m/x: input/output error (EIO)');

describe('evaluateMaildir', () => {
  it('a healthy maildir: one OK finding per check, in order, each naming the target', () => {
    const findings = evaluate(ready());
    assert.deepEqual(
      findings.map((f) => [f.target, f.check, f.status]),
      ['maildir', 'probe', 'free-space', 'free-inodes', 'stale-tmp', 'backlog', 'cur'].map((c) => [
        'bb1',
        c,
        'OK',
      ]),
    );
  });

  it('a broken maildir: one CRITICAL "maildir" finding with the precheck text, nothing else', () => {
    const precheck = temporary('4.2.1', 'target bb1: not a maildir: /m/cur is missing or not a directory');
    assert.deepEqual(evaluate({ kind: 'broken', failure: precheck }), [
      {
        target: 'bb1',
        check: 'maildir',
        status: 'CRITICAL',
        text: 'not a maildir: /m/cur is missing or not a directory: deliveries defer until it is fixed',
      },
    ]);
  });

  // The finding already names the target ("target bb1: maildir: …"): the precheck's own
  // "target bb1: " prefix is not repeated; a text without it is taken as it is.
  it('a precheck text without the "target NAME: " prefix is kept whole', () => {
    const precheck = temporary('4.2.1', 'maildir /m is a symbolic link');
    const [finding] = evaluate({ kind: 'broken', failure: precheck });
    assert.equal(finding!.text, 'maildir /m is a symbolic link: deliveries defer until it is fixed');
  });

  it("another target's name in the prefix is not taken for this one's", () => {
    const precheck = temporary('4.2.1', 'target bb10: maildir /m does not exist');
    const [finding] = evaluate({ kind: 'broken', failure: precheck });
    assert.equal(finding!.text, 'target bb10: maildir /m does not exist: deliveries defer until it is fixed');
  });

  it('a missing maildir with "create": a WARNING that the next delivery creates it', () => {
    const missing = temporary('4.2.1', 'target bb1: maildir /m does not exist');
    const findings = evaluate({ kind: 'missing-will-create', failure: missing });
    assert.equal(findings.length, 1);
    assert.equal(
      only(findings, 'maildir').text,
      'maildir /m does not exist; the next delivery creates it ("create": true)',
    );
    assertFinding(only(findings, 'maildir'), 'WARNING');
  });

  it('a failed probe write: CRITICAL "probe" with the error', () => {
    const probe = temporary('4.3.0', 'target bb1: probe write in /m/tmp: no space left on device (ENOSPC)');
    const finding = only(evaluate(ready({ probe })), 'probe');
    assertFinding(finding, 'CRITICAL');
    assert.equal(
      finding.text,
      'probe write in /m/tmp: no space left on device (ENOSPC): deliveries defer until it is fixed',
    );
  });

  describe('free space (default 5 % / 1 % of 1000 bytes: warning below 50, critical below 10)', () => {
    // prettier-ignore
    const table: [number, Status, string][] = [
      [1000, 'OK', '1000 B free of 1000 B (100.0%)'],
      [50, 'OK', '50 B free of 1000 B (5.0%)'],
      [49, 'WARNING', '49 B free of 1000 B (4.9%), below 5%'],
      [10, 'WARNING', '10 B free of 1000 B (1.0%), below 5%'],
      [9, 'CRITICAL', '9 B free of 1000 B (0.9%), below 1%'],
      [0, 'CRITICAL', '0 B free of 1000 B (0.0%), below 1%'],
    ];
    for (const [free, status, text] of table) {
      it(`${free} free → ${status}: ${JSON.stringify(text)}`, () => {
        const finding = only(evaluate(ready({ space: { ...SPACE, freeBytes: free } })), 'free-space');
        assert.equal(finding.status, status);
        assert.equal(finding.text, text);
        assert.deepEqual(finding.perf, [
          { label: 'free_space', value: free, unit: 'B', warning: 50, critical: 10, low: true },
        ]);
      });
    }

    it('absolute thresholds: "below 2.0 GiB"', () => {
      const space = { ...SPACE, freeBytes: 1024 ** 3, totalBytes: 100 * 1024 ** 3 };
      const finding = only(
        evaluate(ready({ space }), {
          freeSpace: { warning: { bytes: 2 * 1024 ** 3 }, critical: { bytes: 1024 } },
        }),
        'free-space',
      );
      assertFinding(finding, 'WARNING', '1.0 GiB free of 100.0 GiB (1.0%), below 2.0 GiB');
    });

    it('only a warning level: never CRITICAL', () => {
      const finding = only(
        evaluate(ready({ space: { ...SPACE, freeBytes: 0 } }), {
          freeSpace: { warning: { percent: 5 }, critical: undefined },
        }),
        'free-space',
      );
      assertFinding(finding, 'WARNING', 'below 5%');
    });

    it('freeSpace off: no free-space finding', () => {
      const findings = evaluate(ready({ space: { ...SPACE, freeBytes: 0 } }), { freeSpace: undefined });
      assert.equal(findings.filter((f) => f.check === 'free-space').length, 0);
    });

    it('statfs failed: UNKNOWN, with the error', () => {
      assertFinding(only(evaluate(ready({ space: failure })), 'free-space'), 'UNKNOWN', '(EIO)');
    });
  });

  describe('free inodes', () => {
    // prettier-ignore
    const table: [number, Status, string][] = [
      [50, 'OK', '50 inodes free of 1000 (5.0%)'],
      [49, 'WARNING', '49 inodes free of 1000 (4.9%), below 5%'],
      [10, 'WARNING', 'below 5%'],
      [9, 'CRITICAL', '9 inodes free of 1000 (0.9%), below 1%'],
    ];
    for (const [free, status, text] of table) {
      it(`${free} of 1000 free → ${status}`, () => {
        const finding = only(evaluate(ready({ space: { ...SPACE, freeInodes: free } })), 'free-inodes');
        assertFinding(finding, status, text);
      });
    }

    it('numbers of inodes: "below 100 inodes"', () => {
      const finding = only(
        evaluate(ready({ space: { ...SPACE, freeInodes: 99 } }), {
          freeInodes: { warning: { bytes: 100 }, critical: { bytes: 20 } },
        }),
        'free-inodes',
      );
      assertFinding(finding, 'WARNING', '99 inodes free of 1000 (9.9%), below 100 inodes');
      assert.deepEqual(finding.perf, [
        { label: 'free_inodes', value: 99, unit: '', warning: 100, critical: 20, low: true },
      ]);
    });

    it('a file system without an inode limit (btrfs: 0 inodes in all): no free-inodes finding', () => {
      const findings = evaluate(ready({ space: { ...SPACE, freeInodes: 0, totalInodes: 0 } }));
      assert.equal(findings.filter((f) => f.check === 'free-inodes').length, 0);
    });
  });

  // Regression: the perfdata of free space and inodes must carry "N:" thresholds (alert BELOW N,
  // monitoring-plugins range syntax); without `low`, report.ts wrote "N", which Nagios reads as
  // "alert above N" — every healthy disk would be CRITICAL to a plugin that evaluates perfdata.
  it('regression: free-space and free-inodes perfdata are marked low (report prints "N:", not "N")', () => {
    const findings = evaluate(ready());
    for (const check of ['free-space', 'free-inodes']) {
      const perf = only(findings, check).perf ?? [];
      assert.equal(perf.length, 1, check);
      assert.equal(perf[0]!.low, true, `${check} perfdata must be low (alert below the thresholds)`);
    }
  });

  describe('stale tmp/ (tmpAge 36 h; which files are stale is decided when the facts are read)', () => {
    it('none older: OK, saying how many files tmp/ holds', () => {
      const finding = only(evaluate(ready({ tmp: folder({ count: 2, oldest: NOW - HOUR }) })), 'stale-tmp');
      assert.equal(finding.status, 'OK');
      assert.equal(finding.text, 'no file in tmp/ older than 36h (2 in all)');
    });

    it('one older: WARNING with its age and the --repair hint', () => {
      const older: [string, number][] = [['/m/tmp/x', NOW - 40 * HOUR]];
      const finding = only(evaluate(ready({ tmp: folder({ count: 3, older }) })), 'stale-tmp');
      assertFinding(finding, 'WARNING', '1 file in tmp/ older than 36h, the oldest 40h');
      assert.equal(
        finding.text,
        '1 file in tmp/ older than 36h, the oldest 40h: abandoned by a writer that was killed; --repair removes them',
      );
      assert.deepEqual(finding.perf, [{ label: 'stale_tmp', value: 1, unit: '', warning: 0 }]);
    });

    it('several older: the oldest of them is named', () => {
      const older: [string, number][] = [
        ['/m/tmp/x', NOW - 37 * HOUR],
        ['/m/tmp/y', NOW - 72 * HOUR],
        ['/m/tmp/z', NOW - 40 * HOUR],
      ];
      const finding = only(evaluate(ready({ tmp: folder({ count: 3, older }) })), 'stale-tmp');
      assertFinding(finding, 'WARNING', '3 files in tmp/ older than 36h, the oldest 3d');
    });

    it('tmpAge off: no stale-tmp finding', () => {
      const older: [string, number][] = [['/m/tmp/x', NOW - 400 * HOUR]];
      const findings = evaluate(ready({ tmp: folder({ count: 1, older }) }), { tmpAge: undefined });
      assert.equal(findings.filter((f) => f.check === 'stale-tmp').length, 0);
    });

    it('tmp/ unreadable: UNKNOWN', () => {
      assertFinding(only(evaluate(ready({ tmp: failure })), 'stale-tmp'), 'UNKNOWN', '(EIO)');
    });
  });

  describe('backlog in new/ (newAge 1 h / 1 d)', () => {
    // prettier-ignore
    const table: [number, Status, string][] = [
      [0, 'OK', '1 message in new/, the oldest 0s old'],
      [3600, 'OK', '1 message in new/, the oldest 1h old'],
      [3601, 'WARNING', '1 message in new/, the oldest 1h old, over 1h: is its consumer still polling?'],
      [86400, 'WARNING', 'the oldest 24h old, over 1h'],
      [86401, 'CRITICAL', 'the oldest 24h old, over 24h: is its consumer still polling?'],
      [3 * 86400, 'CRITICAL', 'the oldest 3d old, over 24h'],
      [-600, 'OK', 'the oldest 0s old'], // dated in the future: clock skew is not a backlog
    ];
    for (const [ageSeconds, status, text] of table) {
      it(`oldest ${ageSeconds} s → ${status}`, () => {
        const finding = only(
          evaluate(ready({ new: folder({ count: 1, bytes: 10, oldest: NOW - ageSeconds * 1000 }) })),
          'backlog',
        );
        assertFinding(finding, status, text);
        assert.deepEqual(finding.perf, [
          { label: 'new_age', value: Math.max(0, ageSeconds), unit: 's', warning: 3600, critical: 86400 },
          { label: 'new_count', value: 1, unit: '' },
        ]);
      });
    }

    it('empty new/: OK "new/ is empty"', () => {
      const finding = only(evaluate(ready()), 'backlog');
      assert.equal(finding.status, 'OK');
      assert.equal(finding.text, 'new/ is empty');
    });

    it('several messages are counted', () => {
      const finding = only(
        evaluate(ready({ new: folder({ count: 12, oldest: NOW - 2 * HOUR }) })),
        'backlog',
      );
      assertFinding(finding, 'WARNING', '12 messages in new/, the oldest 2h old, over 1h');
    });

    it('only a warning level: never CRITICAL', () => {
      const finding = only(
        evaluate(ready({ new: folder({ count: 1, oldest: NOW - 30 * 86400_000 }) }), {
          newAge: { warning: 60, critical: undefined },
        }),
        'backlog',
      );
      assertFinding(finding, 'WARNING', 'over 1m');
    });

    it('newAge off (an archive): no backlog finding', () => {
      const findings = evaluate(ready({ new: folder({ count: 1, oldest: NOW - 30 * 86400_000 }) }), {
        newAge: undefined,
      });
      assert.equal(findings.filter((f) => f.check === 'backlog').length, 0);
    });

    it('new/ unreadable: UNKNOWN', () => {
      assertFinding(only(evaluate(ready({ new: failure })), 'backlog'), 'UNKNOWN', '(EIO)');
    });
  });

  describe('cur/ (curFiles, curSize)', () => {
    const limits = { curFiles: 10, curSize: 1024 };
    // prettier-ignore
    const table: [number, number, Status, string][] = [
      [0, 0, 'OK', '0 files, 0 B in cur/'],
      [1, 5, 'OK', '1 file, 5 B in cur/'],
      [10, 1024, 'OK', '10 files, 1.0 KiB in cur/'],
      [11, 100, 'WARNING', '11 files, 100 B in cur/: more than 10 files; Buildbot never deletes read mail'],
      [3, 1025, 'WARNING', '3 files, 1.0 KiB in cur/: more than 1.0 KiB;'],
      [11, 2048, 'WARNING', 'more than 10 files and more than 1.0 KiB'],
    ];
    for (const [count, bytes, status, text] of table) {
      it(`${count} files, ${bytes} bytes → ${status}`, () => {
        const finding = only(evaluate(ready({ cur: folder({ count, bytes }) }), limits), 'cur');
        assertFinding(finding, status, text);
        assert.deepEqual(finding.perf, [
          { label: 'cur_count', value: count, unit: '', warning: 10 },
          { label: 'cur_size', value: bytes, unit: 'B', warning: 1024 },
        ]);
      });
    }

    it('only curSize off: files still counted', () => {
      const finding = only(
        evaluate(ready({ cur: folder({ count: 11, bytes: 1e12 }) }), { curFiles: 10, curSize: undefined }),
        'cur',
      );
      assertFinding(finding, 'WARNING', 'more than 10 files');
      assert.doesNotMatch(finding.text, /more than [0-9.]+ [KGT]iB/);
    });

    it('both off: no cur finding', () => {
      const findings = evaluate(ready({ cur: folder({ count: 1e6, bytes: 1e12 }) }), {
        curFiles: undefined,
        curSize: undefined,
      });
      assert.equal(findings.filter((f) => f.check === 'cur').length, 0);
    });

    it('cur/ unreadable: UNKNOWN', () => {
      assertFinding(only(evaluate(ready({ cur: failure })), 'cur'), 'UNKNOWN', '(EIO)');
    });
  });
});

describe('formatBytes', () => {
  // prettier-ignore
  const table: [number, string][] = [
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [1024 ** 2, '1.0 MiB'],
    [5.25 * 1024 ** 3, '5.3 GiB'],
    [1024 ** 4, '1.0 TiB'],
    [1024 ** 5, '1024.0 TiB'],
  ];
  for (const [bytes, text] of table) {
    it(`${bytes} → ${JSON.stringify(text)}`, () => assert.equal(formatBytes(bytes), text));
  }
});
