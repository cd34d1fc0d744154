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
const env: Environment = { cwd: '/work', home: '/home/bb', xdgStateHome: undefined, uid: UID };
const options = (change: Partial<DeliverOptions>): DeliverOptions => ({
  maildirs: [],
  dryRun: false,
  allowRoot: false,
  copy: false,
  create: false,
  journal: false, // the journal works on the real file system: see "runDelivery: the journal"
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
  };
  return { fs, deps, deadlines, printed, journals, opened };
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
