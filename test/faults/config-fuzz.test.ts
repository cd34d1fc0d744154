// Hostile configs (issue 9): a seeded fuzz of the config loader through the real CLI. A valid
// targets.json (shaped like examples/targets.json, with a `match` rule and a journal folder) is
// mutated — bytes flipped, cut short, values replaced by wrong types, huge or negative numbers,
// paths with `..`, NUL or line breaks, very long strings, unknown and duplicate keys, deep
// nesting, a BOM, bytes that are not UTF-8 — and run, as a delivery and as --dry-run.
//
// Property (README, "Configuration" and "Exit status"): either the mutant is still a valid config
// and the message is delivered (exit 0, silent, a byte-exact copy in new/ and nothing written
// anywhere else but the journal), or exit 75 with exactly one stderr line
// `4.3.5 maildir-fanout: config <file>: <JSON path>: <problem>` (or a 4.2.x line when a valid
// config names a maildir that is not there), no stack trace, and nothing written at all; or, for
// a size limit mutated below the message's size, the documented 65 / 5.2.3. Seeded: FAULTS_SEED
// (default below), FAULTS_CONFIG_CASES (default 150).
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { asRoot, sandbox } from '../integration/harness';
import {
  assertNoCrash,
  countFromEnvironment,
  describeRun,
  diagnosticCode,
  explained,
  keepInput,
  Rng,
  runBounded,
  seedFromEnvironment,
  tree,
  treeChanges,
  type BoundedResult,
} from './fuzz-lab';

const SEED = seedFromEnvironment(0x9b0002);
const CASES = countFromEnvironment('FAULTS_CONFIG_CASES', 150);
const MESSAGE = Buffer.from(
  'From: ci@example.org\nSubject: config fuzz\nMessage-ID: <fuzz@example.org>\n\nbody\n',
);

/** The valid config every mutant starts from (paths relative to the config's folder `etc/`). */
const BASE = {
  $schema: '../schema/targets.schema.json',
  targets: [
    { name: 'bb-linux', path: '../maildirs/linux' },
    {
      name: 'bb-macos',
      path: '../maildirs/macos',
      mode: '0640',
      match: { header: 'Subject', contains: 'fuzz' },
    },
    { name: 'archive', path: '../maildirs/archive', create: false },
  ],
  sizeLimit: '50M',
  timeout: 900,
  hardLinks: true,
  traceHeaders: 'auto',
  unmatched: 'reject',
  journal: { dir: '../state', keepDays: 8 },
  check: { freeSpace: { warning: '5%', critical: '1%' }, tmpAge: '36h' },
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Raw JSON text that JSON.stringify cannot write (numbers beyond a double, deep nesting). */
const RAW = {
  above2to53: '9007199254740993',
  overflow: '1e309',
  negativeOverflow: '-1e309',
  tiny: '1e-400',
  longNumber: '1'.repeat(5000),
  deepArray: `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
  deepObject: `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
  proto: '{"__proto__": {"targets": [], "polluted": 1}}',
  deepNot: `${'{"not":'.repeat(200)}{"header":"Subject","exists":true}${'}'.repeat(200)}`,
} as const;

/** Hostile values for any place in the config; `raw:` names a RAW text. */
const HOSTILE: readonly Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0.5,
  4294967296,
  'raw:above2to53',
  'raw:overflow',
  'raw:negativeOverflow',
  'raw:tiny',
  'raw:longNumber',
  'raw:deepArray',
  'raw:deepObject',
  'raw:deepNot',
  '',
  ' ',
  'x'.repeat(100_000),
  '../'.repeat(40),
  '../../../../../../etc',
  '..',
  'a/../../b',
  'a\u0000b',
  '\u0000',
  'a\nb',
  'a\r\nBcc: x',
  '\ud800',
  '\ufeff',
  '~root/Maildir',
  '~/Maildir',
  '~',
  '/dev/null',
  '/proc/self/fd/0',
  '0777',
  '0666',
  '-1M',
  '1e309',
  '9999999999999999G',
  '0',
  '-0',
  '0x10',
  'NaN',
  '36h\n',
  [],
  {},
  [null],
  { '': null },
  { constructor: 1, toString: 'x' },
  'raw:proto',
];

function clone(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** Every path to a value in `value` ([] is the whole config). */
function paths(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function parentOf(root: Json, path: Path): Json {
  let node = root;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, Json>)[key]!;
  return node;
}

/** A problem that starts with a JSON path (targets[1].mode, journal["kee?Days"], ["x y"]) or names none. */
const QUOTED = String.raw`\["(?:[^"\\]|\\.)*"\]`;
const IDENT = String.raw`[$A-Za-z_][\w$]*`;
const JSON_PATH = new RegExp(
  String.raw`^(not valid JSON|top level|is \d+ bytes|(?:${IDENT}|${QUOTED})(?:\[\d+\]|\.${IDENT}|${QUOTED})*): `,
);

/** The JSON path as the tool writes it (targets[1].mode). */
const formatPath = (path: Path): string =>
  path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');

interface Mutant {
  readonly how: string;
  readonly text: Buffer;
  /** The JSON path changed, when the mutation was structural. */
  readonly at?: Path;
}

/** A JSON text in which each "raw:NAME" string is replaced by RAW[NAME]. */
function serialise(value: Json): string {
  return JSON.stringify(value, null, 2).replace(
    /"raw:(\w+)"/g,
    (_, name: string) => RAW[name as keyof typeof RAW],
  );
}

function mutate(rng: Rng): Mutant {
  const base = clone(BASE);
  const text = (): Buffer => Buffer.from(serialise(base));
  switch (rng.int(10)) {
    case 0:
    case 1:
    case 2: {
      // replace one value (anywhere) by a hostile one
      const at = rng.pick(paths(base).filter((p) => p.length > 0));
      const value = rng.pick(HOSTILE);
      (parentOf(base, at) as Record<string | number, Json>)[at.at(-1)!] = value;
      return { how: `${formatPath(at)} = ${JSON.stringify(value).slice(0, 60)}`, text: text(), at };
    }
    case 3: {
      // remove one key or array element
      const at = rng.pick(paths(base).filter((p) => p.length > 0));
      const parent = parentOf(base, at);
      if (Array.isArray(parent)) parent.splice(at.at(-1) as number, 1);
      else Reflect.deleteProperty(parent as Record<string, Json>, at.at(-1) as string);
      return { how: `remove ${formatPath(at)}`, text: text(), at: at.slice(0, -1) };
    }
    case 4: {
      // an unknown key (a typo) in any object
      const objects = paths(base).filter((p) => {
        const v = p.reduce<Json>((n, k) => (n as Record<string | number, Json>)[k]!, base);
        return v !== null && typeof v === 'object' && !Array.isArray(v);
      });
      const at = rng.pick(objects);
      const key = rng.pick([
        'targts',
        'Targets',
        'name ',
        'x'.repeat(10_000),
        '\u0000',
        'sizelimit',
        '__proto__',
      ]);
      const object = at.reduce<Json>((n, k) => (n as Record<string | number, Json>)[k]!, base);
      Object.defineProperty(object, key, { value: 1, enumerable: true, configurable: true, writable: true });
      return {
        how: `unknown key ${JSON.stringify(key.slice(0, 20))} in ${formatPath(at) || 'top level'}`,
        text: text(),
        at,
      };
    }
    case 5: {
      // flip 1 to 4 bytes of the text
      const bytes = text();
      const flips: string[] = [];
      for (let i = rng.between(1, 4); i > 0; i--) {
        const at = rng.int(bytes.length);
        bytes[at] = rng.int(256);
        flips.push(`${at}=0x${(bytes[at] ?? 0).toString(16)}`);
      }
      return { how: `bytes flipped: ${flips.join(' ')}`, text: bytes };
    }
    case 6: {
      const bytes = text();
      const at = rng.int(bytes.length);
      return { how: `truncated to ${at} bytes`, text: bytes.subarray(0, at) };
    }
    case 7: {
      // bytes that are not UTF-8 (or a BOM) inserted somewhere, often inside a string
      const bytes = text();
      const at = rng.chance(0.3) ? 0 : rng.int(bytes.length);
      const insert = Buffer.from(
        rng.pick([[0xef, 0xbb, 0xbf], [0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0x80, 0x80], [0]]),
      );
      return {
        how: `${insert.toString('hex')} inserted at ${at}`,
        text: Buffer.concat([bytes.subarray(0, at), insert, bytes.subarray(at)]),
      };
    }
    case 8: {
      // a duplicate key: JSON.parse keeps the last one
      const key = rng.pick(['targets', 'sizeLimit', 'timeout', 'journal']);
      const value = rng.pick(HOSTILE);
      const t = serialise(base).replace(/^\{/, `{\n  ${JSON.stringify(key)}: ${serialise(value)},`);
      return {
        how: `duplicate key ${key} = ${JSON.stringify(value).slice(0, 60)} (first)`,
        text: Buffer.from(t),
      };
    }
    default: {
      // a whole-file oddity
      const oddity = rng.pick<[string, string]>([
        ['empty file', ''],
        ['only whitespace', ' \n\t\r\n'],
        ['null', 'null'],
        ['an array', '[]'],
        ['a string', '"targets"'],
        ['deep array', RAW.deepArray],
        ['deep object', RAW.deepObject],
        ['1 MiB of spaces then {}', `${' '.repeat(1024 * 1024 - 2)}{}`],
        ['comments', `// a comment\n${serialise(base)}`],
        ['trailing comma', serialise(base).replace(/\n\}$/, ',\n}')],
        ['two documents', `${serialise(base)}\n${serialise(base)}`],
        ['NUL after the document', `${serialise(base)}\u0000`],
      ]);
      return { how: oddity[0], text: Buffer.from(oddity[1]) };
    }
  }
}

describe(`config loader fuzz through the real CLI (FAULTS_SEED=${SEED})`, { concurrency: 2 }, () => {
  const box = sandbox();
  /** Outcomes of the mutants (exit and status code), printed at the end for docs/reliability.md. */
  const outcomes = new Map<string, number>();
  before(() => console.log(`config-fuzz: FAULTS_SEED=${SEED} FAULTS_CONFIG_CASES=${CASES}`));
  after(() => {
    box.remove();
    console.log(`config-fuzz outcomes: ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
  });
  let serial = 0;

  /** A fresh folder: etc/targets.json, maildirs/{linux,macos,archive}, no state yet. */
  function place(text: Buffer): { root: string; config: string; maildirs: string[] } {
    const name = `p${++serial}`;
    const maildirs = ['linux', 'macos', 'archive'].map((m) => box.maildir(`${name}/maildirs/${m}`));
    mkdirSync(join(box.dir, name, 'etc'), { mode: 0o755 });
    box.own(join(box.dir, name, 'etc'));
    const config = box.file(`${name}/etc/targets.json`, text, 0o600);
    return { root: join(box.dir, name), config, maildirs };
  }

  /** The property of one run of a mutant (see the top of the file). */
  function assertProperty(
    result: BoundedResult,
    mutant: Mutant,
    p: ReturnType<typeof place>,
    before: Map<string, string>,
    dryRun: boolean,
  ): void {
    const context = (): string => `mutant "${mutant.how}" (seed ${SEED}${dryRun ? ', --dry-run' : ''})`;
    assertNoCrash(result, context);
    const changes = treeChanges(before, tree(p.root));
    if (result.code === 0) {
      assert.equal(result.stderr, '', `${describeRun(result)}; ${context()}`);
      if (!dryRun) assert.equal(result.stdout, '', `${describeRun(result)}; ${context()}`);
      // Only copies in new/ (byte-exact), created maildirs and the journal may appear.
      for (const change of changes) {
        // "<path> (<d | size | removed>)"; a mutated folder name may hold " (" itself.
        const cut = change.lastIndexOf(' (');
        const [path, what] = [change.slice(0, cut), change.slice(cut + 2, -1)];
        if (dryRun) assert.fail(`the dry run wrote ${change}; ${context()}`);
        if (what === 'd' || path.split('/').includes('journal')) continue;
        assert.ok(
          path.split('/').at(-2) === 'new',
          `a file written outside new/ and the journal: ${change}; ${context()}`,
        );
        assert.deepEqual(
          readFileSync(join(p.root, path)),
          MESSAGE,
          `${path} is not byte-exact; ${context()}`,
        );
      }
      return;
    }
    const code = diagnosticCode(result, context, dryRun);
    assert.deepEqual(changes, [], `a failed run wrote something; ${describeRun(result)}; ${context()}`);
    if (result.code === 65) {
      assert.equal(code, '5.2.3', `65 is only for a message over the size limit; ${context()}`);
      return;
    }
    assert.equal(result.code, 75, context());
    if (code !== '4.3.5') {
      // A valid config whose maildir or journal folder is not there or not usable (4.2.x).
      assert.match(code, /^4\.2\.[0-2]$/, `${describeRun(result)}; ${context()}`);
      return;
    }
    const prefix = `4.3.5 maildir-fanout: config ${p.config}: `;
    assert.ok(
      result.stderr.startsWith(prefix),
      `the diagnostic must name the config; ${describeRun(result)}; ${context()}`,
    );
    const problem = result.stderr.slice(prefix.length);
    // A JSON path as src/config/json-schema.ts writes it: targets[1].mode, journal["kee?Days"].
    const named = JSON_PATH.exec(problem);
    assert.ok(
      named !== null,
      `the problem must start with a JSON path; ${describeRun(result)}; ${context()}`,
    );
    const path = named[1]!;
    if (
      mutant.at !== undefined &&
      !/^(not valid JSON|top level|is )/.test(path) &&
      !/same maildir|already the name/.test(problem)
    ) {
      // The path named is the one mutated, one of its parents, or a key inside it.
      const mutated = formatPath(mutant.at);
      const related =
        mutated === '' || path === mutated || mutated.startsWith(path) || path.startsWith(mutated);
      assert.ok(
        related,
        `the problem names ${path}, the mutation was at ${mutated}; ${describeRun(result)}; ${context()}`,
      );
    }
  }

  it('the unmutated config is valid and delivers (the fuzz starts from a good config)', async () => {
    const p = place(Buffer.from(serialise(BASE as unknown as Json)));
    const result = await runBounded(['--config', p.config], { input: MESSAGE });
    assert.equal(result.code, 0, describeRun(result));
    assert.equal(result.stdout + result.stderr, '');
  });

  const rng = new Rng(SEED);
  for (let n = 0; n < CASES; n++) {
    const mutant = mutate(rng.fork());
    const dryRun = n % 3 === 2;
    it(`mutant ${n}${dryRun ? ' (--dry-run)' : ''}: ${mutant.how}`, async () => {
      const p = place(mutant.text);
      const before = tree(p.root);
      const result = await runBounded([...(dryRun ? ['--dry-run'] : []), '--config', p.config], {
        input: MESSAGE,
      });
      const status = /^([45]\.\d+\.\d+) /.exec(result.stderr)?.[1] ?? '-';
      const key = `exit ${String(result.code)} ${status}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      await explained(
        () => assertProperty(result, mutant, p, before, dryRun),
        () => `config kept at ${keepInput(mutant.text, 'json')}`,
      );
    });
  }
});

describe('hostile config files that are not mutations of the text', { concurrency: 2 }, () => {
  const box = sandbox();
  after(() => box.remove());

  it(
    'regression: a config that is a FIFO hung the delivery forever (open(2) waited for a writer in a thread the exit joins); now exit 75, "is not a regular file", within the bound',
    { skip: asRoot ? false : 'mkfifo owned by the test user needs root (chown)' },
    async () => {
      // `--config ~/targets.json` where targets.json was replaced by a named pipe (a mistake, or
      // a pipe someone left there): open(2) O_RDONLY blocks until a writer comes, on a libuv
      // thread, and process.exit() then waits for that thread. The MTA's own time limit is the
      // only way out, and Postfix bounces after command_time_limit.
      const { execFileSync } = await import('node:child_process');
      const fifo = join(box.dir, 'targets.json');
      execFileSync('mkfifo', ['-m', '0600', fifo]);
      box.own(fifo);
      const result = await runBounded(['--timeout', '2', '--config', fifo], {
        input: MESSAGE,
        timeoutMs: 15_000,
      });
      assert.ok(
        !result.hung,
        `hang: still running after 15 s (the deadline was 2 s); ${describeRun(result)}`,
      );
      assert.equal(result.code, 75, describeRun(result));
      assert.match(
        result.stderr,
        /^4\.3\.5 maildir-fanout: config .*targets\.json: is not a regular file\n$/,
      );
    },
  );

  it(
    'regression: a "log" that is a FIFO hung after the copy was in new/, then the deadline reported a false 4.4.7 and the process never exited; now exit 0, silent (a log that cannot be written never changes the exit status)',
    { skip: asRoot ? false : 'mkfifo owned by the test user needs root (chown)' },
    async () => {
      const { execFileSync } = await import('node:child_process');
      const maildir = box.maildir('log-fifo/M');
      const fifo = join(box.dir, 'log-fifo', 'fanout.log');
      execFileSync('mkfifo', ['-m', '0600', fifo]);
      box.own(fifo);
      const config = box.config(
        { targets: [{ name: 'm', path: 'M' }], timeout: 2, log: 'fanout.log' },
        'log-fifo/targets.json',
      );
      const result = await runBounded(['--config', config], { input: MESSAGE, timeoutMs: 15_000 });
      assert.equal(
        readdirSync(join(maildir, 'new')).length,
        1,
        'the message is delivered before the log is opened',
      );
      assert.ok(
        !result.hung,
        `hang: still running after 15 s (the deadline was 2 s); ${describeRun(result)}`,
      );
      assert.equal(result.code, 0, describeRun(result));
      assert.equal(result.stdout + result.stderr, '', describeRun(result));
    },
  );
});
