// Routing with the mail that commit hooks really send (README, "Routing: which target gets which
// message"). The fixtures in test/fixtures/commit-mail/ model CVS loginfo scripts, Subversion's
// mailer.py and commit-email.pl, git's post-receive-email and git-multimail, Launchpad branch
// mail, GitHub push mail and a freedesktop.org commit list (their README.md says which is which).
// One config with several buildmasters routes each of them, through the real CLI, into exactly
// the maildirs its rules select, byte-exact. Then: the dry run's explanations, every `unmatched`
// policy, config errors, broken maildirs, hostile headers, the journal and Python's reader.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertFailure, assertSilentSuccess, EX_DATAERR, EX_TEMPFAIL, QMAIL_HARD } from './fault-helpers';
import {
  finished,
  listMaildir,
  readNew,
  runCli,
  sandbox,
  startCli,
  type RunResult,
  type Sandbox,
} from './harness';
import { stamped } from './journal-helpers';
import { pythonMaildirs } from './readers';

const FIXTURES = resolve(__dirname, '../../../test/fixtures/commit-mail');
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));

/** What a maildir must hold: the input without a leading mbox From_ line (DESIGN.md guarantee 4). */
function withoutFromLine(input: Buffer): Buffer {
  if (input.subarray(0, 5).toString('latin1') !== 'From ') return input;
  const lf = input.indexOf(0x0a);
  return lf === -1 ? Buffer.alloc(0) : input.subarray(lf + 1);
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

// The buildmasters, in config order (JSON paths name targets[0] … targets[8]).
const TARGETS = [
  'gstreamer',
  'kernel',
  'macos',
  'svn-httpd',
  'svn-legacy',
  'launchpad',
  'cvs',
  'translations',
  'archive',
] as const;
type TargetName = (typeof TARGETS)[number];

/** Each buildmaster's rule, as an operator would write it; the archive has none and gets everything. */
const RULES: Readonly<Record<TargetName, unknown>> = {
  // The README's example: the commit list, or git-multimail mail of any gst* repository.
  gstreamer: {
    any: [
      { header: 'List-Id', contains: '<gstreamer-commits.' },
      { header: 'X-Git-Repo', glob: 'gst*' },
    ],
  },
  // Pushes by kernel.org people, but not their work in progress.
  kernel: {
    all: [
      { address: 'From', glob: '*@kernel.org' },
      { not: { header: 'Subject', regex: '\\b(?:RFC|WIP)\\b', caseSensitive: true } },
    ],
  },
  // Mail addressed to the macOS master (also as a member of a group), or tagged [macos].
  macos: {
    any: [
      { address: 'To', glob: 'bb-macos@*' },
      { header: 'Subject', contains: '[macos]' },
    ],
  },
  // mailer.py of the httpd project: its X-Svn-Commit-* headers, and its subject once decoded.
  'svn-httpd': {
    all: [
      { header: 'X-Svn-Commit-Project', equals: 'httpd', caseSensitive: true },
      { header: 'Subject', regex: '^svn commit: r[0-9]+ - ' },
    ],
  },
  // commit-email.pl, which sends the same subject without the X-Svn-Commit-* headers.
  'svn-legacy': {
    all: [
      { header: 'Subject', regex: '^svn commit: r[0-9]+ - ' },
      { not: { header: 'X-Svn-Commit-Revision', exists: true } },
    ],
  },
  launchpad: {
    all: [
      { header: 'X-Launchpad-Branch', glob: '~*/fanout/*' },
      { header: 'X-Launchpad-Notification-Type', equals: 'branch-revision' },
    ],
  },
  cvs: { header: 'X-Mailer', regex: '^Python (?:syncmail|buildbot-cvs-mail) ' },
  // Translators' work: needs decoded subjects and display names (Latin-1, RFC 2047 B and Q).
  translations: {
    any: [
      { header: 'Subject', contains: 'übersetzung' },
      { header: 'Subject', contains: '翻訳' },
      { header: 'From', contains: 'Anaïs' },
    ],
  },
  archive: undefined,
};

interface Place {
  readonly root: string;
  readonly config: string;
  /** Maildir of each target in the config, in config order. */
  readonly dirs: ReadonlyMap<string, string>;
}

interface PlaceOptions {
  /** The targets to configure (default: all nine). */
  readonly targets?: readonly TargetName[];
  /** Top-level config keys (default: the journal off, as it is not the point). */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** A fresh folder of maildirs, one per target, and the routing config pointing at them. */
function placeIn(box: Sandbox): (options?: PlaceOptions) => Place {
  let serial = 0;
  return (options = {}) => {
    const name = `p${++serial}`;
    const dirs = new Map<string, string>();
    const targets = (options.targets ?? TARGETS).map((target) => {
      const path = box.maildir(`${name}/${target}`);
      dirs.set(target, path);
      const match = RULES[target];
      return { name: target, path, ...(match === undefined ? {} : { match }) };
    });
    const settings = options.settings ?? { journal: { enabled: false } };
    const config = box.config({ targets, ...settings }, `${name}/targets.json`);
    return { root: join(box.dir, name), config, dirs };
  };
}

function maildirOf(p: Place, target: string): string {
  const dir = p.dirs.get(target);
  assert.ok(dir !== undefined, `no target ${target}`);
  return dir;
}

/**
 * Exactly the `expected` targets hold one file each, equal to `content` byte for byte; every
 * other maildir is empty; no maildir has anything in tmp/ or cur/. `skip`: maildirs not to list.
 */
function assertRouted(
  p: Place,
  expected: readonly string[],
  content: Buffer,
  skip: readonly string[] = [],
): void {
  const got: string[] = [];
  for (const [name, dir] of p.dirs) {
    if (skip.includes(name)) continue;
    const listing = listMaildir(dir);
    assert.deepEqual(listing.tmp, [], `${name}: nothing may stay in tmp/`);
    assert.deepEqual(listing.cur, [], `${name}: nothing in cur/`);
    if (listing.new.length > 0) got.push(name);
  }
  assert.deepEqual(got, [...expected], 'the targets that got the message');
  for (const name of expected) {
    const files = readNew(maildirOf(p, name));
    assert.equal(files.length, 1, `${name}: exactly one copy`);
    assert.ok(files[0]!.equals(content), `${name}: the copy is the message, byte for byte`);
  }
}

/** Every target's `route:` text in a dry-run report (after "route: "), by target name. */
function routeLines(report: string): Map<string, string> {
  const routes = new Map<string, string>();
  let current: string | undefined;
  for (const line of report.split('\n')) {
    const target = /^ {2}([^\s:]+): /.exec(line);
    if (target?.[1] !== undefined) current = target[1];
    const route = /^ {4}route: (.*)$/.exec(line);
    if (route?.[1] !== undefined && current !== undefined) routes.set(current, route[1]);
  }
  return routes;
}

const EVERY_MESSAGE = 'yes: no match rule, gets every message';

/**
 * Every fixture, the targets a plain reading of the rules gives it, and for each of those the
 * dry run's explanation: the rule that decided and why (the archive's is always EVERY_MESSAGE).
 */
// prettier-ignore
const COMMIT_MAIL: readonly { file: string; yes: Readonly<Partial<Record<TargetName, string>>> }[] = [
  { file: 'cvs-syncmail.eml', yes: {
    cvs: 'targets[6].match: header X-Mailer regex "^Python (?:syncmail|buildbot-cvs-mail) ": matches "Python syncmail $Revision: 1.20 $ <http://sf.net/projects/cvs-syncmail>"' } },
  { file: 'cvs-buildbot-cvs-mail-latin1.eml', yes: {
    cvs: 'targets[6].match: header X-Mailer regex "^Python (?:syncmail|buildbot-cvs-mail) ": matches "Python buildbot-cvs-mail $Revision: 1.3 $"',
    translations: 'targets[7].match.any[0]: header Subject contains "übersetzung": matches "cvs update for project Übersetzungen"' } },
  { file: 'svn-mailer-py.eml', yes: {
    'svn-httpd': 'targets[3].match: all 2 rules of "all" match',
    translations: 'targets[7].match.any[1]: header Subject contains "翻訳": matches "svn commit: r1912345 - in /httpd/httpd/trunk/docs/manual: mod/翻訳 style/翻訳"' } },
  { file: 'svn-commit-email-pl.eml', yes: {
    'svn-legacy': 'targets[4].match: all 2 rules of "all" match' } },
  { file: 'git-post-receive-email.eml', yes: {
    kernel: 'targets[1].match: all 2 rules of "all" match',
    macos: 'targets[2].match.any[0]: address To glob "bb-macos@*": matches "bb-macos@ci.example.org"' } },
  { file: 'git-multimail-gst.eml', yes: {
    gstreamer: 'targets[0].match.any[1]: header X-Git-Repo glob "gst*": matches "gst-plugins-base"' } },
  { file: 'git-multimail-kernel-wip.eml', yes: {} },
  { file: 'launchpad-bzr-branch.eml', yes: {
    launchpad: 'targets[5].match: all 2 rules of "all" match' } },
  { file: 'github-push-crlf.eml', yes: {
    macos: 'targets[2].match.any[1]: header Subject contains "[macos]": matches "[fanout-org/maildir-fanout] 4f1c2a: ci: build universal binaries [macos]"' } },
  { file: 'gstreamer-commits-list.eml', yes: {
    gstreamer: 'targets[0].match.any[0]: header List-Id contains "<gstreamer-commits.": matches "<gstreamer-commits.lists.freedesktop.org>"',
    translations: 'targets[7].match.any[2]: header From contains "Anaïs": matches "Anaïs Lefèvre <alefevre@kemper.freedesktop.org>"' } },
];

/** The targets that get a fixture, in config order: its rule matches, or it has none. */
const selected = (yes: Readonly<Partial<Record<TargetName, string>>>): TargetName[] =>
  TARGETS.filter((name) => name === 'archive' || yes[name] !== undefined);

describe('routing real commit mail to several buildmasters', () => {
  const box = sandbox();
  after(() => box.remove());
  const place = placeIn(box);

  describe('delivery: each message lands in exactly the maildirs its rules select, byte-exact', () => {
    const runs = new Map<string, { place: Place; result: RunResult }>();
    before(async () => {
      for (const { file } of COMMIT_MAIL) {
        const p = place();
        runs.set(file, { place: p, result: await runCli(['--config', p.config], { input: fixture(file) }) });
      }
    });

    for (const { file, yes } of COMMIT_MAIL) {
      const targets = selected(yes);
      it(`${file} -> ${targets.join(', ')}`, () => {
        const run = runs.get(file)!;
        assertSilentSuccess(run.result);
        assertRouted(run.place, targets, withoutFromLine(fixture(file)));
      });
    }

    it('the fixtures are what the README says: one From_ line, one CRLF file, raw Latin-1 in one', () => {
      const starts = COMMIT_MAIL.filter(({ file }) => fixture(file).subarray(0, 5).toString() === 'From ');
      assert.deepEqual(
        starts.map(({ file }) => file),
        ['cvs-syncmail.eml'],
      );
      const crlf = fixture('github-push-crlf.eml');
      assert.equal(crlf.toString('latin1').split('\r\n').length, crlf.toString('latin1').split('\n').length);
      assert.throws(() =>
        new TextDecoder('utf-8', { fatal: true }).decode(fixture('cvs-buildbot-cvs-mail-latin1.eml')),
      );
    });
  });

  describe('--dry-run: the route of every target, the rule that decided and why; nothing written', () => {
    const reports = new Map<string, RunResult>();
    let p: Place;
    before(async () => {
      p = place({ settings: { journal: { dir: 'state' } } });
      for (const { file } of COMMIT_MAIL) {
        reports.set(file, await runCli(['-n', '--config', p.config], { input: fixture(file) }));
      }
    });

    for (const { file, yes } of COMMIT_MAIL) {
      it(`${file}: a route line for each of the 9 targets`, () => {
        const result = reports.get(file)!;
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stderr, '');
        const routes = routeLines(result.stdout);
        assert.deepEqual([...routes.keys()], [...TARGETS], result.stdout);
        for (const [index, name] of TARGETS.entries()) {
          const line = routes.get(name)!;
          const expected = name === 'archive' ? EVERY_MESSAGE : yes[name];
          if (expected === undefined) {
            assert.ok(line.startsWith(`no: targets[${index}].match`), `${name}: ${line}`);
          } else {
            assert.equal(line, name === 'archive' ? expected : `yes: ${expected}`, name);
          }
        }
        const n = selected(yes).length;
        assert.match(
          result.stdout,
          new RegExp(`\\nresult: would deliver one copy to each of ${n} targets? \\(of 9\\)\\n$`),
        );
      });
    }

    // The explanations of a no: the decisive rule, and the values as decoded.
    // prettier-ignore
    const NO: readonly [file: string, target: TargetName, route: string][] = [
      ['git-multimail-kernel-wip.eml', 'kernel', 'no: targets[1].match.all[1]: not (targets[1].match.all[1].not: header Subject regex "\\\\b(?:RFC|WIP)\\\\b" (case-sensitive): matches "[linux-ci] 02/02: WIP: mm: account dirty pages per memcg")'],
      ['svn-mailer-py.eml', 'svn-legacy', 'no: targets[4].match.all[1]: not (targets[4].match.all[1].not: header X-Svn-Commit-Revision exists: present ("1912345"))'],
      ['cvs-buildbot-cvs-mail-latin1.eml', 'kernel', 'no: targets[1].match.all[0]: address From glob "*@kernel.org": no address matches ("joerg@cvs.example.org")'],
      ['gstreamer-commits-list.eml', 'svn-legacy', 'no: targets[4].match.all[0]: header Subject regex "^svn commit: r[0-9]+ - ": no value matches ("gst-plugins-good: po: update the French translation by\\tAnaïs Lefèvre")'],
      ['git-multimail-gst.eml', 'svn-legacy', 'no: targets[4].match.all[0]: header Subject regex "^svn commit: r[0-9]+ - ": no value matches ("[gst-plugins-base] 01/02: audioconvert: accept ünïcode channel names")'],
      ['git-multimail-gst.eml', 'cvs', 'no: targets[6].match: header X-Mailer regex "^Python (?:syncmail|buildbot-cvs-mail) ": no X-Mailer field'],
      ['launchpad-bzr-branch.eml', 'macos', 'no: targets[2].match: none of the 2 rules of "any" matches'],
    ];
    for (const [file, target, route] of NO) {
      it(`${file}, ${target}: ${route.slice(0, 60)}…`, () => {
        assert.equal(routeLines(reports.get(file)!.stdout).get(target), route);
      });
    }

    // The project's own rule (src/mta/header-value.ts): control characters are C0, DEL and C1.
    // A route line quotes header values with JSON.stringify, which escapes C0 only, so DEL and
    // C1 controls such as U+009B (CSI, a terminal escape) from a hostile header reach the terminal.
    it('regression: the dry run printed DEL and C1 control characters of a hostile header raw', async () => {
      const hostile = Buffer.from('Subject: \u001b[31mred\u007f \u009b31mred\n\nbody\n', 'utf8');
      const result = await runCli(['-n', '--config', p.config], { input: hostile });
      assert.equal(result.code, 0, result.stderr);
      const line = routeLines(result.stdout).get('svn-legacy') ?? '';
      assert.ok(line.includes('\\u001b[31mred'), `C0 is escaped: ${JSON.stringify(line)}`);
      assert.doesNotMatch(line, /[\u007f-\u009f]/, `DEL and C1 must be escaped too: ${JSON.stringify(line)}`);
    });

    it('writes nothing: every maildir stays empty and the journal folder is not created', () => {
      assertRouted(p, [], Buffer.alloc(0));
      assert.equal(existsSync(join(p.root, 'state')), false);
    });
  });

  describe('hostile headers never crash or misroute: exit 0, byte-exact, where a plain reading says', () => {
    const filler = (n: number): string => `X-Filler-${String(n).padStart(6, '0')}: ${'x'.repeat(90)}\n`;
    /** 300 KiB of header and no empty line: a Subject first, a List-Id past 256 KiB. */
    const endlessHeader = (): Buffer => {
      let text = 'Subject: [macos] hostile: a header without an end\n';
      for (let n = 1; text.length < 280 * 1024; n++) text += filler(n);
      text += 'List-Id: <gstreamer-commits.lists.freedesktop.org>\n';
      for (let n = 1; text.length < 300 * 1024; n++) text += filler(n);
      return Buffer.from(text);
    };
    const MiB = 'a'.repeat(1024 * 1024);
    // prettier-ignore
    const HOSTILE: readonly [title: string, message: () => Buffer, targets: readonly TargetName[]][] = [
      ['a 300 KiB header without an empty line: the Subject at its start is seen, a List-Id past 256 KiB is not', endlessHeader, ['macos', 'archive']],
      ['a 1 MiB header line, then a Subject: past 256 KiB, the Subject is not seen', () => Buffer.from(`X-Long: ${MiB}\nSubject: [macos] after the long line\n\nbody\n`), ['archive']],
      ['a Subject, then a 1 MiB header line: the Subject is seen', () => Buffer.from(`Subject: [macos] before the long line\nX-Long: ${MiB}\n\nbody\n`), ['macos', 'archive']],
      ['NUL bytes in header values are characters like any other', () => Buffer.from('From: dev@kernel.org\nSubject: \0[macos] nul \0 bytes\nX-Git-Repo: gst-\0core\n\nbody \0\n', 'latin1'), ['gstreamer', 'kernel', 'macos', 'archive']],
      ['invalid encoded words: bad base64, an unknown charset (read as UTF-8), a bad Q escape', () => Buffer.from('From: =?utf-8?B?####?= <dev@kernel.org>\nSubject: =?x-unknown?Q?=5Bmacos=5D_build?= =?utf-8?B?####?=\nX-Git-Repo: =?x?Q?=ZZ?=\n\nbody\n'), ['kernel', 'macos', 'archive']],
      ['an empty message', () => Buffer.alloc(0), ['archive']],
      ['only a body: it starts with an empty line, so there is no header at all', () => Buffer.from('\nSubject: [macos] in the body\nList-Id: <gstreamer-commits.x>\n\nbody\n'), ['archive']],
      ['lines that are not header fields are skipped, with what is folded under them', () => Buffer.from('not a field\n List-Id: <gstreamer-commits.x>\n: no name\nSubject: [macos] after garbage\n\nbody\n'), ['macos', 'archive']],
    ];
    for (const [title, message, targets] of HOSTILE) {
      it(`${title} -> ${targets.join(', ')}`, async () => {
        const p = place();
        const input = message();
        assertSilentSuccess(await runCli(['--config', p.config], { input }));
        assertRouted(p, targets, input);
      });
    }
  });

  // A glob becomes a backtracking regular expression ("*" -> [^]*), whose time grows with the
  // value's length to the power of the number of stars. Rules run synchronously, so the internal
  // deadline cannot fire either: a hostile header holds the delivery past Postfix's 1000 s
  // command_time_limit, and Postfix bounces (README: a hostile header never fails a delivery).
  it('regression: a glob with several "*" backtracked catastrophically on a hostile header, past the deadline', async () => {
    const lists = box.maildir('backtracking/lists');
    const archive = box.maildir('backtracking/archive');
    const config = box.config(
      {
        targets: [
          { name: 'lists', path: lists, match: { header: 'List-Id', glob: '*<*-commits.*>' } },
          { name: 'archive', path: archive },
        ],
        journal: { enabled: false },
        timeout: 2,
      },
      'backtracking/targets.json',
    );
    // 33 KiB of near-misses and no closing ">": a plain reading says "no match", at once.
    const input = Buffer.from(`List-Id: ${'<a-commits.'.repeat(3000)}\nSubject: hostile\n\nbody\n`);
    const child = startCli(['--config', config]);
    const done = finished(child);
    child.stdin?.end(input);
    const started = Date.now();
    const killer = setTimeout(() => child.kill('SIGKILL'), 6000);
    const result = await done;
    clearTimeout(killer);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(result.signal, null, `still routing after ${seconds} s (deadline 2 s): killed`);
    assertSilentSuccess(result);
    assert.deepEqual(readNew(lists), []);
    assert.deepEqual(readNew(archive), [input]);
  });

  describe('unmatched: what happens when no target accepts a message (every target has a rule)', () => {
    // Everything but the archive; the kernel WIP push matches none of these rules.
    const RULED = TARGETS.filter((name) => name !== 'archive');
    const WIP = fixture('git-multimail-kernel-wip.eml');
    const withPolicy = (unmatched: unknown, more: Record<string, unknown> = {}): Place =>
      place({ targets: RULED, settings: { journal: { enabled: false }, unmatched, ...more } });

    it('"reject" (the default too): exit 65, 5.7.1, nothing delivered', async () => {
      for (const p of [withPolicy('reject'), place({ targets: RULED })]) {
        const result = await runCli(['--config', p.config], { input: WIP });
        assertFailure(result, EX_DATAERR, '5.7.1', "no target's match rule accepts this message");
        assertRouted(p, [], WIP);
      }
    });

    it('"reject" with --exit-codes qmail: exit 100 (qmail-command: permanent)', async () => {
      const p = withPolicy('reject');
      const result = await runCli(['--exit-codes', 'qmail', '--config', p.config], { input: WIP });
      assertFailure(result, QMAIL_HARD, '5.7.1');
      assertRouted(p, [], WIP);
    });

    it('"defer": exit 75, 4.7.1, nothing delivered', async () => {
      const p = withPolicy('defer');
      const result = await runCli(['--config', p.config], { input: WIP });
      assertFailure(result, EX_TEMPFAIL, '4.7.1', "no target's match rule accepts this message");
      assertRouted(p, [], WIP);
    });

    it('"discard" with a log: exit 0, silent, nothing delivered, a status=discarded line', async () => {
      const p = withPolicy('discard', { log: 'mf.log' });
      assertSilentSuccess(await runCli(['--config', p.config], { input: WIP }));
      assertRouted(p, [], WIP);
      const lines = readFileSync(join(p.root, 'mf.log'), 'utf8').split(/(?<=\n)/);
      assert.equal(lines.length, 1, lines.join(''));
      for (const part of ['status=discarded', `sha256=${sha256(WIP)}`, `size=${WIP.length}`, 'to=-']) {
        assert.ok(lines[0]!.includes(` ${part} `), `log line has ${part}: ${lines[0]!}`);
      }
    });

    it('"discard" with --log on the command line instead: exit 0, logged', async () => {
      const p = withPolicy('discard');
      const log = join(p.root, 'cli.log');
      assertSilentSuccess(await runCli(['--log', log, '--config', p.config], { input: WIP }));
      assertRouted(p, [], WIP);
      assert.match(readFileSync(log, 'utf8'), / status=discarded /);
    });

    it('"discard" without any log: exit 75, 4.3.5, nothing delivered (nothing may vanish without a trace)', async () => {
      const p = withPolicy('discard');
      const result = await runCli(['--config', p.config], { input: WIP });
      assertFailure(result, EX_TEMPFAIL, '4.3.5', '"unmatched": "discard" needs a delivery log');
      assertRouted(p, [], WIP);
    });

    it('{"deliverTo": [...]}: only those targets get an unmatched message; the dry run says why', async () => {
      const p = withPolicy({ deliverTo: ['cvs', 'translations'] });
      assertSilentSuccess(await runCli(['--config', p.config], { input: WIP }));
      assertRouted(p, ['cvs', 'translations'], WIP);
      const dry = await runCli(['-n', '--config', p.config], { input: WIP });
      assert.equal(dry.code, 0, dry.stderr);
      const routes = routeLines(dry.stdout);
      assert.equal(
        routes.get('cvs'),
        'yes, by unmatched.deliverTo: no rule matched (targets[6].match: header X-Mailer regex "^Python (?:syncmail|buildbot-cvs-mail) ": no X-Mailer field)',
      );
      assert.match(
        routes.get('translations') ?? '',
        /^yes, by unmatched\.deliverTo: no rule matched \(targets\[7\]/,
      );
      assert.match(routes.get('kernel') ?? '', /^no: targets\[1\]\.match\.all\[1\]: not /);
    });

    it('{"deliverTo": [...]} does not apply to a message some rule accepts', async () => {
      const p = withPolicy({ deliverTo: ['cvs', 'translations'] });
      const push = fixture('github-push-crlf.eml');
      assertSilentSuccess(await runCli(['--config', p.config], { input: push }));
      assertRouted(p, ['macos'], push);
    });
  });

  describe('config errors: exit 75, one line with the JSON path, never a stack trace, nothing delivered', () => {
    // targets[0] is a plain archive; targets[1] carries the broken rule.
    // prettier-ignore
    const ERRORS: readonly [title: string, match: unknown, settings: Record<string, unknown>, text: string][] = [
      ['a bad regular expression', { header: 'Subject', regex: '(unclosed' }, {}, 'targets[1].match.regex: invalid regular expression: Unterminated group'],
      ['an unknown rule key', { header: 'Subject', contains: 'x', ignoreCase: true }, {}, 'targets[1].match.ignoreCase: unknown key'],
      ['two comparisons in one test', { header: 'Subject', contains: 'a', equals: 'b' }, {}, 'targets[1].match: a test has one comparison; this one has "equals" and "contains"'],
      ['a header name with spaces', { header: 'X Git Repo', exists: true }, {}, 'targets[1].match.header: a header name is printable ASCII without spaces or a colon'],
      ['a header name with a colon', { any: [{ header: 'Subject:', exists: true }] }, {}, 'targets[1].match.any[0].header: a header name is printable ASCII without spaces or a colon'],
      ['a bad glob, nested', { not: { all: [{ address: 'From', glob: '[z-a]*' }] } }, {}, 'targets[1].match.not.all[0].glob: invalid glob: range z-a is out of order'],
      ['deliverTo an unknown target', { header: 'Subject', exists: true }, { unmatched: { deliverTo: ['archive', 'nope'] } }, 'unmatched.deliverTo[1]: no target is named "nope"'],
    ];
    for (const [title, match, settings, text] of ERRORS) {
      it(`${title}: ${text}`, async () => {
        const archive = box.maildir(`errors-${title.replaceAll(' ', '-')}/archive`);
        const config = box.config(
          {
            targets: [
              { name: 'archive', path: archive },
              { name: 'bad', path: `${archive}-bad`, match },
            ],
            ...settings,
          },
          `errors-${title.replaceAll(' ', '-')}/targets.json`,
        );
        const result = await runCli(['--config', config], { input: fixture('cvs-syncmail.eml') });
        assertFailure(result, EX_TEMPFAIL, '4.3.5', `config ${config}: ${text}`);
        assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
        assert.deepEqual(listMaildir(archive), { tmp: [], new: [], cur: [] });
      });
    }
  });

  describe('a broken maildir matters only to the messages routed to it', () => {
    const broken = (): Place => {
      const p = place();
      rmSync(join(maildirOf(p, 'macos'), 'new'), { recursive: true });
      return p;
    };

    it('broken macos, a gstreamer push: delivered (exit 0) to gstreamer and the archive', async () => {
      const p = broken();
      const push = fixture('git-multimail-gst.eml');
      assertSilentSuccess(await runCli(['--config', p.config], { input: push }));
      assertRouted(p, ['gstreamer', 'archive'], push, ['macos']);
    });

    it('broken macos, a [macos] push: exit 75 naming macos, and nothing published anywhere', async () => {
      const p = broken();
      const push = fixture('github-push-crlf.eml');
      const result = await runCli(['--config', p.config], { input: push });
      assertFailure(result, EX_TEMPFAIL, '4.2.1', 'target macos');
      assertRouted(p, [], push, ['macos']);
      assert.deepEqual(readdirSync(join(maildirOf(p, 'macos'), 'tmp')), []);
    });

    it('the dry run shows the broken target and still plans the delivery that does not need it', async () => {
      const p = broken();
      const result = await runCli(['-n', '--config', p.config], { input: fixture('git-multimail-gst.eml') });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /\n {2}macos: .*\n {4}route: no: .*\n {4}state: FAILS: 4\.2\.1 /);
      assert.match(result.stdout, /\nresult: would deliver one copy to each of 2 targets \(of 9\)\n$/);
    });
  });

  it('the exactly-once journal holds with routing: the same message twice, one copy per routed target', async () => {
    const p = place({ settings: {} });
    const state = join(p.root, 'state');
    const file = 'git-post-receive-email.eml';
    const message = fixture(file);
    for (const attempt of [1, 2]) {
      // Each MTA attempt stamps a new From_ line; the journal knows the message without it.
      const result = await runCli(['--state-dir', state, '--config', p.config], {
        input: stamped(message, attempt),
      });
      assertSilentSuccess(result);
    }
    assertRouted(p, ['kernel', 'macos', 'archive'], message);
    const again = await runCli(['-n', '--state-dir', state, '--config', p.config], { input: message });
    assert.match(
      again.stdout,
      /\nresult: already delivered to 3 targets; would deliver to the other 0 targets\n$/,
    );
  });

  it('trace headers this tool adds are not seen by rules; those already in the message are', async () => {
    const env = { SENDER: 'svn@svn.fanout.example.org', RECIPIENT: 'bb-legacy@ci.example.org' };
    const trace = 'Return-Path: <svn@svn.fanout.example.org>\nDelivered-To: bb-legacy@ci.example.org\n';
    // commit-email.pl's mail comes without Delivered-To; syncmail's went through Postfix.
    for (const [file, seen] of [
      ['svn-commit-email-pl.eml', false],
      ['cvs-syncmail.eml', true],
    ] as const) {
      const folder = `trace-${file}`;
      const rule = box.maildir(`${folder}/delivered-to`);
      const archive = box.maildir(`${folder}/archive`);
      const config = box.config(
        {
          targets: [
            { name: 'delivered-to', path: rule, match: { header: 'Delivered-To', exists: true } },
            { name: 'archive', path: archive },
          ],
          journal: { enabled: false },
        },
        `${folder}/targets.json`,
      );
      const args = ['--trace-headers', 'always', '--config', config];
      assertSilentSuccess(await runCli(args, { input: fixture(file), env }));
      const content = Buffer.concat([Buffer.from(trace), withoutFromLine(fixture(file))]);
      assert.deepEqual(readNew(archive), [content], `${file}: the archive`);
      assert.deepEqual(readNew(rule), seen ? [content] : [], `${file}: the Delivered-To rule`);
    }
  });

  it("Python's mailbox.Maildir reads a routed message back: same bytes, same Subject", async () => {
    const p = place();
    const file = 'github-push-crlf.eml';
    const message = fixture(file);
    assertSilentSuccess(await runCli(['--config', p.config], { input: message }));
    const read = pythonMaildirs([maildirOf(p, 'macos'), maildirOf(p, 'archive'), maildirOf(p, 'kernel')]);
    const one = {
      bytes: message.length,
      sha256: sha256(message),
      subject: '[fanout-org/maildir-fanout] 4f1c2a: ci: build universal binaries [macos]',
    };
    assert.deepEqual(read, [[one], [one], []]);
  });
});
