// Which trace headers to put in front of the message (DESIGN.md guarantee 4: "where configured,
// trace headers (Return-Path, Delivered-To) prepended"). Pure.
//
// - "auto" (default): under qmail, prepend $RPLINE$DTLINE as preline(1) does, because a qmail
//   |command gets no trace headers and qmail's own maildir delivery writes both; under Postfix,
//   Exim and by hand, nothing (Postfix already prepends Delivered-To and Return-Path).
// - "always": Return-Path from $SENDER and Delivered-To from $RECIPIENT (qmail's lines under
//   qmail), where the variables are set.
// - "none": never.
import type { Caller } from './caller';
import { headerLine, qmailLine } from './header-value';

export type TraceHeaderMode = 'auto' | 'always' | 'none';

export interface TraceHeaders {
  /** The bytes to write before the message ("" for none). */
  readonly text: string;
  /**
   * The Delivered-To line added (without its line end), for the loop check; undefined when
   * none is added, or under Postfix, which prepends that same line itself (so it is always
   * there) and has already run its own Delivered-To loop check (local(8)).
   */
  readonly deliveredTo: string | undefined;
}

export function traceHeaders(mode: TraceHeaderMode, caller: Caller): TraceHeaders {
  const none: TraceHeaders = { text: '', deliveredTo: undefined };
  if (mode === 'none' || (mode === 'auto' && caller.mta !== 'qmail')) return none;
  const returnPath =
    caller.mta === 'qmail'
      ? qmailLine(caller.rpline, 'Return-Path')
      : caller.sender === undefined
        ? undefined
        : headerLine('Return-Path', `<${caller.sender}>`);
  const deliveredTo =
    caller.mta === 'qmail'
      ? qmailLine(caller.dtline, 'Delivered-To')
      : caller.recipient === undefined
        ? undefined
        : headerLine('Delivered-To', caller.recipient);
  return {
    text: `${returnPath ?? ''}${deliveredTo ?? ''}`,
    deliveredTo: caller.mta === 'postfix' ? undefined : deliveredTo?.slice(0, -1),
  };
}
