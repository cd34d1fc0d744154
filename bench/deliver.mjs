// Benchmark harness: times bin/maildir-fanout deliveries and prints a markdown table on stdout
// (progress goes to stderr). Called by bench/run.sh, which prepares the scratch directory:
//
//   node bench/deliver.mjs --scratch DIR --tool PATH/TO/bin/maildir-fanout
//
// Every measured command runs as
//   env -i PATH=/usr/bin:/bin /usr/bin/time -f '%e %M' -o FILE COMMAND...
// i.e. with the empty environment an MTA gives it (so NODE_EXTRA_CA_CERTS, NODE_OPTIONS, ... do
// not leak in). Wall time is measured here with process.hrtime around spawnSync (/usr/bin/time's
// %e only has 10 ms resolution); peak RSS is /usr/bin/time's %M (the child's ru_maxrss, in KiB).
// So the wall time includes spawning env and time (and fork from this big process); the `true`
// row, measured the same way, shows that floor. It is in every row, `node -e ''` included.
//
// Environment knobs:
//   BENCH_QUICK=1      3 runs per case instead of 5-30 (to check the script, not for the docs)
//   BENCH_STDIN=file   give the message as a file on stdin (`< message`) instead of a pipe
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeMessage } from './message.mjs';

const { values: args } = parseArgs({
  options: { scratch: { type: 'string' }, tool: { type: 'string' } },
});
if (args.scratch === undefined || args.tool === undefined) {
  console.error('usage: node bench/deliver.mjs --scratch DIR --tool PATH');
  process.exit(2);
}
const scratch = resolve(args.scratch);
const tool = resolve(args.tool);
const bundle = resolve(tool, '../../dist/maildir-fanout.js');
const quick = process.env.BENCH_QUICK === '1';
const stdinMode = process.env.BENCH_STDIN === 'file' ? 'file' : 'pipe';
// The tool refuses to run as root without --allow-root; pass it only when we really are root.
const rootFlag = process.getuid?.() === 0 ? ['--allow-root'] : [];

const KiB = 1024;
const MiB = 1024 * KiB;
// runs: measured repetitions; warmup: unmeasured runs first (page cache, CPU frequency).
const SIZES = [
  { label: '4 KiB', bytes: 4 * KiB, runs: 30, warmup: 2 },
  { label: '256 KiB', bytes: 256 * KiB, runs: 30, warmup: 2 },
  { label: '20 MiB', bytes: 20 * MiB, runs: 10, warmup: 1 },
  { label: '200 MiB', bytes: 200 * MiB, runs: 5, warmup: 1 },
];
const SMALL = 256 * KiB; // the "× node -e ''" ratio is shown up to this size
const timeFile = join(scratch, 'time.out');

// ---------------------------------------------------------------------------------------------

/** Runs `command` once under env -i and /usr/bin/time; returns wall ms and peak RSS KiB. */
function measureOnce(command, stdin) {
  rmSync(timeFile, { force: true });
  const options = { cwd: scratch, maxBuffer: 1 * MiB };
  let fd;
  if (stdin === undefined) options.stdio = ['ignore', 'pipe', 'pipe'];
  else if (stdin.kind === 'pipe') options.input = stdin.data;
  else {
    fd = openSync(stdin.path, 'r');
    options.stdio = [fd, 'pipe', 'pipe'];
  }
  const argv = ['-i', 'PATH=/usr/bin:/bin', '/usr/bin/time', '-f', '%e %M', '-o', timeFile, ...command];
  const start = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/env', argv, options);
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (fd !== undefined) closeSync(fd);

  const stderr = result.stderr?.toString() ?? '';
  const stdout = result.stdout?.toString() ?? '';
  if (result.error !== undefined || result.status !== 0 || stdout !== '' || stderr !== '') {
    throw new Error(
      `${command.join(' ')}: status ${result.status} signal ${result.signal} ${result.error ?? ''}\n` +
        `stdout: ${stdout}\nstderr: ${stderr}`,
    );
  }
  // /usr/bin/time -o writes "ELAPSED MAXRSS" (preceded by a status line if the command failed).
  const last = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1);
  const rssKiB = Number(last.split(' ')[1]);
  if (!Number.isFinite(rssKiB)) throw new Error(`cannot parse /usr/bin/time output: ${last}`);
  return { wallMs, rssKiB };
}

/** Empties new/ of every maildir, and checks that no delivery left anything in tmp/ or cur/. */
function emptyMaildirs(maildirs) {
  for (const dir of maildirs) {
    for (const sub of ['tmp', 'cur']) {
      const left = readdirSync(join(dir, sub));
      if (left.length > 0) throw new Error(`${dir}/${sub} is not empty: ${left.join(', ')}`);
    }
    for (const name of readdirSync(join(dir, 'new'))) rmSync(join(dir, 'new', name));
  }
}

/** Checks the delivery: one file of the right size per maildir, hard-linked or not as asked. */
function verifyDelivery(maildirs, bytes, copy) {
  const inodes = new Set();
  for (const dir of maildirs) {
    const names = readdirSync(join(dir, 'new'));
    if (names.length !== 1) throw new Error(`${dir}/new holds ${names.length} files, expected 1`);
    const st = statSync(join(dir, 'new', names[0]));
    if (st.size !== bytes) throw new Error(`${dir}/new/${names[0]} has ${st.size} bytes, expected ${bytes}`);
    inodes.add(st.ino);
  }
  const expected = copy ? maildirs.length : 1;
  if (inodes.size !== expected) {
    throw new Error(`${inodes.size} distinct files in ${maildirs.length} maildirs, expected ${expected}`);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** Summarises the measured samples of one case. */
function summarise(c) {
  const walls = c.samples.map((s) => s.wallMs);
  const rss = c.samples.map((s) => s.rssKiB / KiB);
  return {
    ...c,
    runs: c.samples.length,
    wallMedian: median(walls),
    wallMin: Math.min(...walls),
    wallMax: Math.max(...walls),
    rssMedian: median(rss),
    rssMax: Math.max(...rss),
  };
}

/**
 * Runs all cases round-robin: round r runs every case that still wants a run, first its
 * `warmup` unmeasured runs, then `runs` measured ones. Interleaving spreads whatever else the
 * machine is doing (and any drift) over all cases alike, so their ratios stay meaningful.
 */
function measureAll(cases) {
  for (const c of cases) {
    if (quick) [c.runs, c.warmup] = [3, 1];
    c.samples = [];
  }
  const rounds = Math.max(...cases.map((c) => c.warmup + c.runs));
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`\r  round ${round + 1}/${rounds}`);
    for (const c of cases) {
      if (round >= c.warmup + c.runs) continue;
      // Flush earlier runs' unlinks now, so their writeback does not land inside this timed run.
      spawnSync('sync');
      const sample = measureOnce(c.command, c.stdin);
      c.after?.();
      if (round >= c.warmup) c.samples.push(sample);
    }
  }
  process.stderr.write('\n');
  return cases.map(summarise);
}

/** Removes the journal's completion records (state/journal/<host>/done/*). */
function forgetDeliveries(stateDir) {
  const journal = join(stateDir, 'journal');
  if (!existsSync(journal)) return;
  for (const host of readdirSync(journal)) {
    const done = join(journal, host, 'done');
    for (const name of existsSync(done) ? readdirSync(done) : []) unlinkSync(join(done, name));
  }
}

const messages = new Map(); // bytes -> { path, data (the contents, when piped) }

/** A delivery case: `size` into `count` fresh maildirs on the scratch filesystem. */
function deliveryCase(size, count, { copy = false, direct = false, journal = true } = {}) {
  const caseDir = join(
    scratch,
    `${size.label.replace(' ', '')}-x${count}${copy ? '-copy' : ''}${direct ? '-direct' : ''}${journal ? '' : '-nojournal'}`,
  );
  // Every run delivers the same message: each case has its own journal, whose completion
  // records are removed after each run (untimed), so that no run is a deduplicated retry.
  const stateDir = join(caseDir, 'state');
  const maildirs = Array.from({ length: count }, (_, i) => join(caseDir, `Maildir${i + 1}`));
  for (const dir of maildirs)
    for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(dir, sub), { recursive: true });
  const message = messages.get(size.bytes);
  const stdin =
    stdinMode === 'pipe' ? { kind: 'pipe', data: message.data } : { kind: 'file', path: message.path };
  const flags = [
    ...rootFlag,
    ...(copy ? ['--copy'] : []),
    ...(journal ? ['--state-dir', stateDir] : ['--no-journal']),
  ];
  // `direct`: node on the bundle, skipping the sh launcher, to show what the launcher costs.
  const command = direct ? ['node', bundle, ...flags, ...maildirs] : [tool, ...flags, ...maildirs];
  return {
    label: `${size.label} → ${count}${copy ? ' --copy' : ''}${direct ? ' (node dist/…, no launcher)' : ''}${journal ? '' : ' --no-journal'}`,
    direct,
    journal,
    size,
    count,
    mode: copy ? 'copy' : 'links',
    command,
    stdin,
    runs: size.runs,
    warmup: size.warmup,
    // Empty new/ right after each run: with all cases interleaved, keeping every case's last
    // delivery around until its next run would need ~1 GiB of scratch space.
    after: () => {
      verifyDelivery(maildirs, size.bytes, copy);
      emptyMaildirs(maildirs);
      forgetDeliveries(stateDir);
    },
  };
}

// ---------------------------------------------------------------------------------------------

const started = process.hrtime.bigint();
console.error(`scratch: ${scratch}   stdin: ${stdinMode}${quick ? '   QUICK MODE' : ''}`);
console.error('generating messages ...');
for (const size of SIZES) {
  const path = join(scratch, `message-${size.bytes}.eml`);
  writeMessage(path, size.bytes);
  messages.set(size.bytes, { path, data: stdinMode === 'pipe' ? readFileSync(path) : undefined });
}

const [s4k, , s20m] = SIZES;
const cases = [
  { label: "node -e ''", command: ['node', '-e', ''], runs: 30, warmup: 2 },
  { label: 'true', command: ['true'], runs: 30, warmup: 2 }, // the measuring overhead alone
  deliveryCase(s4k, 1, { direct: true }),
  // What the exactly-once journal costs: the same delivery without it.
  deliveryCase(s4k, 3, { journal: false }),
];
for (const size of SIZES) {
  for (const count of [1, 3, 8]) cases.push(deliveryCase(size, count));
  if (size === s20m) cases.push(deliveryCase(size, 8, { copy: true }));
  if (size === s20m) cases.push(deliveryCase(size, 8, { journal: false }));
}
console.error(`measuring ${cases.length} cases, interleaved:`);
const [baseline, floor, ...rows] = measureAll(cases);
for (const r of [baseline, floor, ...rows]) {
  console.error(
    `  ${r.label.padEnd(44)} ${r.wallMedian.toFixed(1).padStart(8)} ms  ${r.rssMedian.toFixed(1)} MiB`,
  );
}
rmSync(timeFile, { force: true });

// ---------------------------------------------------------------------------------------------

const ms = (x) => x.toFixed(1);
const mib = (x) => x.toFixed(1);
const reference = (name, r) =>
  `| ${name} | — | — | — | ${r.runs} | ${ms(r.wallMedian)} | ${ms(r.wallMin)}–${ms(r.wallMax)} | ` +
  `${(r.wallMedian / baseline.wallMedian).toFixed(2)} | ${mib(r.rssMedian)} | ${mib(r.rssMax)} |`;
const lines = [
  "| Command | Message | Maildirs | Mode | Runs | Wall median (ms) | Wall min–max (ms) | × `node -e ''` | Peak RSS median (MiB) | Peak RSS max (MiB) |",
  '| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  reference("`node -e ''`", baseline),
  reference('`true` (measuring overhead)', floor),
];
for (const r of rows) {
  const command = r.direct ? '`node dist/maildir-fanout.js`' : '`bin/maildir-fanout`';
  const ratio = r.size.bytes <= SMALL ? (r.wallMedian / baseline.wallMedian).toFixed(2) : '—';
  lines.push(
    `| ${command} | ${r.size.label} | ${r.count} | ${r.mode === 'copy' ? '`--copy`' : 'hard links'}${r.journal ? '' : ', `--no-journal`'} | ${r.runs} | ` +
      `${ms(r.wallMedian)} | ${ms(r.wallMin)}–${ms(r.wallMax)} | ${ratio} | ${mib(r.rssMedian)} | ${mib(r.rssMax)} |`,
  );
}
console.log(lines.join('\n'));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.error(`measurements took ${seconds.toFixed(0)} s`);
