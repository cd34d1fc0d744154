// The runner: options and environment → a delivery, a dry run, or a refusal, as an Outcome.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { DeliverOptions } from '../../../src/cli/program';
import { runDelivery, type Environment, type RunnerDeps } from '../../../src/cli/run';
import type { Journal } from '../../../src/journal/journal';
import { journalLayout } from '../../../src/journal/layout';
import type { NameSource } from '../../../src/maildir/name-source';
import { tmpRegistry } from '../../../src/maildir/tmp-registry';
import type { Outcome } from '../../../src/outcome/outcome';
import { FakeFileSystem } from '../maildir/fake-file-system';

const UID = 1000;
const env: Environment = {
  vars: {},
  cwd: '/work',
  home: '/home/bb',
  xdgStateHome: undefined,
  uid: UID,
};
const options = (change: Partial<DeliverOptions>): DeliverOptions => ({
  maildirs: [],
  dryRun: false,
  allowRoot: false,
  copy: false,
  create: false,
  journal: false, // the journal works on the real file system: see "runDelivery: the journal"
  quiet: false,
  exitCodes: 'sysexits',
  ...change,
});

async function* message(text = 'Subject: x\n\nbody\n'): AsyncIterable<string> {
  await Promise.resolve();
  yield text;
}

function setup() {
  const fs = new FakeFileSystem()
    .addMaildir('/a')
    .addMaildir('/b')
    .addMaildir('/work/rel')
    .addMaildir('/home/bb/M');
  let n = 0;
  const names: NameSource = { next: () => `n${++n}` };
  const deadlines: number[] = [];
  const printed: string[] = [];
  /** Every openJournal(stateDir, keepDays) call, and every digest opened in those journals. */
  const journals: [string, number][] = [];
  const opened: string[] = [];
  /** How often silence() was called, and every appendLog(destination, line) call. */
  const silenced: number[] = [];
  const logged: [string, string][] = [];
  let clock = Date.UTC(2026, 10, 28, 14, 0, 0);
  const deps: RunnerDeps = {
    fs,
    names,
    registry: tmpRegistry(fs),
    egid: 100,
    openJournal: (stateDir, keepDays) => {
      journals.push([stateDir, keepDays]);
      return recordingJournal(stateDir, opened);
    },
    committing: { enter: () => undefined, leave: () => undefined },
    startDeadline: (seconds) => void deadlines.push(seconds),
    print: (text) => void printed.push(text),
    silence: () => void silenced.push(1),
    appendLog: (destination, line) => {
      logged.push([destination, line]);
      return Promise.resolve();
    },
    pid: 4242,
    now: () => (clock += 5), // every reading 5 ms later
  };
  return { fs, deps, deadlines, printed, journals, opened, silenced, logged };
}

/**
 * A journal that knows no earlier delivery and records nothing, but notes which message digests
 * a delivery opens: enough to see how the runner wires the journal (the real one is tested in
 * test/unit/journal and through deliver() with a real folder).
 */
function recordingJournal(stateDir: string, opened: string[]): Journal {
  return {
    layout: journalLayout(stateDir, 'host.example'),
    open: (digest) => {
      opened.push(digest);
      return Promise.resolve({
        delivered: new Set<string>(),
        writeIntent: () => Promise.resolve(),
        markUnpublished: () => Promise.resolve(),
        complete: () => Promise.resolve(),
        release: () => Promise.resolve(),
      });
    },
    peek: () => Promise.resolve({ delivered: new Set<string>(), pending: false }),
    recoverOthers: () => Promise.resolve(),
  };
}

const refusal = (outcome: Outcome): string =>
  outcome.kind === 'ok' ? 'ok' : `${outcome.status} ${outcome.text}`;

describe('runDelivery: refusals (all temporary, nothing read or written)', () => {
  // prettier-ignore
  const table: [string, Partial<DeliverOptions>, Partial<Environment>, RegExp][] = [
    ['as root', { maildirs: ['/a'] }, { uid: 0 }, /^4\.3\.5 refusing to run as root/],
    ['no targets', {}, {}, /^4\.3\.5 no targets: give --config FILE or one or more maildirs$/],
    ['--config and maildirs', { config: 't.json', maildirs: ['/a'] }, {}, /^4\.3\.5 give either --config or maildir arguments/],
    ['--create with --config', { config: 't.json', create: true }, {}, /^4\.3\.5 --create and --mode apply to maildir arguments/],
    ['--mode with --config', { config: 't.json', mode: 0o640 }, {}, /^4\.3\.5 --create and --mode apply to maildir arguments/],
    ['~user maildir', { maildirs: ['~bob/M'] }, {}, /^4\.3\.5 maildir argument "~bob\/M": only ~\/ /],
    ['~/ without HOME', { maildirs: ['~/M'] }, { home: undefined }, /^4\.3\.5 maildir argument "~\/M" starts with ~\/ but \$HOME/],
    ['a missing config file', { config: '/nonexistent/targets.json' }, {}, /^4\.3\.5 config \/nonexistent\/targets\.json: does not exist$/],
  ];
  for (const [title, change, envChange, expected] of table) {
    it(title, async () => {
      const { fs, deps, deadlines } = setup();
      const outcome = await runDelivery(options(change), { ...env, ...envChange }, message(), deps);
      assert.equal(outcome.kind, 'temporary');
      assert.match(refusal(outcome), expected);
      assert.deepEqual(
        fs.log.filter((line) => !/^(stat|canWriteDirectory) /.test(line)),
        [],
      );
      assert.deepEqual(deadlines, []);
    });
  }

  it('standard input a terminal: 4.3.0, after the deadline started', async () => {
    const { deps, deadlines } = setup();
    const outcome = await runDelivery(options({ maildirs: ['/a'] }), env, undefined, deps);
    assert.match(refusal(outcome), /^4\.3\.0 no message: standard input is a terminal$/);
    assert.deepEqual(deadlines, [900]);
  });
});

describe('runDelivery: deliveries', () => {
  it('maildir arguments: one copy each, deadline 900 s by default', async () => {
    const { fs, deps, deadlines } = setup();
    const outcome = await runDelivery(options({ maildirs: ['/a', '/b'] }), env, message(), deps);
    assert.deepEqual(outcome, { kind: 'ok' });
    assert.deepEqual([fs.list('/a/new').length, fs.list('/b/new').length], [1, 1]);
    assert.deepEqual(deadlines, [900]);
  });

  it('as root with --allow-root: delivered', async () => {
    const { deps } = setup();
    const outcome = await runDelivery(
      options({ maildirs: ['/a'], allowRoot: true }),
      { ...env, uid: 0 },
      message(),
      deps,
    );
    assert.deepEqual(outcome, { kind: 'ok' });
  });

  it('relative and ~/ arguments: against the working directory and HOME', async () => {
    const { fs, deps } = setup();
    const outcome = await runDelivery(options({ maildirs: ['rel', '~/M'] }), env, message(), deps);
    assert.deepEqual(outcome, { kind: 'ok' });
    assert.deepEqual([fs.list('/work/rel/new').length, fs.list('/home/bb/M/new').length], [1, 1]);
  });

  it('--mode: the mode of delivered files', async () => {
    const { fs, deps } = setup();
    await runDelivery(options({ maildirs: ['/a'], mode: 0o640 }), env, message(), deps);
    assert.equal(fs.modeOf(`/a/new/${fs.list('/a/new')[0]!}`), 0o640);
  });

  it('--create: a missing maildir is made', async () => {
    const { fs, deps } = setup();
    const outcome = await runDelivery(
      options({ maildirs: ['/new-one'], create: true }),
      env,
      message(),
      deps,
    );
    assert.deepEqual(outcome, { kind: 'ok' });
    assert.equal(fs.list('/new-one/new').length, 1);
  });

  it('without --create a missing maildir is a temporary 4.2.1', async () => {
    const { deps } = setup();
    const outcome = await runDelivery(options({ maildirs: ['/missing'] }), env, message(), deps);
    assert.match(refusal(outcome), /^4\.2\.1 /);
  });

  it('--copy: no hard links', async () => {
    const { fs, deps } = setup();
    await runDelivery(options({ maildirs: ['/a', '/b'], copy: true }), env, message(), deps);
    assert.notEqual(
      fs.inodeOf(`/a/new/${fs.list('/a/new')[0]!}`),
      fs.inodeOf(`/b/new/${fs.list('/b/new')[0]!}`),
    );
  });

  it('hard links by default', async () => {
    const { fs, deps } = setup();
    await runDelivery(options({ maildirs: ['/a', '/b'] }), env, message(), deps);
    assert.equal(
      fs.inodeOf(`/a/new/${fs.list('/a/new')[0]!}`),
      fs.inodeOf(`/b/new/${fs.list('/b/new')[0]!}`),
    );
  });

  it('--size-limit: over it, permanent 5.2.3', async () => {
    const { deps } = setup();
    const outcome = await runDelivery(
      options({ maildirs: ['/a'], sizeLimit: 3 }),
      env,
      message('1234'),
      deps,
    );
    assert.match(refusal(outcome), /^5\.2\.3 /);
    assert.equal(outcome.kind, 'permanent');
  });

  it('--timeout: the deadline', async () => {
    const { deps, deadlines } = setup();
    await runDelivery(options({ maildirs: ['/a'], timeout: 60 }), env, message(), deps);
    assert.deepEqual(deadlines, [60]);
  });

  it('--dry-run: prints the plan, writes nothing', async () => {
    const { fs, deps, printed } = setup();
    const outcome = await runDelivery(options({ maildirs: ['/a'], dryRun: true }), env, message(), deps);
    assert.deepEqual(outcome, { kind: 'ok' });
    assert.equal(printed.length, 1);
    assert.match(printed[0]!, /^maildir-fanout --dry-run: nothing is written\./);
    assert.deepEqual(fs.list('/a/new'), []);
    assert.deepEqual(fs.list('/a/tmp'), []);
  });

  it('--dry-run with standard input a terminal: still a report', async () => {
    const { deps, printed } = setup();
    const outcome = await runDelivery(options({ maildirs: ['/a'], dryRun: true }), env, undefined, deps);
    assert.deepEqual(outcome, { kind: 'ok' });
    assert.match(printed[0] ?? '', /message: not read/);
  });
});

// The MTA conventions: who called (src/mta/caller.ts), trace headers, --quiet and --log.
describe('runDelivery: caller, trace headers, quiet and log', () => {
  const QMAIL = {
    RPLINE: 'Return-Path: <s@example.org>\n',
    DTLINE: 'Delivered-To: bb-foo@example.org\n',
    SENDER: 's@example.org',
    RECIPIENT: 'bb-foo@example.org',
  };
  const POSTFIX = {
    ORIGINAL_RECIPIENT: 'bb@example.org',
    SENDER: 's@example.org',
    RECIPIENT: 'bb@example.org',
  };
  const delivered = (fs: FakeFileSystem, root = '/a'): string =>
    fs.read(`${root}/new/${fs.list(`${root}/new`)[0]!}`).toString('latin1');

  // prettier-ignore
  const traces: [string, Partial<DeliverOptions>, Record<string, string>, string][] = [
    ['by hand, "auto": nothing added', {}, {}, ''],
    ['under qmail, "auto": $RPLINE$DTLINE', {}, QMAIL, 'Return-Path: <s@example.org>\nDelivered-To: bb-foo@example.org\n'],
    ['under qmail, --trace-headers none: nothing', { traceHeaders: 'none' }, QMAIL, ''],
    ['under Postfix, "auto": nothing (Postfix adds its own)', {}, POSTFIX, ''],
    ['under Postfix, --trace-headers always: from $SENDER and $RECIPIENT', { traceHeaders: 'always' }, POSTFIX, 'Return-Path: <s@example.org>\nDelivered-To: bb@example.org\n'],
    ['by hand, --trace-headers always, no variables: nothing', { traceHeaders: 'always' }, {}, ''],
  ];
  for (const [title, change, vars, added] of traces) {
    it(`trace headers: ${title}`, async () => {
      const { fs, deps } = setup();
      const outcome = await runDelivery(
        options({ maildirs: ['/a'], ...change }),
        { ...env, vars },
        message(),
        deps,
      );
      assert.deepEqual(outcome, { kind: 'ok' });
      assert.equal(delivered(fs), `${added}Subject: x\n\nbody\n`);
    });
  }

  it('under qmail, a message that already has the Delivered-To line: permanent 5.4.6, nothing delivered', async () => {
    const { fs, deps } = setup();
    const looping = 'Delivered-To: bb-foo@example.org\nSubject: x\n\nbody\n';
    const outcome = await runDelivery(
      options({ maildirs: ['/a'] }),
      { ...env, vars: QMAIL },
      message(looping),
      deps,
    );
    assert.equal(outcome.kind, 'permanent');
    assert.match(refusal(outcome), /^5\.4\.6 /);
    assert.deepEqual([fs.list('/a/new'), fs.list('/a/tmp')], [[], []]);
  });

  it('under Postfix, --trace-headers always: its own Delivered-To line in the header is no loop (Postfix put it there)', async () => {
    const { fs, deps } = setup();
    const text = 'Delivered-To: bb@example.org\nSubject: x\n\nbody\n';
    const outcome = await runDelivery(
      options({ maildirs: ['/a'], traceHeaders: 'always' }),
      { ...env, vars: POSTFIX },
      message(text),
      deps,
    );
    assert.deepEqual(outcome, { kind: 'ok' });
    assert.equal(fs.list('/a/new').length, 1);
  });

  it('--dry-run names the caller and the headers it would add', async () => {
    const { deps, printed } = setup();
    await runDelivery(options({ maildirs: ['/a'], dryRun: true }), { ...env, vars: QMAIL }, message(), deps);
    assert.match(printed[0] ?? '', /^caller: qmail \(RPLINE, DTLINE set\)$/m);
    assert.match(
      printed[0] ?? '',
      /^headers added: "Return-Path: <s@example\.org>\\nDelivered-To: bb-foo@example\.org\\n"$/m,
    );
  });

  // prettier-ignore
  const quiet: [string, Partial<DeliverOptions>, string[], number][] = [
    ['not quiet by default', {}, ['/a'], 0],
    ['--quiet: silenced once', { quiet: true }, ['/a'], 1],
    ['--quiet: silenced before a failing delivery', { quiet: true }, ['/missing'], 1],
  ];
  for (const [title, change, maildirs, times] of quiet) {
    it(title, async () => {
      const { deps, silenced } = setup();
      await runDelivery(options({ maildirs, ...change }), env, message(), deps);
      assert.equal(silenced.length, times);
    });
  }

  it('no --log: nothing logged', async () => {
    const { deps, logged } = setup();
    await runDelivery(options({ maildirs: ['/a'] }), env, message(), deps);
    assert.deepEqual(logged, []);
  });

  // prettier-ignore
  const logs: [string, string, string][] = [
    ['--log absolute: that file', '/var/log/mf.log', '/var/log/mf.log'],
    ['--log relative: against the working directory', 'mf.log', '/work/mf.log'],
    ['--log syslog: syslog', 'syslog', 'syslog'],
  ];
  for (const [title, log, destination] of logs) {
    it(title, async () => {
      const { deps, logged } = setup();
      await runDelivery(options({ maildirs: ['/a'], log }), env, message(), deps);
      assert.deepEqual(
        logged.map(([to]) => to),
        [destination],
      );
    });
  }

  it('a delivery logs one line: status=delivered, size, sha256, to=, ms, mta, the pid', async () => {
    const { deps, logged } = setup();
    const text = 'Message-ID: <1@example.org>\nSubject: x\n\nbody\n';
    await runDelivery(
      options({ maildirs: ['/a', '/b'], log: '/l' }),
      { ...env, vars: QMAIL },
      message(text),
      deps,
    );
    const sha = createHash('sha256').update(text).digest('hex');
    assert.equal(logged.length, 1);
    assert.match(
      logged[0]![1],
      new RegExp(
        `^\\S+ maildir-fanout\\[4242\\]: status=delivered msgid=<1@example\\.org> sha256=${sha} size=${text.length} to=/a,/b ms=\\d+ mta=qmail\n$`,
      ),
    );
  });

  it('a failed delivery logs status=deferred with its code and text', async () => {
    const { deps, logged } = setup();
    const outcome = await runDelivery(options({ maildirs: ['/missing'], log: '/l' }), env, message(), deps);
    assert.equal(outcome.kind, 'temporary');
    assert.match(logged[0]?.[1] ?? '', / status=deferred code=4\.2\.1 .*to=- .*text="/);
  });

  it('a loop logs status=bounced code=5.4.6', async () => {
    const { deps, logged } = setup();
    const looping = 'Delivered-To: bb-foo@example.org\n\nbody\n';
    await runDelivery(
      options({ maildirs: ['/a'], log: '/l' }),
      { ...env, vars: QMAIL },
      message(looping),
      deps,
    );
    assert.match(logged[0]?.[1] ?? '', / status=bounced code=5\.4\.6 /);
  });

  // Found while writing these tests: the runner calls silence() only once the settings are
  // known, so with --quiet a refusal before that (a missing or unsafe config, root, a missing
  // $HOME for the journal) is still printed, and under Exim's return_output any output is a
  // bounce: an operator's mistake becomes permanent (DESIGN.md, "Exit status and output").
  // prettier-ignore
  const early: [string, Partial<DeliverOptions>, Partial<Environment>][] = [
    ['a missing config file', { config: '/nonexistent/targets.json' }, {}],
    ['as root', { maildirs: ['/a'] }, { uid: 0 }],
    ['no targets', {}, {}],
  ];
  for (const [title, change, envChange] of early) {
    it(`regression: --quiet silences a refusal before the settings are read: ${title}`, async () => {
      const { deps, silenced } = setup();
      const outcome = await runDelivery(
        options({ quiet: true, ...change }),
        { ...env, ...envChange },
        message(),
        deps,
      );
      assert.equal(outcome.kind, 'temporary');
      assert.equal(silenced.length, 1);
    });

    it(`regression: --log records a refusal before the settings are read: ${title}`, async () => {
      const { deps, logged } = setup();
      await runDelivery(options({ log: '/l', ...change }), { ...env, ...envChange }, message(), deps);
      assert.equal(logged.length, 1);
      assert.match(logged[0]?.[1] ?? '', / status=deferred code=4\.3\.5 /);
    });
  }

  it('--dry-run logs nothing', async () => {
    const { deps, logged } = setup();
    await runDelivery(options({ maildirs: ['/a'], dryRun: true, log: '/l' }), env, message(), deps);
    assert.deepEqual(logged, []);
  });
});

describe('runDelivery: the journal', () => {
  // prettier-ignore
  const table: [string, Partial<DeliverOptions>, Partial<Environment>, [string, number][]][] = [
    ['on by default, in $HOME/.local/state/maildir-fanout, records kept 8 days', {}, {}, [['/home/bb/.local/state/maildir-fanout', 8]]],
    ['$XDG_STATE_HOME/maildir-fanout when $XDG_STATE_HOME is set', {}, { xdgStateHome: '/xdg/state' }, [['/xdg/state/maildir-fanout', 8]]],
    ['a relative $XDG_STATE_HOME is ignored (XDG Base Directory spec): $HOME', {}, { xdgStateHome: 'rel' }, [['/home/bb/.local/state/maildir-fanout', 8]]],
    ['--state-dir: that folder', { stateDir: '/var/lib/mf' }, { xdgStateHome: '/xdg/state' }, [['/var/lib/mf', 8]]],
    ['--state-dir relative: against the working directory', { stateDir: 'state' }, {}, [['/work/state', 8]]],
    ['--state-dir needs no $HOME', { stateDir: '/var/lib/mf' }, { home: undefined }, [['/var/lib/mf', 8]]],
    ['--no-journal: no journal opened', { journal: false }, {}, []],
  ];
  for (const [title, change, envChange, expected] of table) {
    it(title, async () => {
      const { fs, deps, journals } = setup();
      const outcome = await runDelivery(
        options({ maildirs: ['/a'], journal: true, ...change }),
        { ...env, ...envChange },
        message(),
        deps,
      );
      assert.deepEqual(outcome, { kind: 'ok' });
      assert.deepEqual(journals, expected);
      assert.equal(fs.list('/a/new').length, 1);
    });
  }

  it('a delivery opens the journal entry of the message: the SHA-256 of its bytes without the From_ line', async () => {
    const { deps, opened } = setup();
    const text = 'From bob Sat Nov 28 14:00:00 2026\nSubject: x\n\nbody\n';
    await runDelivery(options({ maildirs: ['/a', '/b'], journal: true }), env, message(text), deps);
    assert.deepEqual(opened, [createHash('sha256').update('Subject: x\n\nbody\n').digest('hex')]);
  });

  it('no $HOME, no $XDG_STATE_HOME, no --state-dir: 4.3.5 naming the ways out, nothing written', async () => {
    const { fs, deps, journals } = setup();
    const outcome = await runDelivery(
      options({ maildirs: ['/a'], journal: true }),
      { ...env, home: undefined },
      message(),
      deps,
    );
    assert.equal(outcome.kind, 'temporary');
    assert.match(
      refusal(outcome),
      /^4\.3\.5 no folder for the exactly-once journal: .*\$HOME.*journal\.dir.*--state-dir/,
    );
    assert.deepEqual(journals, []);
    assert.deepEqual(
      fs.log.filter((line) => !/^(stat|canWriteDirectory) /.test(line)),
      [],
    );
  });

  it('no $HOME but --no-journal: delivered', async () => {
    const { fs, deps } = setup();
    const outcome = await runDelivery(
      options({ maildirs: ['/a'], journal: false }),
      { ...env, home: undefined },
      message(),
      deps,
    );
    assert.deepEqual(outcome, { kind: 'ok' });
    assert.equal(fs.list('/a/new').length, 1);
  });

  it('--dry-run names the journal folder', async () => {
    const { deps, printed } = setup();
    await runDelivery(options({ maildirs: ['/a'], dryRun: true, journal: true }), env, message(), deps);
    assert.match(
      printed[0] ?? '',
      /^journal: \/home\/bb\/\.local\/state\/maildir-fanout\/journal\/host\.example$/m,
    );
  });

  it('--dry-run --no-journal says the journal is off', async () => {
    const { deps, printed } = setup();
    await runDelivery(options({ maildirs: ['/a'], dryRun: true, journal: false }), env, message(), deps);
    assert.match(printed[0] ?? '', /^journal: off$/m);
  });
});

describe('runDelivery with --config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mf-run-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // The file is ours, as the safety rule wants; as root (CI) that needs --allow-root.
  const uid = process.getuid?.() ?? UID;
  const allowRoot = uid === 0;
  const write = (name: string, value: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value));
    chmodSync(path, 0o600);
    return path;
  };

  it('reads the targets and settings; command-line options override the settings', async () => {
    const path = write('t.json', {
      targets: [
        { name: 'a', path: '/a' },
        { name: 'b', path: '/b', mode: '0640' },
      ],
      timeout: 100,
      sizeLimit: 1000,
    });
    const { fs, deps, deadlines } = setup();
    assert.deepEqual(
      await runDelivery(options({ config: path, allowRoot }), { ...env, uid }, message(), deps),
      { kind: 'ok' },
    );
    assert.deepEqual(deadlines, [100]);
    assert.equal(fs.modeOf(`/b/new/${fs.list('/b/new')[0]!}`), 0o640);

    const second = setup();
    const outcome = await runDelivery(
      options({ config: path, timeout: 5, sizeLimit: 3, allowRoot }),
      { ...env, uid },
      message('1234'),
      second.deps,
    );
    assert.deepEqual(second.deadlines, [5]);
    assert.match(refusal(outcome), /^5\.2\.3 /);
  });

  // prettier-ignore
  const journals: [string, Record<string, unknown> | undefined, Partial<DeliverOptions>, (dir: string) => [string, number][]][] = [
    ['no "journal" key: on, in the default folder', undefined, {}, () => [['/home/bb/.local/state/maildir-fanout', 8]]],
    ['"journal.dir" relative: against the config\'s folder; "keepDays" passed on', { dir: 'state', keepDays: 30 }, {}, (dir) => [[join(dir, 'state'), 30]]],
    ['"journal.dir" with ~/: against $HOME', { dir: '~/mf-state' }, {}, () => [['/home/bb/mf-state', 8]]],
    ['--state-dir wins over "journal.dir"', { dir: '/srv/state' }, { stateDir: '/var/lib/mf' }, () => [['/var/lib/mf', 8]]],
    ['"enabled": false: no journal', { enabled: false }, {}, () => []],
    ['"enabled": false with --state-dir: still no journal', { enabled: false }, { stateDir: '/var/lib/mf' }, () => []],
    ['--no-journal wins over "enabled": true', { enabled: true }, { journal: false }, () => []],
  ];
  for (const [title, journal, change, expected] of journals) {
    it(`journal: ${title}`, async () => {
      const path = write('journal.json', {
        targets: [{ name: 'a', path: '/a' }],
        ...(journal === undefined ? {} : { journal }),
      });
      const { fs, deps, journals: opened } = setup();
      const outcome = await runDelivery(
        options({ config: path, allowRoot, journal: true, ...change }),
        { ...env, uid },
        message(),
        deps,
      );
      assert.deepEqual(outcome, { kind: 'ok' });
      assert.deepEqual(opened, expected(dir));
      assert.equal(fs.list('/a/new').length, 1);
    });
  }

  // prettier-ignore
  const mta: [string, Record<string, unknown>, Partial<DeliverOptions>, { quiet: number; log: string[] }][] = [
    ['"quiet": true: silenced', { quiet: true }, {}, { quiet: 1, log: [] }],
    ['"log" relative: against the config\'s folder', { log: 'mf.log' }, {}, { quiet: 0, log: [join(dir, 'mf.log')] }],
    ['"log" with ~/: against $HOME', { log: '~/mf.log' }, {}, { quiet: 0, log: ['/home/bb/mf.log'] }],
    ['"log": "syslog"', { log: 'syslog' }, {}, { quiet: 0, log: ['syslog'] }],
    ['--log wins over "log", relative to the working directory', { log: 'mf.log' }, { log: 'cli.log' }, { quiet: 0, log: ['/work/cli.log'] }],
    ['--quiet with "quiet": false: silenced', { quiet: false }, { quiet: true }, { quiet: 1, log: [] }],
  ];
  for (const [title, settings, change, expected] of mta) {
    it(title, async () => {
      const path = write('mta.json', { targets: [{ name: 'a', path: '/a' }], ...settings });
      const { deps, silenced, logged } = setup();
      const outcome = await runDelivery(
        options({ config: path, allowRoot, ...change }),
        { ...env, uid },
        message(),
        deps,
      );
      assert.deepEqual(outcome, { kind: 'ok' });
      assert.deepEqual({ quiet: silenced.length, log: logged.map(([to]) => to) }, expected);
    });
  }

  it('"traceHeaders": "always" from the config: Return-Path and Delivered-To from $SENDER and $RECIPIENT', async () => {
    const path = write('trace.json', { targets: [{ name: 'a', path: '/a' }], traceHeaders: 'always' });
    const { fs, deps } = setup();
    const vars = { SENDER: 's@example.org', RECIPIENT: 'bb@example.org' };
    await runDelivery(options({ config: path, allowRoot }), { ...env, uid, vars }, message(), deps);
    assert.equal(
      fs.read(`/a/new/${fs.list('/a/new')[0]!}`).toString('latin1'),
      'Return-Path: <s@example.org>\nDelivered-To: bb@example.org\nSubject: x\n\nbody\n',
    );
  });

  it('--trace-headers none wins over "traceHeaders": "always"', async () => {
    const path = write('trace-none.json', { targets: [{ name: 'a', path: '/a' }], traceHeaders: 'always' });
    const { fs, deps } = setup();
    const vars = { SENDER: 's@example.org', RECIPIENT: 'bb@example.org' };
    await runDelivery(
      options({ config: path, allowRoot, traceHeaders: 'none' }),
      { ...env, uid, vars },
      message(),
      deps,
    );
    assert.equal(fs.read(`/a/new/${fs.list('/a/new')[0]!}`).toString('latin1'), 'Subject: x\n\nbody\n');
  });

  it('a bad config: 4.3.5 naming the file and the problem', async () => {
    const path = write('bad.json', { targets: [] });
    const { deps } = setup();
    const outcome = await runDelivery(options({ config: path, allowRoot }), { ...env, uid }, message(), deps);
    assert.equal(refusal(outcome), `4.3.5 config ${path}: targets: must not be empty`);
  });

  it('a relative --config: against the working directory', async () => {
    write('rel.json', { targets: [{ name: 'a', path: '/a' }] });
    const { deps } = setup();
    const outcome = await runDelivery(
      options({ config: 'rel.json', allowRoot }),
      { ...env, cwd: dir, uid },
      message(),
      deps,
    );
    assert.deepEqual(outcome, { kind: 'ok' });
  });
});
