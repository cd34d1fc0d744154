// One delivery, one log line (issue #4): time, outcome, Message-ID, digest, size, targets,
// milliseconds, and the caller. key=value pairs, like Postfix's log lines, so that grep and awk
// work on them. Pure. Values from the message or the environment are sanitised: a hostile
// Message-ID must not forge a second log line.
import type { Outcome } from '../outcome/outcome';
import { sanitizeHeaderValue } from '../mta/header-value';

export interface LogFacts {
  readonly time: Date;
  readonly pid: number;
  readonly mta: string;
  readonly outcome: Outcome;
  /** No target's rule accepted the message and the config says to discard it. */
  readonly discarded?: boolean;
  readonly messageId?: string | undefined;
  readonly digest?: string | undefined;
  readonly bytes?: number | undefined;
  readonly delivered: readonly string[];
  readonly skipped: readonly string[];
  readonly milliseconds: number;
}

const STATUS = { ok: 'delivered', temporary: 'deferred', permanent: 'bounced' } as const;

export function logLine(facts: LogFacts): string {
  const fields: string[] = [
    facts.time.toISOString(),
    `maildir-fanout[${facts.pid}]:`,
    `status=${facts.discarded === true ? 'discarded' : STATUS[facts.outcome.kind]}`,
  ];
  if (facts.outcome.kind !== 'ok') fields.push(`code=${facts.outcome.status}`);
  if (facts.messageId !== undefined) fields.push(`msgid=${quote(facts.messageId, 200)}`);
  if (facts.digest !== undefined) fields.push(`sha256=${facts.digest}`);
  if (facts.bytes !== undefined) fields.push(`size=${facts.bytes}`);
  // Target names are free text when they are maildir arguments (their paths).
  fields.push(`to=${facts.delivered.length === 0 ? '-' : quote(facts.delivered.join(','), 2000)}`);
  if (facts.skipped.length > 0) fields.push(`already=${quote(facts.skipped.join(','), 2000)}`);
  fields.push(`ms=${Math.round(facts.milliseconds)}`, `mta=${facts.mta}`);
  if (facts.outcome.kind !== 'ok') fields.push(`text=${quote(facts.outcome.text, 900)}`);
  else if (facts.discarded === true)
    fields.push(`text="no target's match rule accepts this message (unmatched: discard)"`);
  return `${fields.join(' ')}\n`;
}

/** Quoted only when needed; control characters made harmless; cut to `max` characters. */
function quote(value: string, max: number): string {
  const clean = sanitizeHeaderValue(value, max);
  return /^[\x21-\x7e]+$/.test(clean) && !clean.includes('"') ? clean : JSON.stringify(clean);
}
