// Facts about one target against its thresholds → findings (README, "Self-check"). Pure: the
// clock comes in as `now`.
import type { Failure } from '../outcome/outcome';
import { formatDuration } from './duration';
import type { Finding, PerfValue, Status } from './finding';
import type { FolderFacts, MaildirFacts, SpaceFacts } from './maildir-facts';
import type { Amount, Levels, TargetThresholds } from './thresholds';

/** A pre-check or I/O text without the "target NAME: " that the finding already shows. */
function own(target: string, text: string): string {
  return text.startsWith(`target ${target}: `) ? text.slice(`target ${target}: `.length) : text;
}

export function evaluateMaildir(
  target: string,
  facts: MaildirFacts,
  limits: TargetThresholds,
  now: number,
): Finding[] {
  const finding = (check: string, status: Status, text: string, perf?: PerfValue[]): Finding => ({
    target,
    check,
    status,
    text: own(target, text),
    ...(perf === undefined ? {} : { perf }),
  });
  if (facts.kind === 'broken') {
    return [finding('maildir', 'CRITICAL', `${facts.failure.text}: deliveries defer until it is fixed`)];
  }
  if (facts.kind === 'missing-will-create') {
    return [
      finding('maildir', 'WARNING', `${facts.failure.text}; the next delivery creates it ("create": true)`),
    ];
  }
  const out: Finding[] = [
    finding('maildir', 'OK', 'tmp/, new/ and cur/ present, writable, on one file system'),
  ];
  out.push(
    facts.probe === undefined
      ? finding('probe', 'OK', 'a file was created, synced and removed in tmp/')
      : finding('probe', 'CRITICAL', `${facts.probe.text}: deliveries defer until it is fixed`),
  );
  out.push(...spaceFindings(facts.space, limits, finding));
  out.push(...tmpFindings(facts.tmp, limits.tmpAge, now, finding));
  out.push(...newFindings(facts.new, limits.newAge, now, finding));
  out.push(...curFindings(facts.cur, limits, finding));
  return out;
}

type Make = (check: string, status: Status, text: string, perf?: PerfValue[]) => Finding;

/** A fact that could not be read: an I/O Failure instead of the measurement. */
export function isFailure(value: object): value is Failure {
  return 'status' in value && 'text' in value;
}

function spaceFindings(space: SpaceFacts | Failure, limits: TargetThresholds, make: Make): Finding[] {
  if (isFailure(space)) return [make('free-space', 'UNKNOWN', space.text)];
  const level = (free: number, total: number, levels: Levels<Amount> | undefined) => {
    const floor = (amount: Amount | undefined): number | undefined =>
      amount === undefined ? undefined : 'bytes' in amount ? amount.bytes : (total * amount.percent) / 100;
    const warning = floor(levels?.warning);
    const critical = floor(levels?.critical);
    const status: Status =
      critical !== undefined && free < critical
        ? 'CRITICAL'
        : warning !== undefined && free < warning
          ? 'WARNING'
          : 'OK';
    return { status, warning, critical, shown: status === 'CRITICAL' ? levels?.critical : levels?.warning };
  };
  const percent = (free: number, total: number): string =>
    total === 0 ? '' : ` (${((100 * free) / total).toFixed(1)}%)`;
  const out: Finding[] = [];
  if (limits.freeSpace !== undefined) {
    const l = level(space.freeBytes, space.totalBytes, limits.freeSpace);
    const text = `${formatBytes(space.freeBytes)} free of ${formatBytes(space.totalBytes)}${percent(space.freeBytes, space.totalBytes)}`;
    out.push(
      make(
        'free-space',
        l.status,
        l.status === 'OK' ? text : `${text}, below ${formatAmount(l.shown, 'bytes')}`,
        [
          {
            label: 'free_space',
            value: space.freeBytes,
            unit: 'B',
            warning: l.warning,
            critical: l.critical,
            low: true,
          },
        ],
      ),
    );
  }
  // Some file systems (btrfs, some network ones) report no inode limit: nothing to check.
  if (limits.freeInodes !== undefined && space.totalInodes > 0) {
    const l = level(space.freeInodes, space.totalInodes, limits.freeInodes);
    const text = `${space.freeInodes} inodes free of ${space.totalInodes}${percent(space.freeInodes, space.totalInodes)}`;
    out.push(
      make(
        'free-inodes',
        l.status,
        l.status === 'OK' ? text : `${text}, below ${formatAmount(l.shown, 'inodes')}`,
        [
          {
            label: 'free_inodes',
            value: space.freeInodes,
            unit: '',
            warning: l.warning,
            critical: l.critical,
            low: true,
          },
        ],
      ),
    );
  }
  return out;
}

function tmpFindings(
  tmp: FolderFacts | Failure,
  tmpAge: number | undefined,
  now: number,
  make: Make,
): Finding[] {
  if (isFailure(tmp)) return [make('stale-tmp', 'UNKNOWN', tmp.text)];
  if (tmpAge === undefined) return [];
  const stale = tmp.older.length;
  const oldest = tmp.older.reduce((min, [, mtime]) => Math.min(min, mtime), Infinity);
  const perf: PerfValue[] = [{ label: 'stale_tmp', value: stale, unit: '', warning: 0 }];
  return [
    stale === 0
      ? make(
          'stale-tmp',
          'OK',
          `no file in tmp/ older than ${formatDuration(tmpAge)} (${tmp.count} in all)`,
          perf,
        )
      : make(
          'stale-tmp',
          'WARNING',
          `${stale} file${stale === 1 ? '' : 's'} in tmp/ older than ${formatDuration(tmpAge)}, the oldest ${formatDuration((now - oldest) / 1000)}: abandoned by a writer that was killed; --repair removes them`,
          perf,
        ),
  ];
}

function newFindings(
  fresh: FolderFacts | Failure,
  newAge: Levels<number> | undefined,
  now: number,
  make: Make,
): Finding[] {
  if (isFailure(fresh)) return [make('backlog', 'UNKNOWN', fresh.text)];
  if (newAge === undefined) return [];
  const age = fresh.oldest === undefined ? 0 : Math.max(0, (now - fresh.oldest) / 1000);
  const status: Status =
    newAge.critical !== undefined && age > newAge.critical
      ? 'CRITICAL'
      : newAge.warning !== undefined && age > newAge.warning
        ? 'WARNING'
        : 'OK';
  const perf: PerfValue[] = [
    {
      label: 'new_age',
      value: Math.round(age),
      unit: 's',
      warning: newAge.warning,
      critical: newAge.critical,
    },
    { label: 'new_count', value: fresh.count, unit: '' },
  ];
  if (fresh.count === 0) return [make('backlog', 'OK', 'new/ is empty', perf)];
  const text = `${fresh.count} message${fresh.count === 1 ? '' : 's'} in new/, the oldest ${formatDuration(age)} old`;
  if (status === 'OK') return [make('backlog', status, text, perf)];
  const limit = status === 'CRITICAL' ? newAge.critical : newAge.warning;
  return [
    make(
      'backlog',
      status,
      `${text}, over ${formatDuration(limit ?? 0)}: is its consumer still polling?`,
      perf,
    ),
  ];
}

function curFindings(cur: FolderFacts | Failure, limits: TargetThresholds, make: Make): Finding[] {
  if (isFailure(cur)) return [make('cur', 'UNKNOWN', cur.text)];
  const over: string[] = [];
  if (limits.curFiles !== undefined && cur.count > limits.curFiles)
    over.push(`more than ${limits.curFiles} files`);
  if (limits.curSize !== undefined && cur.bytes > limits.curSize)
    over.push(`more than ${formatBytes(limits.curSize)}`);
  if (limits.curFiles === undefined && limits.curSize === undefined) return [];
  const text = `${cur.count} file${cur.count === 1 ? '' : 's'}, ${formatBytes(cur.bytes)} in cur/`;
  const perf: PerfValue[] = [
    { label: 'cur_count', value: cur.count, unit: '', warning: limits.curFiles },
    { label: 'cur_size', value: cur.bytes, unit: 'B', warning: limits.curSize },
  ];
  return [
    over.length === 0
      ? make('cur', 'OK', text, perf)
      : make(
          'cur',
          'WARNING',
          `${text}: ${over.join(' and ')}; Buildbot never deletes read mail, expire it from cron`,
          perf,
        ),
  ];
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit] ?? ''}`;
}

function formatAmount(amount: Amount | undefined, what: 'bytes' | 'inodes'): string {
  if (amount === undefined) return '?';
  if ('percent' in amount) return `${amount.percent}%`;
  return what === 'bytes' ? formatBytes(amount.bytes) : `${amount.bytes} inodes`;
}
