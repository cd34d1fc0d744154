// Routing benchmark: what `match` rules cost per delivery (issue #5's budget: with rules, at most
// ~25 ms more than without; without any rule, the header decoder is never loaded). Prints a
// markdown report on stdout (progress on stderr). Called by `bench/run.sh routing`:
//
//   node bench/routing.mjs --scratch DIR --tool PATH/TO/bin/maildir-fanout
//
// The same 4 KiB git-multimail commit notification (bench/message.mjs) is delivered with
// `--config`, the journal on (as a real delivery runs), by these configs:
//   A3  3 targets, no `match` (the baseline)
//   B3  3 targets, each with a rule of `header` tests only (contains/glob/regex/equals on
//       Subject, List-Id, X-Git-*, combined with any/all/not): 9 tests
//   C3  B3 plus one `address` test per target (loads nodemailer's addressparser): 12 tests
//   A8  8 targets, no `match` (the baseline of D8)
//   D8  8 targets, `header` tests only, 40 tests
// Every rule accepts this message, so every arm writes the same number of maildirs and the
// difference is routing alone. Each arm's run i is paired with its baseline's run i: same round,
// the cases of a round in shuffled order. Wall time and CPU time (user + system, of the whole
// process tree), both as in bench/measure.mjs.
//
// Then, as proof that a config without `match` never loads the parser, each config delivers once
// more under V8's precise coverage (NODE_V8_COVERAGE), and the report counts how often the
// routing functions of the bundle ran, among them the body of nodemailer's addressparser module,
// which esbuild wraps in a lazy init function (`__esm`) that only `await import()` calls.
//
//   BENCH_QUICK=1   3 runs per case, to check the script
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  KiB,
  emptyMaildirs,
  forgetDeliveries,
  measureAll,
  median,
  medianInterval,
  quantile,
  verifyDelivery,
} from './measure.mjs';
import { writeCommitMessage } from './message.mjs';

const { values: args } = parseArgs({
  options: { scratch: { type: 'string' }, tool: { type: 'string' } },
});
if (args.scratch === undefined || args.tool === undefined) {
  console.error('usage: node bench/routing.mjs --scratch DIR --tool PATH');
  process.exit(2);
}
const scratch = resolve(args.scratch);
const tool = resolve(args.tool);
const quick = process.env.BENCH_QUICK === '1';
const rootFlag = process.getuid?.() === 0 ? ['--allow-root'] : [];
const timeFile = join(scratch, 'time.out');
const cpuFile = join(scratch, 'cpu.out');
const RUNS = 200; // paired samples per arm: a 95 % interval of ±10 ms or less, even on a busy VM
const WARMUP = 3;
const SIZE = 4 * KiB;

// ---------------------------------------------------------------------------------------------
// The rules. Each one is true for the message of bench/message.mjs (writeCommitMessage), most
// only after trying a false alternative first, so evaluation does real work.

const h = (name, comparison) => ({ header: name, ...comparison });
const a = (name, comparison) => ({ address: name, ...comparison });
const NOT_DRAFT = { not: h('Subject', { regex: '^\\[?(?:RFC|WIP)\\b' }) };

/** B3: three buildmasters, header tests only (9 tests). */
const HEADER_RULES = [
  {
    any: [h('X-Git-Repo', { glob: 'gst-plugins-*' }), h('List-Id', { contains: '<gstreamer-commits.' })],
  },
  {
    all: [
      h('Subject', { regex: '^\\[gstreamer\\] (?:main|1\\.\\d+):' }),
      NOT_DRAFT,
      h('X-Git-Refname', { equals: 'refs/heads/main' }),
    ],
  },
  {
    all: [
      h('Subject', { contains: 'réordering' }), // only there once RFC 2047 is decoded
      { any: [h('X-Git-Repo', { glob: 'gst-*' }), h('X-Git-Repo', { glob: 'gstreamer' })] },
      { not: h('X-Git-NotificationType', { equals: 'tag' }) },
    ],
  },
];

/** C3: the same, plus one address test each (12 tests). */
const ADDRESS_RULES = [
  { any: [a('From', { glob: '*@kernel.org' }), ...HEADER_RULES[0].any] },
  { all: [...HEADER_RULES[1].all, a('To', { equals: 'bb-linux@ci.example.org' })] },
  { all: [...HEADER_RULES[2].all, a('From', { glob: '*@example.org' })] },
];

/** D8: eight buildmasters, one per module of a monorepo's commit list, header tests only (40). */
const MODULES = ['gstreamer', 'base', 'good', 'bad', 'ugly', 'libav', 'rtsp-server', 'vaapi'];
const TOPICS = ['rtpjitterbuffer', 'v4l2', 'va:', 'webrtc', 'rtsp', 'hls', 'matroska', 'opus'];
const MANY_RULES = MODULES.map((module, i) => ({
  all: [
    {
      any: [
        h('X-Git-Repo', { equals: i === 0 ? 'gstreamer-1.0' : `gst-plugins-${module}` }),
        h('List-Id', { contains: '<gstreamer-commits.' }),
      ],
    },
    i % 2 === 0
      ? NOT_DRAFT
      : h(
          'X-Git-Refname',
          i % 4 === 1 ? { regex: '^refs/heads/(?:main|1\\.\\d+)$' } : { glob: 'refs/heads/*' },
        ),
    { any: [h('Subject', { contains: TOPICS[i] }), h('X-Git-Host', { glob: '*.example.org' })] },
  ],
}));

const countTests = (rule) =>
  'any' in rule || 'all' in rule
    ? (rule.any ?? rule.all).reduce((n, r) => n + countTests(r), 0)
    : 'not' in rule
      ? countTests(rule.not)
      : 1;

// ---------------------------------------------------------------------------------------------

const message = join(scratch, 'commit-4k.eml');
writeCommitMessage(message, SIZE);
const stdin = { kind: 'pipe', data: readFileSync(message) };

/** A delivery case: the commit message into `count` maildirs, with `rules[i]` on target i. */
function routingCase(id, label, count, rules) {
  const caseDir = join(scratch, id);
  const stateDir = join(caseDir, 'state');
  const maildirs = Array.from({ length: count }, (_, i) => join(caseDir, `Maildir${i + 1}`));
  for (const dir of maildirs)
    for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(dir, sub), { recursive: true });
  const targets = maildirs.map((path, i) => ({
    name: `bb${i + 1}`,
    path,
    ...(rules === undefined ? {} : { match: rules[i] }),
  }));
  const config = join(caseDir, 'targets.json');
  // 0600: the tool refuses a config file that others could write.
  writeFileSync(config, `${JSON.stringify({ targets }, null, 2)}\n`, { mode: 0o600 });
  const flags = [...rootFlag, '--state-dir', stateDir, '--config', config];
  return {
    id,
    label,
    count,
    tests: rules === undefined ? 0 : rules.reduce((n, r) => n + countTests(r), 0),
    command: [tool, ...flags],
    dryRun: [tool, ...flags, '--dry-run'],
    stdin,
    runs: RUNS,
    warmup: WARMUP,
    after: () => {
      verifyDelivery(maildirs, SIZE, false); // every rule matched: a copy in every maildir
      emptyMaildirs(maildirs);
      forgetDeliveries(stateDir);
    },
  };
}

const reference = (label, command) => ({ id: label, label, command, runs: RUNS, warmup: WARMUP });
const A3 = routingCase('A3', 'no `match` (baseline)', 3, undefined);
const B3 = routingCase('B3', '`header` tests only', 3, HEADER_RULES);
const C3 = routingCase('C3', '`header` and `address` tests', 3, ADDRESS_RULES);
const A8 = routingCase('A8', 'no `match` (baseline)', 8, undefined);
const D8 = routingCase('D8', '`header` tests only', 8, MANY_RULES);
const deliveries = [A3, B3, C3, A8, D8];
const PAIRS = [
  [B3, A3, 'header rules, 3 targets'],
  [C3, A3, 'with address tests, 3 targets'],
  [D8, A8, 'header rules, 8 targets'],
  [C3, B3, 'the address tests alone (addressparser)'],
];

// Before measuring: the dry run must say that every target gets the message, by its rule.
for (const c of deliveries) {
  const result = spawnSync(c.dryRun[0], c.dryRun.slice(1), { input: stdin.data, encoding: 'utf8' });
  const routes = result.stdout.split('\n').filter((line) => line.trimStart().startsWith('route:'));
  const routed = c.tests === 0 ? routes.length === 0 : routes.length === c.count;
  if (
    result.status !== 0 ||
    !routed ||
    !routes.every((line) => line.includes('route: yes: targets[')) ||
    !result.stdout.includes(`result: would deliver one copy to each of ${c.count} targets`)
  ) {
    throw new Error(`${c.id}: dry run does not route to every target:\n${result.stdout}${result.stderr}`);
  }
}

const started = process.hrtime.bigint();
console.error(`scratch: ${scratch}${quick ? '   QUICK MODE' : ''}`);
const cases = [reference("node -e ''", ['node', '-e', '']), reference('true', ['true']), ...deliveries];
console.error(`measuring ${cases.length} cases, interleaved, shuffled in each round:`);
const results = new Map(
  measureAll(cases, { cwd: scratch, timeFile, cpuFile, quick, shuffle: true }).map((r) => [r.id, r]),
);
for (const file of [timeFile, cpuFile]) rmSync(file, { force: true });
for (const r of results.values()) {
  console.error(
    `  ${r.id.padEnd(12)} ${r.wallMedian.toFixed(1).padStart(8)} ms wall ${r.cpuMedian.toFixed(1).padStart(8)} ms CPU`,
  );
}

// ---------------------------------------------------------------------------------------------
// Which routing functions ran, per config: V8 precise coverage counts every function's calls.

/** Function names in dist/maildir-fanout.js, and what each one's running means. */
const PROBES = [
  ['node_modules/nodemailer/dist/esm/addressparser/index.js', "addressparser's module body (loading it)"],
  ['addressparser', "nodemailer's addressparser()"],
  ['loadAddressParser', 'loadAddressParser() (the `await import`)'],
  ['compileRule', 'compileRule() (config load)'],
  ['peekHeaderBlock', 'peekHeaderBlock() (reading the header ahead)'],
  ['headerFields', 'headerFields() (splitting it)'],
  ['decodeEncodedWords', 'decodeEncodedWords() (RFC 2047)'],
  ['evaluate', 'evaluate() (rules)'],
];

function functionCalls(c) {
  const dir = mkdtempSync(join(scratch, 'coverage-'));
  const result = spawnSync(
    '/usr/bin/env',
    ['-i', 'PATH=/usr/bin:/bin', `NODE_V8_COVERAGE=${dir}`, ...c.command],
    { input: stdin.data, encoding: 'utf8' },
  );
  if (result.status !== 0 || result.stdout !== '' || result.stderr !== '')
    throw new Error(`${c.id} under coverage: status ${result.status}\n${result.stdout}${result.stderr}`);
  c.after();
  const scripts = readdirSync(dir).flatMap(
    (file) => JSON.parse(readFileSync(join(dir, file), 'utf8')).result,
  );
  rmSync(dir, { recursive: true });
  const bundle = scripts.find((s) => s.url.endsWith('/dist/maildir-fanout.js'));
  if (bundle === undefined) throw new Error(`${c.id}: no coverage of dist/maildir-fanout.js`);
  return PROBES.map(([name]) => {
    const found = bundle.functions.filter((f) => f.functionName === name);
    // A renamed or duplicated function would make the count meaningless: fail, do not guess.
    if (found.length !== 1) throw new Error(`${found.length} functions named ${name} in the bundle`);
    return found[0].ranges[0].count;
  });
}

const calls = new Map(deliveries.map((c) => [c.id, functionCalls(c)]));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.error(`measurements took ${seconds.toFixed(0)} s`);

// ---------------------------------------------------------------------------------------------

const ms = (x) => x.toFixed(1);
const signed = (x) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}`;
const node = results.get("node -e ''");
const lines = [
  "| Case | Maildirs | Rules | Tests | Runs | Wall median (ms) | Wall min–max (ms) | × `node -e ''` | CPU median (ms) | Peak RSS median (MiB) |",
  '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];
for (const r of results.values()) {
  const delivery = r.count !== undefined;
  lines.push(
    `| ${delivery ? r.id : `\`${r.label}\``} | ${delivery ? r.count : '—'} | ${delivery ? r.label : '—'} | ` +
      `${delivery ? r.tests : '—'} | ${r.runs} | ${ms(r.wallMedian)} | ${ms(r.wallMin)}–${ms(r.wallMax)} | ` +
      `${(r.wallMedian / node.wallMedian).toFixed(2)} | ${ms(r.cpuMedian)} | ${r.rssMedian.toFixed(1)} |`,
  );
}

/** Median, its 95 % interval and the middle half of the paired differences of one measure. */
function paired(arm, base, measure) {
  const x = results.get(arm.id).samples;
  const y = results.get(base.id).samples;
  const diffs = x.map((s, i) => s[measure] - y[i][measure]);
  const [lo, hi] = medianInterval(diffs);
  return (
    `${signed(median(diffs))} | ${signed(lo)} to ${signed(hi)} | ` +
    `${signed(quantile(diffs, 0.25))} to ${signed(quantile(diffs, 0.75))}`
  );
}

lines.push(
  '',
  'Paired differences, arm minus baseline, run i against run i (same round); the interval is a',
  '95 % confidence interval of the median difference, the middle half spans the 25th to the 75th',
  'percentile of the differences:',
  '',
  '| Arm − baseline | What it costs | Pairs | Wall: median difference (ms) | Wall: 95 % interval | Wall: middle half | CPU: median difference (ms) | CPU: 95 % interval | CPU: middle half |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
);
for (const [arm, base, what] of PAIRS) {
  lines.push(
    `| ${arm.id} − ${base.id} | ${what} | ${results.get(arm.id).runs} | ` +
      `${paired(arm, base, 'wallMs')} | ${paired(arm, base, 'cpuMs')} |`,
  );
}
lines.push(
  '',
  'Calls of routing functions in one delivery, counted by V8 precise coverage (`NODE_V8_COVERAGE`):',
  '',
  `| Function in dist/maildir-fanout.js | ${deliveries.map((c) => c.id).join(' | ')} |`,
  `| --- | ${deliveries.map(() => '---:').join(' | ')} |`,
  ...PROBES.map(([, what], i) => `| ${what} | ${deliveries.map((c) => calls.get(c.id)[i]).join(' | ')} |`),
);
console.log(lines.join('\n'));
