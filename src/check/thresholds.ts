// What the self-check compares against (README, "Self-check"): the defaults, and the config's
// `check` objects (global, and per target) on top of them. Pure.
import { parseSize } from '../config/size';
import { parseDuration } from './duration';

/** A free-space or free-inode threshold: an absolute amount, or a share of the file system. */
export type Amount = { readonly bytes: number } | { readonly percent: number };

export interface Levels<T> {
  readonly warning: T | undefined;
  readonly critical: T | undefined;
}

export interface TargetThresholds {
  /** Free space below this is a WARNING / CRITICAL; undefined: not checked. */
  readonly freeSpace: Levels<Amount> | undefined;
  /** Free inodes ("bytes" here means a number of inodes). */
  readonly freeInodes: Levels<Amount> | undefined;
  /** Seconds after which a file in tmp/ is stale (WARNING). */
  readonly tmpAge: number | undefined;
  /** Seconds the oldest message in new/ may wait for its consumer. */
  readonly newAge: Levels<number> | undefined;
  /** Files in cur/ (WARNING above). */
  readonly curFiles: number | undefined;
  /** Bytes in cur/ (WARNING above). */
  readonly curSize: number | undefined;
}

export interface Thresholds extends TargetThresholds {
  /** Bytes the journal's folder may hold (WARNING above). */
  readonly journalSize: number | undefined;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  // As monitoring-plugins' check_disk is usually set: a warning well before the disk is full.
  freeSpace: { warning: { percent: 5 }, critical: { percent: 1 } },
  freeInodes: { warning: { percent: 5 }, critical: { percent: 1 } },
  // The maildir spec (cr.yp.to/proto/maildir.html): "a file in tmp/ may be deleted after 36
  // hours"; nothing of ours lives that long (a delivery gives up after 900 s).
  tmpAge: 36 * 3600,
  // Buildbot's MaildirSource polls every 10 s: an hour of backlog means it stopped; a day means
  // it has been down long enough that the builds it missed matter.
  newAge: { warning: 3600, critical: 86400 },
  // Buildbot never deletes from cur/ ("a cronjob can be used to delete files in cur").
  curFiles: 10_000,
  curSize: 1024 ** 3,
  // 10,000 journal records take about 41 MB (docs/performance.md); 256 MiB is far beyond a
  // healthy 8-day window.
  journalSize: 256 * 1024 ** 2,
};

/** The JSON of a `check` object, as the schema shapes it. */
export interface RawThresholds {
  freeSpace?: RawLevels | false;
  freeInodes?: RawLevels | false;
  tmpAge?: string | number | false;
  newAge?: RawLevels | false;
  curFiles?: number | false;
  curSize?: string | number | false;
  journalSize?: string | number | false;
}
interface RawLevels {
  warning?: string | number;
  critical?: string | number;
}

export type ThresholdsResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** `raw` over `base`; problems are "<path>.<key>: …". */
export function applyThresholds<T extends TargetThresholds>(
  base: T,
  raw: RawThresholds | undefined,
  path: string,
): ThresholdsResult<T> {
  if (raw === undefined) return { ok: true, value: base };
  const out: Record<string, unknown> = { ...(base as object) };
  const fail = (key: string, problem: string): ThresholdsResult<T> => ({
    ok: false,
    problem: `${path}.${key}: ${problem}`,
  });
  for (const key of ['freeSpace', 'freeInodes'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (value === false) out[key] = undefined;
    else {
      const levels = parseLevels(value, parseAmount, base[key]);
      if (typeof levels === 'string') return fail(key, levels);
      out[key] = levels;
    }
  }
  if (raw.newAge !== undefined) {
    if (raw.newAge === false) out.newAge = undefined;
    else {
      const levels = parseLevels(raw.newAge, parseDuration, base.newAge);
      if (typeof levels === 'string') return fail('newAge', levels);
      out.newAge = levels;
    }
  }
  const single: [keyof RawThresholds, (v: string | number) => number | undefined, string][] = [
    ['tmpAge', parseDuration, 'a duration such as "36h"'],
    ['curFiles', (v) => (typeof v === 'number' ? v : undefined), 'a number of files'],
    ['curSize', parseSize, 'a size such as "1G"'],
    ['journalSize', parseSize, 'a size such as "256M"'],
  ];
  for (const [key, parse, expected] of single) {
    const value = raw[key];
    if (value === undefined) continue;
    if (value === false) {
      out[key] = undefined;
      continue;
    }
    const parsed = parse(value as string | number);
    if (parsed === undefined) return fail(key, `must be ${expected}, or false`);
    out[key] = parsed;
  }
  return { ok: true, value: out as unknown as T };
}

/** The levels `raw` names, over `base`: {"warning": "10%"} keeps the critical level it had. */
function parseLevels<T>(
  raw: RawLevels,
  parse: (v: string | number) => T | undefined,
  base: Levels<T> | undefined,
): Levels<T> | string {
  const warning = raw.warning === undefined ? base?.warning : parse(raw.warning);
  const critical = raw.critical === undefined ? base?.critical : parse(raw.critical);
  if (raw.warning !== undefined && warning === undefined)
    return `warning: ${JSON.stringify(raw.warning)} is not valid here`;
  if (raw.critical !== undefined && critical === undefined)
    return `critical: ${JSON.stringify(raw.critical)} is not valid here`;
  return { warning, critical };
}

/** "5%" or a size ("1G", 1048576). */
export function parseAmount(value: string | number): Amount | undefined {
  if (typeof value === 'string') {
    const percent = /^([0-9]{1,2}(?:\.[0-9]+)?)%$/.exec(value)?.[1];
    if (percent !== undefined) return { percent: Number(percent) };
  }
  const bytes = parseSize(value);
  return bytes === undefined ? undefined : { bytes };
}
