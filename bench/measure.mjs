// How the benchmark measures one command, many times, and sums the samples up: shared by the
// scenarios (bench/deliver.mjs, bench/routing.mjs). See docs/performance.md, "How it measures".
//
// Every measured command runs as
//   env -i PATH=/usr/bin:/bin /usr/bin/time -f '%e %M' -o FILE COMMAND...
// i.e. with the empty environment an MTA gives it (so NODE_EXTRA_CA_CERTS, NODE_OPTIONS, ... do
// not leak in). Wall time is measured here with process.hrtime around spawnSync (/usr/bin/time's
// %e only has 10 ms resolution); peak RSS is /usr/bin/time's %M (the child's ru_maxrss, in KiB).
// So the wall time includes spawning env and time (and fork from this big process); the `true`
// row, measured the same way, shows that floor. It is in every row, `node -e ''` included.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/**
 * Runs `command` once under env -i and /usr/bin/time, in `cwd`; returns wall ms and peak RSS KiB.
 * `stdin`: undefined (none), { kind: 'pipe', data } or { kind: 'file', path }. Throws unless the
 * command exits 0 and prints nothing, which is what a successful delivery does.
 *
 * With `cpuFile`, it also returns cpuMs, the user + system CPU time of the command and all its
 * processes (getrusage's RUSAGE_CHILDREN, to the millisecond), which another busy process on the
 * machine inflates far less than wall time. For that, /usr/bin/time runs the command under
 * `bash --norc -c '"$@"; times'` (GNU time's own %U and %S only have 10 ms resolution), which adds the
 * start of one bash to the wall time of every command measured that way alike.
 */
export function measureOnce(command, stdin, { cwd, timeFile, cpuFile }) {
  rmSync(timeFile, { force: true });
  const options = { cwd, maxBuffer: 1 * MiB };
  let fd;
  if (stdin === undefined) options.stdio = ['ignore', 'pipe', 'pipe'];
  else if (stdin.kind === 'pipe') {
    options.input = stdin.data;
    options.stdio = ['pipe', 'pipe', 'pipe'];
  } else {
    fd = openSync(stdin.path, 'r');
    options.stdio = [fd, 'pipe', 'pipe'];
  }
  let cpuFd;
  let measured = command;
  if (cpuFile !== undefined) {
    // `times` prints the shell's own CPU time, then that of its children; fd 3 is cpuFile.
    cpuFd = openSync(cpuFile, 'w');
    options.stdio.push(cpuFd);
    measured = [
      '/bin/bash',
      '--norc',
      '--noprofile',
      '-c',
      '"$@"; status=$?; times >&3; exit $status',
      'bash',
      ...command,
    ];
  }
  const argv = ['-i', 'PATH=/usr/bin:/bin', '/usr/bin/time', '-f', '%e %M', '-o', timeFile, ...measured];
  const start = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/env', argv, options);
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (fd !== undefined) closeSync(fd);
  if (cpuFd !== undefined) closeSync(cpuFd);

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
  if (cpuFile === undefined) return { wallMs, rssKiB };
  // The second line of `times`, e.g. "0m0.123s 0m0.045s": the children's user and system time.
  const children = readFileSync(cpuFile, 'utf8').split('\n')[1] ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (seconds.length !== 2) throw new Error(`cannot parse the output of bash's times: ${children}`);
  return { wallMs, rssKiB, cpuMs: (seconds[0] + seconds[1]) * 1000 };
}

/** Empties new/ of every maildir, and checks that no delivery left anything in tmp/ or cur/. */
export function emptyMaildirs(maildirs) {
  for (const dir of maildirs) {
    for (const sub of ['tmp', 'cur']) {
      const left = readdirSync(join(dir, sub));
      if (left.length > 0) throw new Error(`${dir}/${sub} is not empty: ${left.join(', ')}`);
    }
    for (const name of readdirSync(join(dir, 'new'))) rmSync(join(dir, 'new', name));
  }
}

/** Checks the delivery: one file of the right size per maildir, hard-linked or not as asked. */
export function verifyDelivery(maildirs, bytes, copy) {
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

/** Removes the journal's completion records (state/journal/<host>/done/*), so that the next run
 *  of the same message is a new delivery, not a deduplicated retry. */
export function forgetDeliveries(stateDir) {
  const journal = join(stateDir, 'journal');
  if (!existsSync(journal)) return;
  for (const host of readdirSync(journal)) {
    const done = join(journal, host, 'done');
    for (const name of existsSync(done) ? readdirSync(done) : []) unlinkSync(join(done, name));
  }
}

/** The q-quantile of xs (0 ≤ q ≤ 1), interpolated between the two nearest samples. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo] + (s[hi] - s[lo]) * (at - lo);
}

export const median = (xs) => quantile(xs, 0.5);

/**
 * A distribution-free 95 % confidence interval for the median of xs: the order statistics
 * x(k) and x(n+1-k), with k the largest rank such that P(Binomial(n, ½) < k) ≤ 2.5 %. Needs no
 * assumption about the shape of the distribution (wall times have long right tails).
 */
export function medianInterval(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  // P(B < k) for B ~ Binomial(n, 1/2), accumulated term by term in log space (n is small).
  let logC = 0; // log C(n, i)
  let below = 0; // P(B < k) for k = i + 1
  let k = 0;
  for (let i = 0; i < n; i++) {
    below += Math.exp(logC - n * Math.LN2);
    if (below > 0.025) break;
    k = i + 1;
    logC += Math.log(n - i) - Math.log(i + 1);
  }
  if (k === 0) return [s[0], s[n - 1]]; // too few samples for 95 %: the whole range
  return [s[k - 1], s[n - k]];
}

/** Summarises the measured samples of one case. */
export function summarise(c) {
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
    ...(c.samples[0]?.cpuMs === undefined ? {} : { cpuMedian: median(c.samples.map((s) => s.cpuMs)) }),
  };
}

/** A small deterministic PRNG (mulberry32), so that a shuffled order is the same on every run. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs all cases round-robin: round r runs every case that still wants a run, first its
 * `warmup` unmeasured runs, then `runs` measured ones. Interleaving spreads whatever else the
 * machine is doing (and any drift) over all cases alike, so their ratios stay meaningful; sample
 * i of two cases with the same warmup and runs come from the same round, so they can be paired.
 * `shuffle`: run the cases of each round in a new (deterministic) random order, so that no case
 * always runs right after another one (e.g. in the page cache it left behind).
 * `quick`: 3 runs and 1 warm-up per case, to check the script.
 * `cpuFile`: measure CPU time too (see measureOnce), using this scratch file.
 */
export function measureAll(cases, { cwd, timeFile, cpuFile, quick = false, shuffle = false }) {
  for (const c of cases) {
    if (quick) [c.runs, c.warmup] = [3, 1];
    c.samples = [];
  }
  const random = prng(5);
  const rounds = Math.max(...cases.map((c) => c.warmup + c.runs));
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`\r  round ${round + 1}/${rounds}`);
    const order = [...cases];
    if (shuffle) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    for (const c of order) {
      if (round >= c.warmup + c.runs) continue;
      // Flush earlier runs' unlinks now, so their writeback does not land inside this timed run.
      spawnSync('sync');
      const sample = measureOnce(c.command, c.stdin, { cwd, timeFile, cpuFile });
      c.after?.();
      if (round >= c.warmup) c.samples.push(sample);
    }
  }
  process.stderr.write('\n');
  return cases.map(summarise);
}
