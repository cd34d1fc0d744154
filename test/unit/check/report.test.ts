// The self-check's three outputs: text (silent when healthy), one monitoring-plugins line, JSON.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../../src/check/finding';
import { report, statusOf, type CheckResult } from '../../../src/check/report';

const ok = (target: string | undefined, check: string, text = 'fine'): Finding => ({
  ...(target === undefined ? {} : { target }),
  check,
  status: 'OK',
  text,
});
const HEALTHY: Finding[] = [
  ok(undefined, 'config', '/etc/t.json: valid and safe, 2 targets'),
  ok('bb1', 'maildir'),
  ok('bb1', 'backlog', 'new/ is empty'),
  ok('bb2', 'maildir'),
  ok(undefined, 'journal', '0 B in 0 records'),
];
/** A result for config /etc/t.json. */
const result = (findings: Finding[], repairs: string[] = []): CheckResult => ({
  config: '/etc/t.json',
  findings,
  repairs,
});
const warnBacklog: Finding = {
  target: 'bb2',
  check: 'backlog',
  status: 'WARNING',
  text: '1 message in new/, the oldest 2h old, over 1h: is its consumer still polling?',
  perf: [{ label: 'new_age', value: 7200.4, unit: 's', warning: 3600, critical: 86400 }],
};
const critMaildir: Finding = {
  target: 'bb1',
  check: 'maildir',
  status: 'CRITICAL',
  text: 'not a maildir: /m/cur is missing: deliveries defer until it is fixed',
};

describe('statusOf', () => {
  it('is the worst status of the findings', () => {
    assert.equal(statusOf(result(HEALTHY)), 'OK');
    assert.equal(statusOf(result([...HEALTHY, warnBacklog])), 'WARNING');
    assert.equal(statusOf(result([...HEALTHY, warnBacklog, critMaildir])), 'CRITICAL');
  });
});

describe('text report', () => {
  it('healthy: nothing at all (cron mails any output)', () => {
    assert.equal(report(result(HEALTHY), 'text', false), '');
    assert.equal(report({ config: undefined, findings: HEALTHY, repairs: [] }, 'text', false), '');
  });

  it('healthy and --verbose: a first line, then every check with OK', () => {
    assert.equal(
      report(result(HEALTHY), 'text', true),
      [
        'maildir-fanout check: OK: all is well (config /etc/t.json)',
        'OK config: /etc/t.json: valid and safe, 2 targets',
        'OK target bb1: maildir: fine',
        'OK target bb1: backlog: new/ is empty',
        'OK target bb2: maildir: fine',
        'OK journal: 0 B in 0 records',
        '',
      ].join('\n'),
    );
  });

  it('problems: the first line counts them, then only the problems, in order', () => {
    assert.equal(
      report(result([...HEALTHY, critMaildir, warnBacklog]), 'text', false),
      [
        'maildir-fanout check: CRITICAL: 2 problems (config /etc/t.json)',
        'CRITICAL target bb1: maildir: not a maildir: /m/cur is missing: deliveries defer until it is fixed',
        'WARNING target bb2: backlog: 1 message in new/, the oldest 2h old, over 1h: is its consumer still polling?',
        '',
      ].join('\n'),
    );
  });

  it('one problem: singular; maildir arguments: no "(config …)"', () => {
    const text = report(
      { config: undefined, findings: [...HEALTHY, warnBacklog], repairs: [] },
      'text',
      false,
    );
    assert.equal(text.split('\n')[0], 'maildir-fanout check: WARNING: 1 problem');
  });

  it('problems and --verbose: every finding, OK ones too', () => {
    const lines = report(result([...HEALTHY, warnBacklog]), 'text', true)
      .trimEnd()
      .split('\n');
    assert.equal(lines.length, 1 + HEALTHY.length + 1);
    assert.equal(lines[0], 'maildir-fanout check: WARNING: 1 problem (config /etc/t.json)');
  });

  it('repairs on a healthy result: the first line and the repairs, no OK lines', () => {
    assert.equal(
      report(result(HEALTHY, ['target bb1: removed /m/tmp/x (40h old)']), 'text', false),
      [
        'maildir-fanout check: OK: all is well (config /etc/t.json)',
        'repaired: target bb1: removed /m/tmp/x (40h old)',
        '',
      ].join('\n'),
    );
  });

  it('repairs come before the problems', () => {
    const lines = report(result([...HEALTHY, warnBacklog], ['finished x', 'removed y']), 'text', false).split(
      '\n',
    );
    assert.deepEqual(lines.slice(1, 4), [
      'repaired: finished x',
      'repaired: removed y',
      `WARNING target bb2: backlog: ${warnBacklog.text}`,
    ]);
  });

  it('UNKNOWN alone (refused to run as root)', () => {
    const finding: Finding = { check: 'config', status: 'UNKNOWN', text: 'refusing to run as root' };
    assert.equal(
      report(result([finding]), 'text', false),
      'maildir-fanout check: UNKNOWN: 1 problem (config /etc/t.json)\nUNKNOWN config: refusing to run as root\n',
    );
  });
});

describe('nagios report', () => {
  it('healthy: "OK - N targets healthy", one line', () => {
    assert.equal(report(result(HEALTHY), 'nagios', false), 'OK - 2 targets healthy\n');
  });

  it('one target: singular', () => {
    assert.equal(report(result([ok('bb1', 'maildir')]), 'nagios', false), 'OK - 1 target healthy\n');
  });

  it('problems: the worst status, each problem "target T: check: text", joined by "; "', () => {
    assert.equal(
      report(
        result([...HEALTHY, critMaildir, warnBacklog].map((f) => ({ ...f, perf: [] }))),
        'nagios',
        false,
      ),
      `CRITICAL - target bb1: maildir: ${critMaildir.text}; target bb2: backlog: ${warnBacklog.text}\n`,
    );
  });

  it('a "|" in a text does not start the perfdata early', () => {
    const finding: Finding = { check: 'config', status: 'CRITICAL', text: 'config x: a|b: bad' };
    const line = report(result([finding]), 'nagios', false);
    assert.equal(line, 'CRITICAL - config: config x: a/b: bad\n');
  });

  // prettier-ignore
  const perfTable: [string, Finding, string][] = [
    ['bytes, warn and crit', { ...ok('bb1', 'cur'), perf: [{ label: 'cur_size', value: 10, unit: 'B', warning: 20, critical: 30 }] }, "'bb1 cur_size'=10B;20;30;0"],
    ['seconds, rounded', { ...ok('bb1', 'backlog'), perf: [{ label: 'new_age', value: 7200.6, unit: 's', warning: 3600, critical: 86400 }] }, "'bb1 new_age'=7201s;3600;86400;0"],
    ['a count without thresholds', { ...ok('bb1', 'backlog'), perf: [{ label: 'new_count', value: 3, unit: '' }] }, "'bb1 new_count'=3;;;0"],
    ['only a warning', { ...ok('bb1', 'stale-tmp'), perf: [{ label: 'stale_tmp', value: 0, unit: '', warning: 0 }] }, "'bb1 stale_tmp'=0;0;;0"],
    ['low thresholds: "N:" (alert below N)', { ...ok('bb1', 'free-space'), perf: [{ label: 'free_space', value: 1e9, unit: 'B', warning: 5e8, critical: 1e8, low: true }] }, "'bb1 free_space'=1000000000B;500000000:;100000000:;0"],
    ['low thresholds, rounded', { ...ok('bb1', 'free-inodes'), perf: [{ label: 'free_inodes', value: 99, unit: '', warning: 51.2, critical: 10.24, low: true }] }, "'bb1 free_inodes'=99;51:;10:;0"],
    ['no target: the label alone', { ...ok(undefined, 'journal'), perf: [{ label: 'journal_size', value: 0, unit: 'B', warning: 256 }] }, "'journal_size'=0B;256;;0"],
    ["a quote in a target name is doubled", { ...ok("bob's", 'cur'), perf: [{ label: 'cur_count', value: 1, unit: '' }] }, "'bob''s cur_count'=1;;;0"],
    ['"=" in a target name becomes "_"', { ...ok('a=b', 'cur'), perf: [{ label: 'cur_count', value: 1, unit: '' }] }, "'a_b cur_count'=1;;;0"],
  ];
  for (const [name, finding, perf] of perfTable) {
    it(`perfdata, ${name}: ${perf}`, () => {
      const line = report(result([finding]), 'nagios', false);
      assert.equal(line.slice(line.indexOf(' | ')), ` | ${perf}\n`);
    });
  }

  it('perfdata of every finding, OK or not, separated by one space, after " | "', () => {
    const findings: Finding[] = [
      {
        ...ok('bb1', 'cur'),
        perf: [
          { label: 'cur_count', value: 1, unit: '' },
          { label: 'cur_size', value: 2, unit: 'B' },
        ],
      },
      warnBacklog,
    ];
    assert.equal(
      report(result(findings), 'nagios', false),
      `WARNING - target bb2: backlog: ${warnBacklog.text} | 'bb1 cur_count'=1;;;0 'bb1 cur_size'=2B;;;0 'bb2 new_age'=7200s;3600;86400;0\n`,
    );
  });
});

describe('json report', () => {
  it('status, exit, config, every finding and the repairs', () => {
    const findings = [...HEALTHY, warnBacklog];
    const parsed = JSON.parse(report(result(findings, ['removed x']), 'json', false)) as unknown;
    assert.deepEqual(parsed, {
      status: 'WARNING',
      exit: 1,
      config: '/etc/t.json',
      findings: JSON.parse(JSON.stringify(findings)) as unknown,
      repairs: ['removed x'],
    });
  });

  it('maildir arguments: "config": null, present rather than left out', () => {
    const text = report({ config: undefined, findings: HEALTHY, repairs: [] }, 'json', false);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    assert.ok('config' in parsed, text);
    assert.equal(parsed.config, null);
    assert.deepEqual(Object.keys(parsed), ['status', 'exit', 'config', 'findings', 'repairs']);
  });

  it('healthy: status OK, exit 0; --verbose changes nothing', () => {
    const text = report(result(HEALTHY), 'json', false);
    assert.equal(text, report(result(HEALTHY), 'json', true));
    assert.ok(text.endsWith('}\n'));
    const parsed = JSON.parse(text) as { status: string; exit: number; findings: unknown[] };
    assert.equal(parsed.status, 'OK');
    assert.equal(parsed.exit, 0);
    assert.equal(parsed.findings.length, HEALTHY.length);
  });

  it('CRITICAL → exit 2, UNKNOWN alone → exit 3', () => {
    const critical = JSON.parse(report(result([...HEALTHY, critMaildir]), 'json', false)) as { exit: number };
    assert.equal(critical.exit, 2);
    const unknown = JSON.parse(
      report(result([{ check: 'config', status: 'UNKNOWN', text: 'refusing' }]), 'json', false),
    ) as { status: string; exit: number };
    assert.deepEqual([unknown.status, unknown.exit], ['UNKNOWN', 3]);
  });
});
