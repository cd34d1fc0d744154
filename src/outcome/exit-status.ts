// The one place where an Outcome becomes an exit status and a diagnostic line.
// Evidence for every number: ../shared/reference/anchors-mda.md §4.3, and the table in README.md.
import type { Outcome } from './outcome';

/**
 * Which exit codes the caller understands.
 * - `sysexits`: <sysexits.h>; 75 is the only code that qmail, Postfix, Exim and sendmail all
 *   treat as "defer", and 65 is hard everywhere.
 * - `qmail`: qmail-command(8)'s native 0 / 100 (hard) / 111 (soft). Only for qmail: Postfix and
 *   Exim bounce on 111.
 */
export type ExitDialect = 'sysexits' | 'qmail';

export const EX_OK = 0;
/** EX_DATAERR: the message itself is unacceptable (too big, looping). Hard for every MTA. */
export const EX_DATAERR = 65;
/** EX_TEMPFAIL: the only code every MTA defers. */
export const EX_TEMPFAIL = 75;
/** qmail-command(8): 100 = permanent failure, 111 = temporary failure. */
export const QMAIL_HARD = 100;
export const QMAIL_SOFT = 111;

/** Exit status for an outcome; exhaustive over outcome kinds and dialects. */
export function exitStatusFor(outcome: Outcome, dialect: ExitDialect): number {
  switch (outcome.kind) {
    case 'ok':
      return EX_OK;
    case 'temporary':
      return dialect === 'qmail' ? QMAIL_SOFT : EX_TEMPFAIL;
    case 'permanent':
      return dialect === 'qmail' ? QMAIL_HARD : EX_DATAERR;
  }
}

/**
 * The single stderr line for a failure, or undefined for success (Exim's `return_output` fails
 * a delivery that prints anything). It starts with the RFC 3463 code because Postfix's local(8)
 * takes a leading enhanced status code from command output into the DSN.
 */
export function diagnosticFor(outcome: Outcome): string | undefined {
  if (outcome.kind === 'ok') return undefined;
  return `${outcome.status} maildir-fanout: ${oneLine(outcome.text)}`;
}

/** MTAs keep only the first line of output in a DSN: never let a message span lines. */
function oneLine(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
}
