// What the journal stores about one message, and its strict parsing. Pure.
// A record is written as an intent before the first publish and becomes the completion record
// by being moved from pending/ to done/. It is rewritten (whole, atomically) only on the way:
// by a run that failed to publish some copies (`unpublished`), and by the recovery that then
// found such a copy gone from tmp/ (`lost`).

export interface JournalCopy {
  /** Target name, for diagnostics. */
  readonly target: string;
  /** Absolute path of the maildir. */
  readonly maildir: string;
  /** The synced tmp file, and the name it gets in new/. */
  readonly tmp: string;
  readonly new: string;
}

export interface JournalRecord {
  readonly version: 1;
  readonly digest: string;
  readonly host: string;
  readonly pid: number;
  /** ISO 8601 time the intent was written. */
  readonly created: string;
  /** Maildirs that already held the message before this run (from an earlier record). */
  readonly delivered: readonly string[];
  /** This run's copies. */
  readonly copies: readonly JournalCopy[];
  /**
   * Maildirs whose copy the run knows it did not publish: publishing failed, or the copy had
   * vanished from tmp/. Without this, a copy gone from tmp/ counts as published (rename is
   * atomic: the dead run moved it); with it, a copy gone from tmp/ was lost before publishing.
   */
  readonly unpublished?: readonly string[];
  /** Maildirs whose copy was lost before it was published: they do not hold the message. */
  readonly lost?: readonly string[];
}

export function serializeRecord(record: JournalRecord): string {
  return `${JSON.stringify(record, null, 1)}\n`;
}

/** The record in `text`, or undefined if it is not a complete, well-formed record for `digest`. */
export function parseRecord(text: string, digest: string): JournalRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  const copy = (v: unknown): v is JournalCopy => {
    if (typeof v !== 'object' || v === null) return false;
    const c = v as Record<string, unknown>;
    return [c.target, c.maildir, c.tmp, c.new].every((s) => typeof s === 'string');
  };
  if (
    r.version !== 1 ||
    r.digest !== digest ||
    typeof r.host !== 'string' ||
    typeof r.pid !== 'number' ||
    typeof r.created !== 'string' ||
    !strings(r.delivered) ||
    !Array.isArray(r.copies) ||
    !r.copies.every(copy) ||
    !(r.unpublished === undefined || strings(r.unpublished)) ||
    !(r.lost === undefined || strings(r.lost))
  ) {
    return undefined;
  }
  return value as JournalRecord;
}

/** Every maildir that holds the message once this record's copies are published. */
export function maildirsOf(record: JournalRecord): Set<string> {
  const lost = new Set(record.lost ?? []);
  return new Set([...record.delivered, ...record.copies.map((c) => c.maildir).filter((m) => !lost.has(m))]);
}
