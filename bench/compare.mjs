// Comparison scenario (issue 8): bin/maildir-fanout side by side with the C delivery agents that
// can put one message into N maildirs (safecat in a shell loop, procmail, maildrop, fdm), and
// `node -e ''`, in one interleaved, shuffled run; then a burst test. Called by bench/run.sh:
//
//   node bench/compare.mjs --scratch DIR --tool PATH/TO/bin/maildir-fanout --json OUT.json
//
// Prints a markdown report on stdout (progress on stderr) and writes the raw summaries to
// OUT.json, from which bench/chart.mjs draws the SVG chart. How each command is measured: see
// bench/measure.mjs (env -i, /usr/bin/time for peak RSS, bash `times` for CPU time).
//
//   BENCH_QUICK=1   5 runs per case (3 at 20 MiB and 200 MiB), and 200 MiB into 1 and 3
//                   maildirs only, not 8 and 32
//   BENCH_SMOKE=1   to check the script in a minute: 4 KiB only, 2 runs, a burst of 40
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  KiB,
  MiB,
  emptyMaildirs,
  forgetDeliveries,
  measureAll,
  measureOnce,
  median,
  medianInterval,
} from './measure.mjs';
import { writeMessage } from './message.mjs';

const { values: args } = parseArgs({
  options: { scratch: { type: 'string' }, tool: { type: 'string' }, json: { type: 'string' } },
});
if (args.scratch === undefined || args.tool === undefined || args.json === undefined) {
  console.error('usage: node bench/compare.mjs --scratch DIR --tool PATH --json OUT.json');
  process.exit(2);
}
const scratch = resolve(args.scratch);
const tool = resolve(args.tool);
const quick = process.env.BENCH_QUICK === '1';
const smoke = process.env.BENCH_SMOKE === '1';
const rootFlag = process.getuid?.() === 0 ? ['--allow-root'] : [];
const timeFile = join(scratch, 'time.out');
const cpuFile = join(scratch, 'cpu.out');

const SIZES = [
  { label: '4 KiB', bytes: 4 * KiB, runs: quick ? 5 : 20, warmup: 1 },
  { label: '256 KiB', bytes: 256 * KiB, runs: quick ? 5 : 20, warmup: 1 },
  { label: '20 MiB', bytes: 20 * MiB, runs: quick ? 3 : 7, warmup: 1 },
  { label: '200 MiB', bytes: 200 * MiB, runs: quick ? 3 : 5, warmup: quick ? 0 : 1 },
];
const COUNTS = [1, 3, 8, 32];
/** Cases left out: in QUICK mode, 200 MiB into 8 and 32 maildirs (the C agents write 8 and 32
 *  copies of 200 MiB each, i.e. 1.6 and 6.4 GB per run and agent). */
const skipCase = (size, count) =>
  (smoke && size.bytes > 4 * KiB) || (quick && size.bytes === 200 * MiB && count > 3);
if (smoke) SIZES[0].runs = 2;
const BURST = { deliveries: smoke ? 40 : 500, parallel: 8, maildirs: 3, bytes: 4 * KiB };

// ---------------------------------------------------------------------------------------------
// The agents. Each `setup(caseDir, maildirs, message)` writes what the agent needs (rcfile,
// filter, config) and returns { command, stdin } delivering one copy into every maildir.

const AGENTS = [
  {
    id: 'fanout',
    name: 'maildir-fanout',
    binary: tool,
    setup: (caseDir, maildirs) => ({
      command: [tool, ...rootFlag, '--state-dir', join(caseDir, 'state'), ...maildirs],
      stdin: 'pipe',
      after: () => forgetDeliveries(join(caseDir, 'state')),
    }),
  },
  {
    // The message from a file each time, as `safecat TMP NEW < msg` must read it once per maildir.
    // safecat prints the file name it wrote; an MTA would discard that, so does the loop.
    id: 'safecat',
    name: 'safecat loop',
    binary: '/usr/bin/safecat',
    setup: (caseDir, maildirs, message) => ({
      command: [
        '/bin/sh',
        '-c',
        'm=$1; shift; for d in "$@"; do safecat "$d/tmp" "$d/new" < "$m" > /dev/null || exit 75; done',
        'sh',
        message,
        ...maildirs,
      ],
      stdin: 'none',
    }),
  },
  {
    // N-1 `:0c` recipes and a last `:0` one: with N `:0c` recipes procmail would then also
    // deliver to $DEFAULT (/var/mail/$USER), an (N+1)-th copy, and exit 73 when it cannot.
    id: 'procmail',
    name: 'procmail',
    binary: '/usr/bin/procmail',
    setup: (caseDir, maildirs) => {
      const rcfile = join(caseDir, 'procmailrc');
      const recipes = maildirs.map((d, i) => `:0${i < maildirs.length - 1 ? 'c' : ''}\n${d}/\n`);
      writeFileSync(rcfile, `SHELL=/bin/sh\n${recipes.join('')}`, { mode: 0o600 });
      return { command: ['procmail', '-m', rcfile], stdin: 'pipe' };
    },
  },
  {
    id: 'maildrop',
    name: 'maildrop',
    binary: '/usr/bin/maildrop',
    setup: (caseDir, maildirs) => {
      const filter = join(caseDir, 'mailfilter');
      const lines = maildirs.map((d) => `cc "${d}/"\n`);
      // After the cc lines, drop the message (otherwise maildrop also delivers to its default).
      writeFileSync(filter, `${lines.join('')}EXITCODE=0\nexit\n`);
      chmodSync(filter, 0o600); // maildrop refuses a filter file others can write
      return { command: ['maildrop', filter], stdin: 'pipe' };
    },
  },
  {
    // fdm insists on 0700 maildirs (it warns on stdout otherwise), adds a Received header unless
    // told not to, keeps a lock file in ~ unless told not to, and refuses mail over 32 MB by
    // default. `-m` (no lock), `-a stdin`: the one stdin account.
    id: 'fdm',
    name: 'fdm',
    binary: '/usr/bin/fdm',
    maildirMode: 0o700,
    setup: (caseDir, maildirs) => {
      const config = join(caseDir, 'fdm.conf');
      const actions = maildirs.map((d, i) => `action "m${i + 1}" maildir "${d}"\n`);
      const names = maildirs.map((_, i) => `"m${i + 1}"`).join(' ');
      writeFileSync(
        config,
        'set lock-file ""\nset no-received\nset maximum-size 1G\naccount "stdin" disabled stdin\n' +
          `${actions.join('')}match all action { ${names} }\n`,
        { mode: 0o600 },
      );
      return { command: ['fdm', '-q', '-m', '-f', config, '-a', 'stdin', 'fetch'], stdin: 'pipe' };
    },
  },
];

const available = AGENTS.filter((a) => existsSync(a.binary));
const skipped = AGENTS.filter((a) => !existsSync(a.binary));
for (const a of skipped) console.error(`compare: ${a.binary} is missing: skipping ${a.name}`);
const C_AGENTS = available.filter((a) => a.id !== 'fanout');

// ---------------------------------------------------------------------------------------------

/** Checks that every maildir holds exactly one file of `bytes` bytes in new/; returns how many
 *  distinct files (inodes) they are. */
function countDelivered(maildirs, bytes) {
  const inodes = new Set();
  for (const dir of maildirs) {
    const names = readdirSync(join(dir, 'new'));
    if (names.length !== 1) throw new Error(`${dir}/new holds ${names.length} files, expected 1`);
    const st = statSync(join(dir, 'new', names[0]));
    if (st.size !== bytes) throw new Error(`${dir}/new/${names[0]}: ${st.size} bytes, expected ${bytes}`);
    inodes.add(st.ino);
  }
  return inodes.size;
}

function makeMaildirs(parent, count, mode = 0o755) {
  const maildirs = Array.from({ length: count }, (_, i) => join(parent, `Maildir${i + 1}`));
  for (const dir of maildirs) {
    mkdirSync(dir, { recursive: true, mode });
    chmodSync(dir, mode);
    for (const sub of ['tmp', 'new', 'cur']) {
      mkdirSync(join(dir, sub), { mode });
      chmodSync(join(dir, sub), mode);
    }
  }
  return maildirs;
}

const messages = new Map(); // bytes -> { path, data }
function message(bytes) {
  if (!messages.has(bytes)) {
    const path = join(scratch, `message-${bytes}.eml`);
    writeMessage(path, bytes);
    messages.set(bytes, { path, data: readFileSync(path) });
  }
  return messages.get(bytes);
}

function deliveryCase(agent, size, count) {
  const caseDir = join(scratch, `${agent.id}-${size.bytes}-x${count}`);
  mkdirSync(caseDir, { recursive: true });
  const maildirs = makeMaildirs(caseDir, count, agent.maildirMode);
  const msg = message(size.bytes);
  const { command, stdin, after } = agent.setup(caseDir, maildirs, msg.path);
  const c = {
    id: `${agent.id} ${size.label} x${count}`,
    agent: agent.id,
    size: size.label,
    bytes: size.bytes,
    count,
    command,
    stdin: stdin === 'pipe' ? { kind: 'pipe', data: msg.data } : undefined,
    runs: size.runs,
    warmup: size.warmup,
    after: () => {
      c.files = countDelivered(maildirs, size.bytes);
      emptyMaildirs(maildirs);
      after?.();
    },
  };
  return c;
}

/**
 * The self-check of 8 healthy targets (issue 8: at most 1.5 x `node -e ''`): maildirs that a
 * consumer reads, with the journal of the 50 deliveries that filled them; 5 fresh messages wait
 * in new/, the other 45 were read (cur/), plus `older` earlier ones in cur/. A check lstat()s
 * every file, so its cost grows with them: measured with none and with 155 (200 in cur/).
 * A healthy check exits 0 and prints nothing.
 */
function checkCase(size, older) {
  const caseDir = join(scratch, `check-x8-${older}`);
  mkdirSync(caseDir, { recursive: true });
  const maildirs = makeMaildirs(caseDir, 8);
  const state = join(caseDir, 'state');
  const msg = message(4 * KiB);
  for (let i = 0; i < 50; i++) {
    const data = Buffer.concat([Buffer.from(`X-Check-Setup: ${i}\n`), msg.data]);
    const run = spawnSync(tool, [...rootFlag, '--state-dir', state, ...maildirs], { input: data });
    if (run.status !== 0) throw new Error(`check set-up delivery ${i}: exit ${run.status}: ${run.stderr}`);
  }
  for (const dir of maildirs) {
    const fresh = readdirSync(join(dir, 'new'));
    for (const name of fresh.slice(5)) renameSync(join(dir, 'new', name), join(dir, 'cur', `${name}:2,S`));
    for (let i = 0; i < older; i++) writeFileSync(join(dir, 'cur', `old-${i}.check:2,S`), msg.data);
  }
  return {
    id: `check x8 +${older}`,
    agent: 'check',
    command: [tool, 'check', ...rootFlag, '--state-dir', state, ...maildirs],
    runs: size.runs,
    warmup: size.warmup,
  };
}

const started = process.hrtime.bigint();
console.error(`scratch: ${scratch}${quick ? '   QUICK MODE' : ''}`);
console.error(`agents: ${available.map((a) => a.name).join(', ')}`);
const reference = (id, command, size) => ({ id, agent: id, command, runs: size.runs, warmup: size.warmup });
const cases = [
  reference('node', ['node', '-e', ''], SIZES[0]),
  reference('true', ['true'], SIZES[0]),
  checkCase(SIZES[0], 0),
  checkCase(SIZES[0], 155),
];
for (const size of SIZES)
  for (const count of COUNTS)
    if (!skipCase(size, count)) for (const agent of available) cases.push(deliveryCase(agent, size, count));

// The check run: every case once, unmeasured, and every maildir must hold its one copy.
console.error(`check run: ${cases.length} cases once each ...`);
for (const c of cases) {
  measureOnce(c.command, c.stdin, { cwd: scratch, timeFile, cpuFile });
  c.after?.();
}
console.error(`measuring ${cases.length} cases, interleaved, shuffled in each round:`);
const results = new Map(
  measureAll(cases, { cwd: scratch, timeFile, cpuFile, shuffle: true }).map((r) => [r.id, r]),
);
for (const file of [timeFile, cpuFile]) rmSync(file, { force: true });
// Keep only the results (the cases hold the messages and closures).
const summary = [...results.values()].map((r) => ({
  id: r.id,
  agent: r.agent,
  size: r.size,
  bytes: r.bytes,
  count: r.count,
  files: r.files,
  runs: r.runs,
  wallMedian: r.wallMedian,
  wallMin: r.wallMin,
  wallMax: r.wallMax,
  cpuMedian: r.cpuMedian,
  rssMedian: r.rssMedian,
  rssMax: r.rssMax,
  samples: r.samples,
}));
const get = (agent, size, count) =>
  summary.find((r) => r.agent === agent && r.size === size && r.count === count);

// ---------------------------------------------------------------------------------------------
// Burst: 500 different 4 KiB messages (different Message-IDs, so the journal does not take them
// for retries), 8 deliveries at a time, into the same 3 maildirs; messages per second.

function burstMessages(dir) {
  const base = readFileSync(message(BURST.bytes).path, 'latin1');
  return Array.from({ length: BURST.deliveries }, (_, i) => {
    const path = join(dir, `burst-${i}.eml`);
    writeFileSync(path, base.replace('<bench-0001@', `<bench-${String(i).padStart(4, '0')}@`), 'latin1');
    return path;
  });
}

function runOne(command, stdinPath) {
  return new Promise((done, fail) => {
    const stdio = stdinPath === undefined ? 'ignore' : 'pipe';
    const child = spawn('/usr/bin/env', ['-i', 'PATH=/usr/bin:/bin', ...command], {
      stdio: [stdio, 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    if (stdinPath !== undefined) child.stdin.end(readFileSync(stdinPath));
    child.on('error', fail);
    child.on('close', (status) =>
      status === 0 && output === '' ? done() : fail(new Error(`${command.join(' ')}: ${status} ${output}`)),
    );
  });
}

async function burst(label, agent, flags = []) {
  const dir = join(scratch, `burst-${label.replace(/\W+/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  const maildirs = makeMaildirs(dir, BURST.maildirs, agent.maildirMode);
  const files = burstMessages(dir);
  // One setup for all: the command is the same, only stdin (or the file safecat reads) differs.
  const perMessage = (path) => {
    const { command, stdin } = agent.setup(dir, maildirs, path);
    const withFlags = agent.id === 'fanout' ? [command[0], ...flags, ...command.slice(1)] : command;
    return { command: flags.includes('--no-journal') ? withFlags.filter(noStateDir()) : withFlags, stdin };
  };
  const jobs = files.map(perMessage);
  spawnSync('sync');
  let next = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      await runOne(jobs[i].command, jobs[i].stdin === 'pipe' ? files[i] : undefined);
    }
  };
  await Promise.all(Array.from({ length: BURST.parallel }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  for (const d of maildirs) {
    const n = readdirSync(join(d, 'new')).length;
    if (n !== BURST.deliveries)
      throw new Error(`burst ${label}: ${d}/new holds ${n}, expected ${BURST.deliveries}`);
  }
  rmSync(dir, { recursive: true, force: true });
  const rate = BURST.deliveries / seconds;
  console.error(`  burst ${label.padEnd(36)} ${seconds.toFixed(1)} s  ${rate.toFixed(1)} messages/s`);
  return { label, agent: agent.id, seconds, rate };
}

/** A filter dropping `--state-dir DIR` from an argv. */
function noStateDir() {
  let skipNext = false;
  return (arg) => {
    if (skipNext) return (skipNext = false);
    if (arg === '--state-dir') return !(skipNext = true);
    return true;
  };
}

// The fastest C agent at 4 KiB into 3 maildirs, by median wall time.
const fastestAt = (size, count) =>
  C_AGENTS.map((a) => get(a.id, size, count))
    .filter((r) => r !== undefined)
    .sort((a, b) => a.wallMedian - b.wallMedian)[0];
const fanout = AGENTS[0];
console.error(
  `burst: ${BURST.deliveries} deliveries, ${BURST.parallel} in parallel, ${BURST.maildirs} maildirs`,
);
const bursts = [
  await burst('maildir-fanout --no-journal', fanout, ['--no-journal']),
  await burst('maildir-fanout (journal)', fanout),
];
const burstC = fastestAt('4 KiB', BURST.maildirs);
if (burstC !== undefined) {
  const agent = AGENTS.find((a) => a.id === burstC.agent);
  bursts.push(await burst(agent.name, agent));
}

// ---------------------------------------------------------------------------------------------
// The report.

const f1 = (x) => (x === undefined ? '—' : x.toFixed(1));
const f2 = (x) => x.toFixed(2);
const nameOf = (id) => AGENTS.find((a) => a.id === id)?.name ?? id;
/** Median of the paired ratios a_i / b_i (same round) and its 95 % interval. */
function pairedRatio(a, b, key = 'wallMs') {
  const n = Math.min(a.samples.length, b.samples.length);
  const ratios = Array.from({ length: n }, (_, i) => a.samples[i][key] / b.samples[i][key]);
  const [lo, hi] = medianInterval(ratios);
  return { median: median(ratios), lo, hi, n };
}
const ratioCell = (p) => `${f2(p.median)} (${f2(p.lo)}–${f2(p.hi)})`;

const out = [];
const node = results.get('node');
const floor = results.get('true');
out.push(
  `Reference rows (${node.runs} runs): \`node -e ''\` ${f1(node.wallMedian)} ms wall, ${f1(node.cpuMedian)} ms CPU, ` +
    `${f1(node.rssMedian)} MiB; \`true\` (measuring overhead) ${f1(floor.wallMedian)} ms wall, ` +
    `${f1(floor.rssMedian)} MiB.`,
);
if (skipped.length > 0) out.push('', `Skipped (not installed): ${skipped.map((a) => a.name).join(', ')}.`);
const left = SIZES.flatMap((s) => COUNTS.filter((n) => skipCase(s, n)).map((n) => `${s.label} × ${n}`));
if (left.length > 0) out.push('', `Not measured in this (QUICK) run: ${left.join(', ')}.`);

const agentCols = available.map((a) => a.name);
function table(title, key, fmt) {
  out.push('', title, '');
  out.push(`| Message | Maildirs | Runs | ${agentCols.join(' | ')} |`);
  out.push(`| --- | ---: | ---: | ${agentCols.map(() => '---:').join(' | ')} |`);
  for (const size of SIZES)
    for (const count of COUNTS) {
      if (skipCase(size, count)) continue;
      const rows = available.map((a) => get(a.id, size.label, count));
      out.push(
        `| ${size.label} | ${count} | ${rows[0].runs} | ${rows.map((r) => fmt(r[key])).join(' | ')} |`,
      );
    }
}
table('Wall time, median (ms):', 'wallMedian', f1);
table('CPU time (user + system, all processes), median (ms):', 'cpuMedian', f1);
table('Peak RSS (largest process), median (MiB):', 'rssMedian', f1);

out.push(
  '',
  'maildir-fanout against the fastest C agent of each row, paired (run *i* of both from the same round):',
);
out.push('');
out.push(
  '| Message | Maildirs | Fastest C agent (wall) | its wall (ms) | maildir-fanout (ms) | Wall ratio, median (95 % interval) | CPU ratio, median | Files written by the C agent / by maildir-fanout |',
);
out.push('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |');
const ratios = [];
for (const size of SIZES)
  for (const count of COUNTS) {
    if (skipCase(size, count)) continue;
    const best = fastestAt(size.label, count);
    const ours = get('fanout', size.label, count);
    if (best === undefined) continue;
    const wall = pairedRatio(ours, best);
    const cpu = pairedRatio(ours, best, 'cpuMs');
    ratios.push({ size: size.label, count, fastest: best.agent, wall, cpu });
    out.push(
      `| ${size.label} | ${count} | ${nameOf(best.agent)} | ${f1(best.wallMedian)} | ${f1(ours.wallMedian)} | ` +
        `${ratioCell(wall)} | ${f2(cpu.median)} | ${best.files} / ${ours.files} |`,
    );
  }

const small = get('fanout', '4 KiB', 3);
const vsNode = pairedRatio(small, node);
out.push(
  '',
  `maildir-fanout, 4 KiB into 3 maildirs, against \`node -e ''\` (paired, ${vsNode.n} pairs): ` +
    `${ratioCell(vsNode)} (wall); CPU ${f2(pairedRatio(small, node, 'cpuMs').median)}.`,
);

const checkVsNode = [0, 155].map((older) => {
  const run = results.get(`check x8 +${older}`);
  const wall = pairedRatio(run, node);
  out.push(
    '',
    `\`maildir-fanout check\` of 8 healthy maildirs (5 messages in new/, ${45 + older} in cur/, a journal ` +
      `of 50 deliveries) against \`node -e ''\` (paired, ${wall.n} pairs): ${f1(run.wallMedian)} ms, ` +
      `${ratioCell(wall)} (wall); CPU ${f2(pairedRatio(run, node, 'cpuMs').median)}.`,
  );
  return { older, wallMedian: run.wallMedian, wall };
});

out.push(
  '',
  `Burst: ${BURST.deliveries} different 4 KiB messages, ${BURST.parallel} deliveries at a time, into the same ${BURST.maildirs} maildirs (one run each):`,
);
out.push(
  '',
  '| Agent | Seconds | Messages/s | × maildir-fanout `--no-journal` |',
  '| --- | ---: | ---: | ---: |',
);
for (const b of bursts)
  out.push(`| ${b.label} | ${f1(b.seconds)} | ${f1(b.rate)} | ${f2(b.rate / bursts[0].rate)} |`);

console.log(out.join('\n'));
writeFileSync(
  args.json,
  `${JSON.stringify({ quick, agents: available.map((a) => ({ id: a.id, name: a.name })), skipped: skipped.map((a) => a.name), results: summary, ratios, vsNode, checkVsNode, bursts }, null, 1)}\n`,
);
console.error(`compare took ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(0)} s`);
