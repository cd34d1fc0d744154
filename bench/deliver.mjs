// Benchmark harness: times bin/maildir-fanout deliveries and prints a markdown table on stdout
// (progress goes to stderr). Called by bench/run.sh, which prepares the scratch directory:
//
//   node bench/deliver.mjs --scratch DIR --tool PATH/TO/bin/maildir-fanout
//
// How each command is measured (env -i, /usr/bin/time, wall time around spawnSync): see
// bench/measure.mjs.
//
// Environment knobs:
//   BENCH_QUICK=1      3 runs per case instead of 5-30 (to check the script, not for the docs)
//   BENCH_STDIN=file   give the message as a file on stdin (`< message`) instead of a pipe
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  KiB,
  MiB,
  emptyMaildirs,
  forgetDeliveries,
  measureAll as measureCases,
  verifyDelivery,
} from './measure.mjs';
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

const measureAll = (cases) => measureCases(cases, { cwd: scratch, timeFile, quick });

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
