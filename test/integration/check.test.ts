// `maildir-fanout check` (issue 6; DESIGN.md, "Self-check (cron)") through the built CLI, the way
// cron or a monitoring system runs it, unprivileged. Every fault is real: files aged with
// touch -d, chmod, a missing cur/, a tiny tmpfs, a fsync made to fail with strace, a journal
// intent of a process that is gone. Each test asserts the exit status (0 OK, 1 WARNING,
// 2 CRITICAL, 3 UNKNOWN), the status word, the target and the check named, and the measured value
// and threshold in the text; healthy means exit 0 and no output at all.
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { recordName, type JournalLayout } from '../../src/journal/layout';
import type { JournalRecord } from '../../src/journal/record';
import {
  age,
  assertReport,
  assertSilent,
  deadPid,
  freeOf,
  lineOf,
  mountTmpfs,
  parseJson,
  parseNagios,
  plantRecord,
  runCheck,
  unmount,
} from './check-helpers';
import { assertOneCopyEach, EX_TEMPFAIL, MESSAGE } from './fault-helpers';
import { asRoot, listMaildir, runCli, sandbox, type Sandbox } from './harness';
import {
  digestOf,
  journalOf,
  names,
  prepareJournal,
  readRecordIn,
  runWithInjection,
} from './journal-helpers';

const TARGETS = ['alpha', 'beta', 'gamma'] as const;
const CHECKS = ['maildir', 'probe', 'free-space', 'free-inodes', 'stale-tmp', 'backlog', 'cur'];

interface Place {
  /** The place's folder, relative to the sandbox. */
  readonly name: string;
  /** Maildir of each target, by name. */
  readonly dirs: Record<string, string>;
  readonly state: string;
  /** Writes the config (3 targets, the journal in `state`), with `extra` on top; returns its path. */
  config(extra?: Record<string, unknown>, targets?: Record<string, Record<string, unknown>>): string;
  /** Writes a file (owned by the CLI's user) at a path relative to the place. */
  file(relative: string, content?: string | Buffer): string;
  journal(): JournalLayout;
}

/** A fresh folder per test: maildirs alpha, beta, gamma and a journal folder of its own. */
function places(box: Sandbox): () => Place {
  let count = 0;
  return () => {
    const name = `p${++count}`;
    const dirs = Object.fromEntries(TARGETS.map((t) => [t, box.maildir(`${name}/${t}`)]));
    const state = join(box.dir, name, 'state');
    return {
      name,
      dirs,
      state,
      config: (extra = {}, targets = {}) =>
        box.config(
          {
            targets: TARGETS.map((t) => ({ name: t, path: dirs[t], ...targets[t] })),
            journal: { dir: state },
            ...extra,
          },
          `${name}/targets.json`,
        ),
      file: (relative, content = 'x') => box.file(`${name}/${relative}`, content, 0o600),
      journal: () => prepareJournal(state, (path) => box.own(path)),
    };
  };
}

/** A journal record of `pid` for `message` with one copy per target in `dirs` (tmp/ → new/). */
function recordOf(
  message: string,
  pid: number,
  dirs: Record<string, string>,
  targets: readonly string[],
  created = new Date(),
): JournalRecord {
  const name = `${Math.floor(created.getTime() / 1000)}.M1P${pid}.testhost`;
  return {
    version: 1,
    digest: digestOf(message),
    host: 'testhost',
    pid,
    created: created.toISOString(),
    delivered: [],
    copies: targets.map((t) => ({
      target: t,
      maildir: dirs[t]!,
      tmp: join(dirs[t]!, 'tmp', name),
      new: join(dirs[t]!, 'new', name),
    })),
  };
}

/** Writes the synced tmp/ copies a record names, as the run that wrote it left them; returns their paths. */
function writeCopies(record: JournalRecord, content: string, own: (path: string) => void): string[] {
  return record.copies.map((copy) => {
    writeFileSync(copy.tmp, content, { mode: 0o600 });
    own(copy.tmp);
    return copy.tmp;
  });
}

describe('maildir-fanout check', () => {
  const box = sandbox();
  after(() => box.remove());
  const place = places(box);
  const own = (path: string): void => box.own(path);

  describe('a healthy config of 3 targets', () => {
    it('exits 0 with no output at all', async () => {
      const p = place();
      assertSilent(await runCheck(['-c', p.config()]));
    });

    it('-v prints every check of every target with OK, and exits 0', async () => {
      const p = place();
      const config = p.config();
      const result = await runCheck(['-v', '-c', config]);
      const lines = assertReport(result, 0, 'OK');
      assert.equal(lines[0], `maildir-fanout check: OK: all is well (config ${config})`);
      assert.equal(lineOf(lines, 'OK', undefined, 'config'), `${config}: valid and safe, 3 targets`);
      for (const t of TARGETS) for (const check of CHECKS) lineOf(lines, 'OK', t, check);
      assert.match(lineOf(lines, 'OK', undefined, 'journal'), /^0 B in 0 records /);
      assert.equal(lines.length, 1 + 1 + TARGETS.length * CHECKS.length + 1, lines.join('\n'));
      assert.match(
        lineOf(lines, 'OK', 'alpha', 'stale-tmp'),
        /^no file in tmp\/ older than 36h \(0 in all\)$/,
      );
    });

    it('--format nagios: one line "OK - 3 targets healthy | perfdata", every value parsed, exit 0', async () => {
      const p = place();
      const result = await runCheck(['--format', 'nagios', '-c', p.config()]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.equal(result.stderr, '');
      const nagios = parseNagios(result.stdout);
      assert.equal(nagios.status, 'OK');
      assert.equal(nagios.summary, '3 targets healthy');
      const labels = nagios.perf.map((v) => v.label);
      const perTarget = [
        'free_space',
        'free_inodes',
        'stale_tmp',
        'new_age',
        'new_count',
        'cur_count',
        'cur_size',
      ];
      assert.deepEqual(labels, [
        ...TARGETS.flatMap((t) => perTarget.map((l) => `${t} ${l}`)),
        'journal_size',
        'journal_unfinished',
      ]);
      const perf = (label: string) => nagios.perf.find((v) => v.label === label)!;
      assert.equal(perf('alpha new_age').uom, 's');
      assert.deepEqual([perf('alpha new_age').warn, perf('alpha new_age').crit], ['3600', '86400']);
      assert.equal(perf('beta cur_count').warn, '10000');
      assert.equal(perf('beta cur_size').uom, 'B');
      assert.equal(perf('beta cur_size').warn, String(1024 ** 3));
      assert.equal(perf('gamma free_space').uom, 'B');
      assert.ok(perf('gamma free_space').value > 0);
      assert.equal(perf('journal_size').warn, String(256 * 1024 ** 2));
      assert.deepEqual([perf('journal_unfinished').value, perf('journal_unfinished').warn], [0, '0']);
      for (const v of nagios.perf) assert.equal(v.min, '0', v.label);
    });

    // Regression: free space and inodes alert when the value falls BELOW the threshold; the
    // plugin range for that is "N:" (monitoring-plugins guidelines), and a plain "N" means
    // "alert above N": a plugin framework evaluating the perfdata would flag every healthy disk.
    it('regression: --format nagios writes free_space / free_inodes thresholds as the low range "N:"', async () => {
      const p = place();
      const nagios = parseNagios((await runCheck(['--format', 'nagios', '-c', p.config()])).stdout);
      const low = nagios.perf.filter((x) => /free_(space|inodes)$/.test(x.label));
      assert.equal(low.length, 2 * TARGETS.length, 'free space and inodes of every target');
      for (const v of low) {
        assert.match(v.warn, /^[0-9]+:$/, `${v.label} warning range`);
        assert.match(v.crit, /^[0-9]+:$/, `${v.label} critical range`);
        // "N:" alerts below N: a healthy disk is above both.
        assert.ok(v.value >= Number(v.warn.slice(0, -1)), `${v.label} is healthy`);
        assert.ok(Number(v.warn.slice(0, -1)) >= Number(v.crit.slice(0, -1)), v.label);
      }
    });

    it('--format json: status OK, exit 0, the config, every check of every target OK, no repairs', async () => {
      const p = place();
      const config = p.config();
      const result = await runCheck(['--format', 'json', '-c', config]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.equal(result.stderr, '');
      const json = parseJson(result.stdout);
      assert.equal(json.status, 'OK');
      assert.equal(json.exit, 0);
      assert.equal(json.config, config);
      assert.deepEqual(json.repairs, []);
      for (const t of TARGETS) {
        const mine = json.findings.filter((f) => f.target === t);
        assert.deepEqual(
          mine.map((f) => [f.check, f.status]),
          CHECKS.map((c) => [c, 'OK']),
          t,
        );
      }
      assert.deepEqual(
        json.findings.filter((f) => f.target === undefined).map((f) => [f.check, f.status]),
        [
          ['config', 'OK'],
          ['journal', 'OK'],
        ],
      );
      const backlog = json.findings.find((f) => f.target === 'beta' && f.check === 'backlog');
      assert.deepEqual(backlog?.perf?.[0], {
        label: 'new_age',
        value: 0,
        unit: 's',
        warning: 3600,
        critical: 86400,
      });
    });

    it('maildirs given as arguments instead of a config: silent, exit 0', async () => {
      const p = place();
      assertSilent(await runCheck([p.dirs.alpha!, p.dirs.beta!]));
    });

    it('maildir arguments, -v: the config line says "maildir arguments", no "(config …)"', async () => {
      const p = place();
      const lines = assertReport(await runCheck(['-v', p.dirs.alpha!, p.dirs.beta!]), 0, 'OK');
      assert.equal(lines[0], 'maildir-fanout check: OK: all is well');
      assert.equal(lineOf(lines, 'OK', undefined, 'config'), 'maildir arguments: valid and safe, 2 targets');
    });

    it('maildir arguments, --format json: "config": null', async () => {
      const p = place();
      const result = await runCheck(['--format', 'json', p.dirs.alpha!]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const json = parseJson(result.stdout);
      assert.ok('config' in json, result.stdout);
      assert.equal(json.config, null);
      assert.equal(
        json.findings.find((f) => f.check === 'config')?.text,
        'maildir arguments: valid and safe, 1 target',
      );
    });

    it('--repair with nothing to repair: silent, exit 0', async () => {
      const p = place();
      assertSilent(await runCheck(['--repair', '-c', p.config()]));
    });
  });

  describe('one finding each', () => {
    it('cur/ missing: CRITICAL (exit 2) "maildir", naming the target and the folder', async () => {
      const p = place();
      rmdirSync(join(p.dirs.gamma!, 'cur'));
      const lines = assertReport(await runCheck(['-c', p.config()]), 2, 'CRITICAL', '1 problem');
      const text = lineOf(lines, 'CRITICAL', 'gamma', 'maildir');
      assert.equal(
        text,
        `not a maildir: ${p.dirs.gamma!}/cur is missing or not a directory: deliveries defer until it is fixed`,
      );
      assert.equal(lines.length, 2, 'alpha and beta are healthy: not reported');
    });

    it('tmp/ not writable (chmod 0500): CRITICAL "maildir", permission denied (EACCES) on that tmp/', async () => {
      const p = place();
      chmodSync(join(p.dirs.beta!, 'tmp'), 0o500);
      const lines = assertReport(await runCheck(['-c', p.config()]), 2, 'CRITICAL');
      assert.match(
        lineOf(lines, 'CRITICAL', 'beta', 'maildir'),
        new RegExp(`^cannot create files in ${p.dirs.beta!}/tmp: permission denied \\(EACCES\\)`),
      );
      chmodSync(join(p.dirs.beta!, 'tmp'), 0o700);
    });

    it('maildir missing with "create": true: WARNING (exit 1), the next delivery creates it; check does not', async () => {
      const p = place();
      const missing = join(p.dirs.gamma!, '..', 'gamma-new');
      const config = p.config({}, { gamma: { path: missing, create: true } });
      const lines = assertReport(await runCheck(['-c', config]), 1, 'WARNING');
      assert.match(
        lineOf(lines, 'WARNING', 'gamma', 'maildir'),
        /^maildir \S+gamma-new does not exist; the next delivery creates it \("create": true\)$/,
      );
      assert.equal(existsSync(missing), false, 'check only looks');
    });

    it('maildir missing without "create": CRITICAL', async () => {
      const p = place();
      const config = p.config({}, { beta: { path: join(p.dirs.beta!, '..', 'nowhere') } });
      const lines = assertReport(await runCheck(['-c', config]), 2, 'CRITICAL');
      assert.match(lineOf(lines, 'CRITICAL', 'beta', 'maildir'), /nowhere does not exist: deliveries defer/);
    });

    it('the probe write fails (strace: fsync → EIO): CRITICAL "probe", and the probe file is gone', async () => {
      const p = place();
      // One fsync per target's probe, issued in config order on libuv's one thread: the 2nd is beta's.
      const result = await runWithInjection(
        { syscall: 'fsync', errno: 'EIO', when: 2 },
        ['check', '-c', p.config()],
        '',
      );
      const lines = assertReport(result, 2, 'CRITICAL', '1 problem');
      assert.equal(
        lineOf(lines, 'CRITICAL', 'beta', 'probe'),
        `probe write in ${p.dirs.beta!}/tmp: input/output error (EIO): deliveries defer until it is fixed`,
      );
      for (const t of TARGETS) assert.deepEqual(listMaildir(p.dirs[t]!).tmp, [], `tmp/ of ${t}`);
    });

    it('free space under a threshold larger than the disk: WARNING "free-space" with the amount and the threshold', async () => {
      const p = place();
      const config = p.config({}, { alpha: { check: { freeSpace: { warning: '1000000G' } } } });
      const lines = assertReport(await runCheck(['-c', config]), 1, 'WARNING', '1 problem');
      assert.match(
        lineOf(lines, 'WARNING', 'alpha', 'free-space'),
        /^[0-9.]+ [KMGT]i?B free of [0-9.]+ [KMGT]iB \([0-9.]+%\), below 976\.6 TiB$/,
      );
    });

    it('free space under a share of the disk: CRITICAL "below 99.98%", WARNING "below 99.99%"', async () => {
      const p = place();
      const config = p.config(
        {},
        {
          alpha: { check: { freeSpace: { warning: '99.99%', critical: '99.98%' } } },
          beta: { check: { freeSpace: { warning: '99.99%' } } },
        },
      );
      const lines = assertReport(await runCheck(['-c', config]), 2, 'CRITICAL', '2 problems');
      assert.match(lineOf(lines, 'CRITICAL', 'alpha', 'free-space'), /free of .*, below 99\.98%$/);
      assert.match(lineOf(lines, 'WARNING', 'beta', 'free-space'), /free of .*, below 99\.99%$/);
    });

    it('a file in tmp/ 40 hours old: WARNING "stale-tmp" with its age and the 36 h threshold; check removes nothing', async () => {
      const p = place();
      const old = p.file('alpha/tmp/1700000000.M1P1.deadhost');
      age(old, '40 hours ago');
      const lines = assertReport(await runCheck(['-c', p.config()]), 1, 'WARNING', '1 problem');
      assert.equal(
        lineOf(lines, 'WARNING', 'alpha', 'stale-tmp'),
        '1 file in tmp/ older than 36h, the oldest 40h: abandoned by a writer that was killed; --repair removes them',
      );
      assert.ok(existsSync(old));
    });

    it('a file in tmp/ 30 hours old: not stale yet, silent', async () => {
      const p = place();
      age(p.file('alpha/tmp/1700000000.M1P1.deadhost'), '30 hours ago');
      assertSilent(await runCheck(['-c', p.config()]));
    });

    it('--format json on a stale tmp/ file: status WARNING, exit 1, the finding with its perfdata', async () => {
      const p = place();
      age(p.file('beta/tmp/old'), '3 days ago');
      const result = await runCheck(['--format', 'json', '-c', p.config()]);
      assert.equal(result.code, 1, result.stdout);
      const json = parseJson(result.stdout);
      assert.deepEqual([json.status, json.exit], ['WARNING', 1]);
      const stale = json.findings.filter((f) => f.status !== 'OK');
      assert.equal(stale.length, 1);
      assert.equal(stale[0]!.target, 'beta');
      assert.equal(stale[0]!.check, 'stale-tmp');
      assert.match(stale[0]!.text, /^1 file in tmp\/ older than 36h, the oldest 3d/);
      assert.deepEqual(stale[0]!.perf, [{ label: 'stale_tmp', value: 1, unit: '', warning: 0 }]);
    });

    it('a message waiting in new/ for 2 hours: WARNING "backlog", over 1 h', async () => {
      const p = place();
      age(p.file('beta/new/1700000000.M1P1.host'), '2 hours ago');
      const lines = assertReport(await runCheck(['-c', p.config()]), 1, 'WARNING', '1 problem');
      assert.equal(
        lineOf(lines, 'WARNING', 'beta', 'backlog'),
        '1 message in new/, the oldest 2h old, over 1h: is its consumer still polling?',
      );
    });

    it('a message waiting in new/ for 2 days: CRITICAL "backlog", over 24 h; nagios names it, new_age in perfdata', async () => {
      const p = place();
      age(p.file('gamma/new/1700000000.M1P1.host'), '2 days ago');
      const config = p.config();
      const lines = assertReport(await runCheck(['-c', config]), 2, 'CRITICAL', '1 problem');
      assert.equal(
        lineOf(lines, 'CRITICAL', 'gamma', 'backlog'),
        '1 message in new/, the oldest 2d old, over 24h: is its consumer still polling?',
      );
      const result = await runCheck(['--format', 'nagios', '-c', config]);
      assert.equal(result.code, 2);
      const nagios = parseNagios(result.stdout);
      assert.equal(nagios.status, 'CRITICAL');
      assert.equal(
        nagios.summary,
        'target gamma: backlog: 1 message in new/, the oldest 2d old, over 24h: is its consumer still polling?',
      );
      const newAge = nagios.perf.find((v) => v.label === 'gamma new_age')!;
      assert.ok(Math.abs(newAge.value - 172800) < 60, String(newAge.value));
      assert.deepEqual([newAge.uom, newAge.warn, newAge.crit], ['s', '3600', '86400']);
    });

    it('"check": {"newAge": false} on an archive nobody reads: its old mail is no backlog', async () => {
      const p = place();
      age(p.file('gamma/new/1700000000.M1P1.host'), '30 days ago');
      assertSilent(await runCheck(['-c', p.config({}, { gamma: { check: { newAge: false } } })]));
    });

    it('cur/ over curFiles and curSize: WARNING "cur" with the count, the size and both thresholds', async () => {
      const p = place();
      for (const n of [1, 2, 3]) p.file(`alpha/cur/17000000${n}.M1P1.host:2,S`, 'x'.repeat(700));
      const config = p.config({}, { alpha: { check: { curFiles: 2, curSize: '1K' } } });
      const lines = assertReport(await runCheck(['-c', config]), 1, 'WARNING', '1 problem');
      assert.equal(
        lineOf(lines, 'WARNING', 'alpha', 'cur'),
        '3 files, 2.1 KiB in cur/: more than 2 files and more than 1.0 KiB; Buildbot never deletes read mail, expire it from cron',
      );
    });

    it('an intent left by a process that is gone, its tmp/ copies present: WARNING "journal" naming the targets; nothing changes', async () => {
      const p = place();
      const layout = p.journal();
      const message = 'Subject: interrupted\n\nbody\n';
      const record = recordOf(message, deadPid(), p.dirs, ['alpha', 'beta']);
      writeCopies(record, message, own);
      const pending = plantRecord(layout, record, own);
      const lines = assertReport(await runCheck(['-c', p.config()]), 1, 'WARNING', '1 problem');
      assert.equal(
        lineOf(lines, 'WARNING', undefined, 'journal'),
        '1 interrupted delivery has copies for alpha, beta waiting in tmp/, unseen by the consumers until the next delivery; --repair publishes them now',
      );
      assert.ok(existsSync(pending), 'check alone finishes nothing');
      for (const copy of record.copies) assert.ok(existsSync(copy.tmp));
    });

    it('--state-dir: the journal looked at is the one given (a config without journal.dir)', async () => {
      const p = place();
      const layout = p.journal();
      const message = 'Subject: state dir\n\nbody\n';
      const record = recordOf(message, deadPid(), p.dirs, ['gamma']);
      writeCopies(record, message, own);
      plantRecord(layout, record, own);
      const config = box.config(
        { targets: TARGETS.map((t) => ({ name: t, path: p.dirs[t] })) },
        `${p.name}/no-journal-dir.json`,
      );
      assertSilent(await runCheck(['-c', config]));
      const lines = assertReport(await runCheck(['--state-dir', p.state, '-c', config]), 1, 'WARNING');
      assert.match(
        lineOf(lines, 'WARNING', undefined, 'journal'),
        /^1 interrupted delivery has copies for gamma waiting in tmp\//,
      );
    });

    it('an intent of a process that is gone whose copies are all in new/: harmless, silent; -v says so', async () => {
      const p = place();
      const layout = p.journal();
      const message = 'Subject: published, not marked done\n\nbody\n';
      const record = recordOf(message, deadPid(), p.dirs, ['alpha', 'beta']);
      for (const copy of record.copies) {
        writeFileSync(copy.new, message);
        own(copy.new);
      }
      plantRecord(layout, record, own);
      const config = p.config();
      assertSilent(await runCheck(['-c', config]));
      const lines = assertReport(await runCheck(['-v', '-c', config]), 0, 'OK');
      assert.equal(
        lineOf(
          lines.filter((line) => line.includes('not yet marked done')),
          'OK',
          undefined,
          'journal',
        ),
        '1 finished delivery is not yet marked done (harmless; the next delivery or --repair records it)',
      );
    });

    it('--format nagios with an interrupted delivery: WARNING, the same perfdata labels as when healthy', async () => {
      const p = place();
      const config = p.config();
      const healthy = parseNagios((await runCheck(['--format', 'nagios', '-c', config])).stdout);
      const layout = p.journal();
      const message = 'Subject: labels\n\nbody\n';
      const record = recordOf(message, deadPid(), p.dirs, ['alpha']);
      writeCopies(record, message, own);
      plantRecord(layout, record, own);
      const result = await runCheck(['--format', 'nagios', '-c', config]);
      assert.equal(result.code, 1, result.stdout);
      const stuck = parseNagios(result.stdout);
      assert.equal(stuck.status, 'WARNING');
      assert.equal(
        stuck.summary,
        'journal: 1 interrupted delivery has copies for alpha waiting in tmp/, unseen by the consumers until the next delivery; --repair publishes them now',
      );
      // Graphs need every label on every run: none missing, none twice.
      assert.deepEqual(stuck.perf.map((v) => v.label).sort(), healthy.perf.map((v) => v.label).sort());
      const unfinished = stuck.perf.find((v) => v.label === 'journal_unfinished')!;
      assert.deepEqual([unfinished.value, unfinished.warn], [1, '0']);
    });

    it('an intent of a process still running: a delivery in progress, silent', async () => {
      const p = place();
      const layout = p.journal();
      const message = 'Subject: in progress\n\nbody\n';
      const record = recordOf(message, process.pid, p.dirs, ['alpha']);
      writeCopies(record, message, own);
      plantRecord(layout, record, own);
      assertSilent(await runCheck(['-c', p.config()]));
    });

    it('a record moved aside to corrupt/: WARNING "journal" pointing there', async () => {
      const p = place();
      const layout = p.journal();
      const corrupt = join(layout.corrupt, `${recordName('e'.repeat(64))}.1700000000000`);
      writeFileSync(corrupt, '{"version": 1, "dig');
      box.own(corrupt);
      const lines = assertReport(await runCheck(['-c', p.config()]), 1, 'WARNING', '1 problem');
      assert.equal(
        lineOf(lines, 'WARNING', undefined, 'journal'),
        `1 unreadable record moved aside in ${layout.root}/corrupt: a retry of that message may have added a duplicate; inspect, then remove them`,
      );
    });

    it('the journal over journalSize: WARNING "journal" with its size and the limit', async () => {
      const p = place();
      const layout = p.journal();
      const record = recordOf('Subject: done\n\nbody\n', deadPid(), p.dirs, TARGETS);
      const path = plantRecord(layout, record, own, 'done');
      const bytes = readFileSync(path).length;
      assert.ok(bytes > 200, String(bytes));
      const lines = assertReport(
        await runCheck(['-c', p.config({ check: { journalSize: 200 } })]),
        1,
        'WARNING',
      );
      assert.equal(
        lineOf(lines, 'WARNING', undefined, 'journal'),
        `${bytes} B in 1 records, more than 200 B`,
      );
    });
  });

  describe('free space and inodes on a tiny tmpfs (1 MiB, 64 inodes)', () => {
    const fsBox = sandbox();
    const mount = join(fsBox.dir, 'fs');
    let why: string | undefined = 'not mounted yet';
    let maildir = '';
    let fill = '';
    let config = '';
    before(() => {
      why = mountTmpfs(mount, '1m', 64);
      if (why !== undefined) return;
      maildir = fsBox.maildir('fs/tiny');
      fill = join(mount, 'fill');
      mkdirSync(join(mount, 'inodes'));
      config = fsBox.config({
        targets: [{ name: 'tiny', path: maildir }],
        journal: { dir: join(fsBox.dir, 'state') },
      });
    });
    after(() => {
      if (why === undefined) unmount(mount);
      fsBox.remove();
    });
    /** Grows or shrinks the fill file so that `blocks` blocks stay free. */
    const leaveBlocks = (blocks: number): void => {
      const { bytes, blockSize } = freeOf(mount);
      const current = existsSync(fill) ? statSync(fill).size : 0;
      writeFileSync(fill, Buffer.alloc(Math.max(0, current + bytes - blocks * blockSize)));
      assert.equal(freeOf(mount).bytes, blocks * blockSize, 'the fill left the wanted room');
    };
    /** Creates or removes empty files so that `inodes` inodes stay free. */
    const leaveInodes = (inodes: number): void => {
      let n = 0;
      const dir = join(mount, 'inodes');
      while (freeOf(mount).inodes > inodes) writeFileSync(join(dir, `i${++n}`), '');
      assert.equal(freeOf(mount).inodes, inodes);
    };
    const skipUnlessMounted = (t: { skip(message: string): void }): boolean => {
      if (why === undefined) return false;
      t.skip(`no tmpfs: ${why}`);
      return true;
    };

    it('3 % free: WARNING "free-space", below the default 5 %', async (t) => {
      if (skipUnlessMounted(t)) return;
      leaveBlocks(8);
      const lines = assertReport(await runCheck(['-c', config]), 1, 'WARNING', '1 problem');
      assert.equal(
        lineOf(lines, 'WARNING', 'tiny', 'free-space'),
        '32.0 KiB free of 1.0 MiB (3.1%), below 5%',
      );
    });

    it('under 1 % free: CRITICAL "free-space", below 1 %; the JSON and nagios outputs agree', async (t) => {
      if (skipUnlessMounted(t)) return;
      leaveBlocks(2);
      const lines = assertReport(await runCheck(['-c', config]), 2, 'CRITICAL', '1 problem');
      assert.equal(
        lineOf(lines, 'CRITICAL', 'tiny', 'free-space'),
        '8.0 KiB free of 1.0 MiB (0.8%), below 1%',
      );
      const json = parseJson((await runCheck(['--format', 'json', '-c', config])).stdout);
      assert.deepEqual([json.status, json.exit], ['CRITICAL', 2]);
      const finding = json.findings.find((f) => f.check === 'free-space')!;
      assert.deepEqual(finding.perf?.[0], {
        label: 'free_space',
        value: 8192,
        unit: 'B',
        warning: (1024 * 1024 * 5) / 100,
        critical: (1024 * 1024) / 100,
        ...(finding.perf?.[0]?.low === undefined ? {} : { low: true }),
      });
      const nagios = parseNagios((await runCheck(['--format', 'nagios', '-c', config])).stdout);
      assert.equal(nagios.status, 'CRITICAL');
      assert.equal(nagios.summary, 'target tiny: free-space: 8.0 KiB free of 1.0 MiB (0.8%), below 1%');
      assert.equal(nagios.perf.find((v) => v.label === 'tiny free_space')?.value, 8192);
    });

    it('full: the probe write fails with ENOSPC (CRITICAL "probe") and free space is 0', async (t) => {
      if (skipUnlessMounted(t)) return;
      leaveBlocks(0);
      const lines = assertReport(await runCheck(['-c', config]), 2, 'CRITICAL', '2 problems');
      assert.match(lineOf(lines, 'CRITICAL', 'tiny', 'probe'), /no space left on device \(ENOSPC\)/);
      assert.equal(lineOf(lines, 'CRITICAL', 'tiny', 'free-space'), '0 B free of 1.0 MiB (0.0%), below 1%');
      assert.deepEqual(listMaildir(maildir).tmp, [], 'no probe file left');
      truncateSync(fill, 0);
    });

    it('2 of 64 inodes free: WARNING "free-inodes", below the default 5 %', async (t) => {
      if (skipUnlessMounted(t)) return;
      truncateSync(fill, 0);
      leaveInodes(2);
      const lines = assertReport(await runCheck(['-c', config]), 1, 'WARNING', '1 problem');
      assert.equal(lineOf(lines, 'WARNING', 'tiny', 'free-inodes'), '2 inodes free of 64 (3.1%), below 5%');
    });

    it('inode thresholds as numbers (warning 40, critical 10): 2 free is CRITICAL "below 10 inodes"', async (t) => {
      if (skipUnlessMounted(t)) return;
      const own = fsBox.config(
        {
          targets: [{ name: 'tiny', path: maildir, check: { freeInodes: { warning: 40, critical: 10 } } }],
          journal: { dir: join(fsBox.dir, 'state') },
        },
        'numbers.json',
      );
      const lines = assertReport(await runCheck(['-c', own]), 2, 'CRITICAL', '1 problem');
      assert.equal(
        lineOf(lines, 'CRITICAL', 'tiny', 'free-inodes'),
        '2 inodes free of 64 (3.1%), below 10 inodes',
      );
      for (const name of ['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8', 'i9', 'i10'])
        unlinkSync(join(mount, 'inodes', name));
      const warned = assertReport(await runCheck(['-c', own]), 1, 'WARNING', '1 problem');
      assert.equal(
        lineOf(warned, 'WARNING', 'tiny', 'free-inodes'),
        '12 inodes free of 64 (18.8%), below 40 inodes',
      );
    });
  });

  describe('thresholds from the config', () => {
    it("a target's own tmpAge overrides the global one", async () => {
      const p = place();
      for (const t of TARGETS) age(p.file(`${t}/tmp/old`), '30 hours ago');
      const config = p.config({ check: { tmpAge: '48h' } }, { alpha: { check: { tmpAge: '24h' } } });
      const lines = assertReport(await runCheck(['-c', config]), 1, 'WARNING', '1 problem');
      assert.match(
        lineOf(lines, 'WARNING', 'alpha', 'stale-tmp'),
        /^1 file in tmp\/ older than 24h, the oldest 30h:/,
      );
    });

    it('false turns a check off globally; a target can turn it on again with its own levels', async () => {
      const p = place();
      for (const t of TARGETS) {
        age(p.file(`${t}/new/1700000000.M1P1.host`), '2 days ago');
        age(p.file(`${t}/tmp/old`), '40 hours ago');
      }
      const config = p.config(
        { check: { newAge: false, tmpAge: false } },
        { beta: { check: { newAge: { warning: '1h', critical: '3d' } } } },
      );
      const lines = assertReport(await runCheck(['-c', config]), 1, 'WARNING', '1 problem');
      assert.match(lineOf(lines, 'WARNING', 'beta', 'backlog'), /the oldest 2d old, over 1h:/);
    });

    it('a levels object naming only the warning keeps the default critical: 2 days in new/ is still CRITICAL', async () => {
      const p = place();
      age(p.file('gamma/new/1700000000.M1P1.host'), '2 days ago');
      const config = p.config({}, { gamma: { check: { newAge: { warning: '3h' } } } });
      const lines = assertReport(await runCheck(['-c', config]), 2, 'CRITICAL', '1 problem');
      assert.match(lineOf(lines, 'CRITICAL', 'gamma', 'backlog'), /the oldest 2d old, over 24h:/);
      const nagios = parseNagios((await runCheck(['--format', 'nagios', '-c', config])).stdout);
      const newAge = nagios.perf.find((v) => v.label === 'gamma new_age')!;
      assert.deepEqual([newAge.warn, newAge.crit], ['10800', '86400']);
    });

    it("a target's levels object keeps the global level it does not name", async () => {
      const p = place();
      for (const t of TARGETS) age(p.file(`${t}/new/1700000000.M1P1.host`), '40 hours ago');
      const config = p.config(
        { check: { newAge: { warning: '1h', critical: '30h' } } },
        { beta: { check: { newAge: { warning: '2h' } } }, gamma: { check: { newAge: { critical: '3d' } } } },
      );
      const lines = assertReport(await runCheck(['-c', config]), 2, 'CRITICAL', '3 problems');
      assert.match(lineOf(lines, 'CRITICAL', 'alpha', 'backlog'), /, over 30h:/);
      assert.match(lineOf(lines, 'CRITICAL', 'beta', 'backlog'), /, over 30h:/);
      assert.match(lineOf(lines, 'WARNING', 'gamma', 'backlog'), /, over 1h:/);
    });

    it('freeSpace naming only the warning keeps the default 1 % critical, written "N:" in the perfdata', async () => {
      const p = place();
      const config = p.config({}, { alpha: { check: { freeSpace: { warning: '99.99%' } } } });
      const result = await runCheck(['--format', 'json', '-c', config]);
      assert.equal(result.code, 1, result.stdout);
      const json = parseJson(result.stdout);
      const perf = json.findings.find((f) => f.target === 'alpha' && f.check === 'free-space')!.perf![0]!;
      const beta = json.findings.find((f) => f.target === 'beta' && f.check === 'free-space')!.perf![0]!;
      assert.equal(perf.critical, beta.critical, 'the default critical level, as for beta');
      assert.ok(perf.critical !== undefined && perf.critical < perf.warning!, JSON.stringify(perf));
    });

    // prettier-ignore
    const bad: [string, Record<string, unknown>, Record<string, Record<string, unknown>>, string][] = [
      ['a global tmpAge "36x"', { check: { tmpAge: '36x' } }, {}, 'check.tmpAge: '],
      ["a target's newAge warning \"1y\"", {}, { alpha: { check: { newAge: { warning: '1y' } } } }, 'targets[0].check.newAge: '],
      ["a target's curFiles 0", {}, { beta: { check: { curFiles: 0 } } }, 'targets[1].check.curFiles: '],
      ['journalSize in a target (it is global only)', {}, { gamma: { check: { journalSize: '1M' } } }, 'targets[2].check.journalSize: unknown key'],
      ['an unknown threshold', { check: { tmpage: '36h' } }, {}, 'check.tmpage: unknown key'],
    ];
    for (const [name, extra, targets, path] of bad) {
      it(`${name}: CRITICAL (exit 2) "config" naming ${JSON.stringify(path)}`, async () => {
        const p = place();
        const config = p.config(extra, targets);
        const lines = assertReport(await runCheck(['-c', config]), 2, 'CRITICAL', '1 problem');
        assert.ok(
          lineOf(lines, 'CRITICAL', undefined, 'config').startsWith(`4.3.5 config ${config}: ${path}`),
          lines[1],
        );
      });
    }
  });

  describe('a config that cannot be used, and how check is called', () => {
    // prettier-ignore
    const configs: [string, (p: Place) => string][] = [
      ['not valid JSON', (p) => p.file('targets.json', '{"targets": [{"name": "a" "path": "a"}]}')],
      ['an unknown key', (p) => p.file('targets.json', JSON.stringify({ targets: [{ name: 'a', path: p.dirs.alpha }], colour: 'red' }))],
      ['group-writable', (p) => { const path = p.file('targets.json', JSON.stringify({ targets: [{ name: 'a', path: p.dirs.alpha }] })); chmodSync(path, 0o620); return path; }],
    ];
    for (const [name, write] of configs) {
      it(`${name}: CRITICAL (exit 2) "config" with the diagnostic a delivery prints`, async () => {
        const p = place();
        const config = write(p);
        const delivery = await runCli(['--config', config], { input: MESSAGE });
        assert.equal(delivery.code, EX_TEMPFAIL, delivery.stderr);
        const diagnostic = /^4\.3\.5 maildir-fanout: (.*)\n$/.exec(delivery.stderr)?.[1];
        assert.ok(diagnostic !== undefined, delivery.stderr);
        const lines = assertReport(await runCheck(['-c', config]), 2, 'CRITICAL', '1 problem');
        assert.equal(
          lineOf(lines, 'CRITICAL', undefined, 'config'),
          `4.3.5 ${diagnostic}: deliveries defer until it is fixed`,
        );
      });
    }

    // Regression: a delivery's diagnostic for a bad config starts with RFC 3463 4.3.5; check
    // printed the same text without that code, so the one thing an operator greps for differed.
    it("regression: check's report of a bad config carries the 4.3.5 code of the delivery's diagnostic", async () => {
      const p = place();
      const config = p.file('targets.json', '{"targets": [');
      const lines = assertReport(await runCheck(['-c', config]), 2, 'CRITICAL', '1 problem');
      assert.ok(
        lineOf(lines, 'CRITICAL', undefined, 'config').startsWith(`4.3.5 config ${config}: `),
        lines[1],
      );
      const nagios = parseNagios((await runCheck(['--format', 'nagios', '-c', config])).stdout);
      assert.equal(nagios.status, 'CRITICAL');
      assert.ok(nagios.summary.startsWith(`config: 4.3.5 config ${config}: `), nagios.summary);
    });

    it('--config and maildir arguments both: UNKNOWN (exit 3) "usage", and nothing is looked at or repaired', async () => {
      const p = place();
      const stale = p.file('alpha/tmp/1700000000.M1P1.deadhost');
      age(stale, '40 hours ago');
      const config = p.config();
      const lines = assertReport(
        await runCheck(['--repair', '-c', config, p.dirs.alpha!]),
        3,
        'UNKNOWN',
        '1 problem',
      );
      assert.deepEqual(lines, [
        `maildir-fanout check: UNKNOWN: 1 problem (config ${config})`,
        'UNKNOWN usage: give either --config or maildir arguments, not both',
      ]);
      assert.ok(existsSync(stale), 'no repair');
      const nagios = await runCheck(['--format', 'nagios', '-c', config, p.dirs.alpha!]);
      assert.equal(nagios.code, 3);
      assert.equal(nagios.stdout, 'UNKNOWN - usage: give either --config or maildir arguments, not both\n');
    });

    it('neither --config nor maildir arguments: UNKNOWN (exit 3) "usage", not a CRITICAL about deliveries', async () => {
      const lines = assertReport(await runCheck([]), 3, 'UNKNOWN', '1 problem');
      assert.deepEqual(lines, [
        'maildir-fanout check: UNKNOWN: 1 problem',
        'UNKNOWN usage: no targets: give --config FILE or one or more maildirs',
      ]);
    });

    it('a usage error (--format xml): exit 3, one line on stdout starting "UNKNOWN - usage"', async () => {
      const result = await runCheck(['--format', 'xml']);
      assert.equal(result.code, 3);
      assert.equal(result.stderr, '');
      assert.ok(result.stdout.startsWith('UNKNOWN - usage: '), result.stdout);
      assert.ok(result.stdout.includes('xml'), result.stdout);
      assert.equal(result.stdout.indexOf('\n'), result.stdout.length - 1, 'one line');
    });

    it('an unknown option: exit 3, UNKNOWN - usage', async () => {
      const result = await runCheck(['--frobnicate']);
      assert.equal(result.code, 3);
      assert.ok(result.stdout.startsWith('UNKNOWN - usage: '), result.stdout);
    });

    it(
      'as root without --allow-root: UNKNOWN (exit 3), and nothing is looked at',
      { skip: !asRoot && 'needs root' },
      async () => {
        const p = place();
        const lines = assertReport(
          await runCheck(['-c', p.config()], { keepRoot: true }),
          3,
          'UNKNOWN',
          '1 problem',
        );
        assert.equal(
          lineOf(lines, 'UNKNOWN', undefined, 'user'),
          'refusing to run as root (run as the mail recipient, or pass --allow-root)',
        );
      },
    );

    it('as root with --allow-root: checked, healthy, silent', { skip: !asRoot && 'needs root' }, async () => {
      const p = place();
      const config = p.config();
      chownSync(config, 0, 0); // root's own config: one of another user's is refused
      assertSilent(await runCheck(['--allow-root', '-c', config], { keepRoot: true }));
    });
  });

  describe('--repair', () => {
    it('removes stale tmp/ files (one line each), keeps young ones; then healthy: exit 0, only the repairs printed', async () => {
      const p = place();
      const stale = p.file('alpha/tmp/1700000000.M1P1.deadhost');
      age(stale, '40 hours ago');
      const young = p.file('alpha/tmp/1700000001.M1P2.deadhost');
      age(young, '1 hour ago');
      const config = p.config();
      const result = await runCheck(['--repair', '-c', config]);
      const lines = assertReport(result, 0, 'OK');
      assert.deepEqual(lines, [
        `maildir-fanout check: OK: all is well (config ${config})`,
        `repaired: target alpha: removed ${stale} (40h old)`,
      ]);
      assert.equal(existsSync(stale), false);
      assert.ok(existsSync(young), 'a young tmp file may belong to a delivery in progress');
      assertSilent(await runCheck(['-c', config]));
    });

    it('finishes an interrupted delivery (intent of a dead process, tmp copies): published once, record done, then healthy', async () => {
      const p = place();
      const layout = p.journal();
      const message = 'Subject: interrupted, then repaired\n\nbody\n';
      const record = recordOf(message, deadPid(), p.dirs, ['alpha', 'beta']);
      writeCopies(record, message, own);
      plantRecord(layout, record, own);
      const config = p.config();
      const lines = assertReport(await runCheck(['--repair', '-c', config]), 0, 'OK');
      assert.deepEqual(lines.slice(1), [
        `repaired: finished the interrupted delivery of message ${record.digest.slice(0, 12)} to alpha, beta`,
      ]);
      for (const copy of record.copies) {
        const dir = copy.maildir;
        assert.deepEqual(listMaildir(dir), { tmp: [], new: [basename(copy.new)], cur: [] }, dir);
        assert.equal(readFileSync(copy.new, 'utf8'), message);
      }
      assert.deepEqual(listMaildir(p.dirs.gamma!).new, [], 'gamma was not in the record');
      assert.deepEqual(names(layout.pending), []);
      assert.ok(readRecordIn(layout.done, record.digest) !== undefined, 'the record moved to done/');
      assertSilent(await runCheck(['--repair', '-c', config]));
      assert.equal(listMaildir(p.dirs.alpha!).new.length, 1, 'a second repair publishes nothing more');
    });

    it('an intent of a process that is gone whose copies are all in new/: recorded as done, nothing published again', async () => {
      const p = place();
      const layout = p.journal();
      const message = 'Subject: published, then the run died\n\nbody\n';
      const record = recordOf(message, deadPid(), p.dirs, ['alpha', 'beta']);
      for (const copy of record.copies) {
        writeFileSync(copy.new, message);
        own(copy.new);
      }
      plantRecord(layout, record, own);
      const config = p.config();
      const lines = assertReport(await runCheck(['--repair', '-c', config]), 0, 'OK');
      assert.deepEqual(lines.slice(1), [
        `repaired: recorded the finished delivery of message ${record.digest.slice(0, 12)} as done`,
      ]);
      for (const copy of record.copies)
        assert.deepEqual(listMaildir(copy.maildir), { tmp: [], new: [basename(copy.new)], cur: [] });
      assert.deepEqual(names(layout.pending), []);
      assert.ok(readRecordIn(layout.done, record.digest) !== undefined, 'the record moved to done/');
      const verbose = assertReport(await runCheck(['-v', '-c', config]), 0, 'OK');
      assert.ok(!verbose.some((line) => line.includes('not yet marked done')), verbose.join('\n'));
    });

    it('a stale tmp/ file that a pending record owns is kept while the roll-forward cannot publish it', async () => {
      const p = place();
      const layout = p.journal();
      const message = 'Subject: cannot be published\n\nbody\n';
      const created = new Date(Date.now() - 40 * 3600_000);
      const planned = recordOf(message, deadPid(), p.dirs, ['beta'], created);
      // The copy's destination is a folder nobody may write to: the roll-forward's rename fails
      // (EACCES) while beta itself stays a healthy maildir, so its tmp/ is looked at.
      const locked = join(p.state, '..', 'locked');
      mkdirSync(locked, { mode: 0o500 });
      box.own(locked);
      const copy = planned.copies[0]!;
      const record: JournalRecord = { ...planned, copies: [{ ...copy, new: join(locked, 'msg') }] };
      const owned = p.file(`beta/tmp/${basename(copy.tmp)}`, message);
      age(owned, '40 hours ago');
      const stray = p.file('beta/tmp/stray');
      age(stray, '40 hours ago');
      plantRecord(layout, record, own);
      const lines = assertReport(await runCheck(['--repair', '-c', p.config()]), 1, 'WARNING');
      assert.deepEqual(lines.slice(1, 3), [
        `repaired: could not finish the interrupted delivery of message ${record.digest.slice(0, 12)} to beta: see the findings below`,
        `repaired: target beta: removed ${stray} (40h old)`,
      ]);
      assert.ok(existsSync(owned), 'the journal still needs it');
      assert.equal(existsSync(stray), false);
      assert.match(
        lineOf(lines, 'WARNING', undefined, 'journal'),
        /^1 interrupted delivery has copies for beta waiting in tmp\//,
      );
      assert.ok(existsSync(join(layout.pending, recordName(record.digest))), 'still pending');
    });

    // Regression: the stale list was taken before the roll-forward; a stale tmp file that the
    // roll-forward had just published into new/ was then unlinked again, and --repair reported
    // "could not remove …: ENOENT" for a repair that in fact went well.
    it('regression: --repair does not report "could not remove … ENOENT" for a stale tmp file the roll-forward just published', async () => {
      const p = place();
      const layout = p.journal();
      const message = 'Subject: old interrupted delivery\n\nbody\n';
      const created = new Date(Date.now() - 40 * 3600_000);
      const record = recordOf(message, deadPid(), p.dirs, ['alpha'], created);
      for (const path of writeCopies(record, message, own)) age(path, '40 hours ago');
      plantRecord(layout, record, own);
      const config = p.config({ check: { newAge: false } });
      const result = await runCheck(['--repair', '-c', config]);
      assert.deepEqual(listMaildir(p.dirs.alpha!), {
        tmp: [],
        new: [basename(record.copies[0]!.new)],
        cur: [],
      });
      assert.doesNotMatch(result.stdout, /could not remove/);
      assert.deepEqual(assertReport(result, 0, 'OK').slice(1), [
        `repaired: finished the interrupted delivery of message ${record.digest.slice(0, 12)} to alpha`,
      ]);
    });

    // Regression: repair.ts said files a pending record "of a live or a dead run" owns are never
    // removed, but it only spared records of dead runs. A live delivery's synced copy older than
    // tmpAge (a short tmpAge and a long delivery, or clock skew) was unlinked; the delivery's
    // publish then took the missing tmp file for "already published" and the copy was lost.
    it("regression: --repair keeps a stale tmp/ file that a live delivery's pending record owns", async () => {
      const p = place();
      const layout = p.journal();
      const message = 'Subject: still being delivered\n\nbody\n';
      const record = recordOf(message, process.pid, p.dirs, ['alpha']);
      const owned = writeCopies(record, message, own)[0]!;
      age(owned, '40 hours ago');
      const stray = p.file('alpha/tmp/stray');
      age(stray, '40 hours ago');
      const pending = plantRecord(layout, record, own);
      const result = await runCheck(['--repair', '-c', p.config()]);
      assert.ok(existsSync(owned), `the live delivery still needs ${owned}:\n${result.stdout}`);
      assert.equal(existsSync(stray), false, 'a file nobody owns is still removed');
      assert.ok(
        result.stdout.includes(`repaired: target alpha: removed ${stray} (40h old)\n`),
        result.stdout,
      );
      assert.ok(!result.stdout.includes(`removed ${owned}`), result.stdout);
      assert.ok(existsSync(pending), 'a live run is not rolled forward');
      assert.deepEqual(listMaildir(p.dirs.alpha!).new, []);
    });

    // Bug: with the journal unreadable (here its pending/ folder, EACCES), check --repair cannot
    // tell which tmp/ files pending records own, yet removes every stale one: cli/check.ts turns
    // the read error into "no journal" (readJournal().catch(() => undefined)) and repair.ts then
    // spares nothing. Once the journal is readable again, the roll-forward finds the copy gone,
    // takes it for published (publish.ts, "gone"), and moves the record to done/: that target
    // never gets the message, and a retry is deduplicated against done/.
    it('regression: --repair removed a stale tmp/ file a pending record owns when the journal could not be read', async () => {
      const p = place();
      const layout = p.journal();
      const message = 'Subject: journal unreadable during repair\n\nbody\n';
      const created = new Date(Date.now() - 40 * 3600_000);
      const record = recordOf(message, deadPid(), p.dirs, ['alpha'], created);
      const [copy] = writeCopies(record, message, own);
      age(copy!, '40 hours ago');
      plantRecord(layout, record, own);
      chmodSync(layout.pending, 0o000);
      try {
        const result = await runCheck(['--repair', '-c', p.config()]);
        assert.match(result.stdout, /UNKNOWN journal: cannot read /, 'the journal is reported unreadable');
        assert.ok(existsSync(copy!), `the pending record still owns ${copy!}:\n${result.stdout}`);
      } finally {
        chmodSync(layout.pending, 0o700);
      }
    });

    // Bug: stale-tmp counts every old file in tmp/, including those a pending journal record owns
    // and --repair therefore (rightly) keeps. Right after --repair, the report still says of such
    // a file "abandoned by a writer that was killed; --repair removes them": for a live delivery
    // (here one running longer than a short tmpAge) neither is true, and --repair again changes
    // nothing. (The same holds for a dead run's copy that the roll-forward cannot publish.)
    it('regression: after --repair, stale-tmp advised --repair for a tmp/ file it kept for a live delivery', async () => {
      const p = place();
      const layout = p.journal();
      const message = 'Subject: still being delivered, old file\n\nbody\n';
      const record = recordOf(message, process.pid, p.dirs, ['alpha'], new Date(Date.now() - 180_000));
      const [copy] = writeCopies(record, message, own);
      age(copy!, '3 minutes ago');
      plantRecord(layout, record, own);
      const result = await runCheck(['--repair', '-c', p.config({ check: { tmpAge: '1m' } })]);
      assert.ok(existsSync(copy!), 'kept (see the regression above)');
      assert.doesNotMatch(result.stdout, /--repair removes them/, result.stdout);
    });

    it('a delivery of the tool itself interrupted by a failed rename: check warns, --repair finishes it, one copy each', async () => {
      const p = place();
      const config = p.config();
      const message = `From: ci@example.org\nSubject: repair after a real failure ${process.pid}\n\nbody\n`;
      // Renames of a delivery: 1 the intent, 2 alpha, 3 beta (fails), …: alpha got its copy.
      const failed = await runWithInjection(
        { syscall: 'rename', errno: 'EIO', when: 3 },
        ['--config', config],
        message,
      );
      assert.equal(failed.code, EX_TEMPFAIL, failed.stderr);
      assert.deepEqual(
        TARGETS.map((t) => listMaildir(p.dirs[t]!).new.length),
        [1, 0, 0],
      );
      const warned = assertReport(await runCheck(['-c', config]), 1, 'WARNING', '1 problem');
      // alpha's copy is in new/ already: only beta's and gamma's wait.
      assert.match(
        lineOf(warned, 'WARNING', undefined, 'journal'),
        /^1 interrupted delivery has copies for beta, gamma waiting in tmp\//,
      );
      const repaired = assertReport(await runCheck(['--repair', '-c', config]), 0, 'OK');
      assert.deepEqual(repaired.slice(1), [
        `repaired: finished the interrupted delivery of message ${digestOf(message).slice(0, 12)} to beta, gamma`,
      ]);
      assertOneCopyEach(Object.values(p.dirs), message);
      const layout = journalOf(p.state);
      assert.deepEqual(names(layout.pending), []);
      assert.ok(readRecordIn(layout.done, digestOf(message)) !== undefined);
      assertSilent(await runCheck(['-c', config]));
    });
  });
});
