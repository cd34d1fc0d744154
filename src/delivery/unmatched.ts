// A message that no target's rule accepts (README, "Routing"): `reject` bounces it (5.7.1),
// `defer` leaves it in the MTA's queue (4.7.1), `discard` drops it with a log line. In every
// case the message is read to its end first, so the size limit and the loop check still speak
// first and the log line carries its size and digest.
import type { Settings } from '../config/types';
import { digestSink } from '../journal/digest';
import { headerScan } from '../message/header-scan';
import { pumpMessage } from '../message/pump';
import type { TraceHeaders } from '../mta/trace-headers';
import { FailureError, ok, permanent, temporary, type Outcome } from '../outcome/outcome';
import { ioFailure } from '../outcome/io-failure';

export interface UnmatchedResult {
  readonly outcome: Outcome;
  readonly discarded: boolean;
  readonly bytes?: number;
  readonly digest?: string;
  readonly messageId?: string | undefined;
}

const NO_MATCH = "no target's match rule accepts this message";

export async function handleUnmatched(
  policy: 'reject' | 'defer' | 'discard',
  input: AsyncIterable<Buffer | string>,
  settings: Settings,
  trace: TraceHeaders,
): Promise<UnmatchedResult> {
  const digest = digestSink();
  const header = headerScan(trace.deliveredTo);
  let bytes: number;
  try {
    bytes = (await pumpMessage(input, [digest, header], settings.sizeLimit)).bytes;
  } catch (error: unknown) {
    const outcome = error instanceof FailureError ? error.failure : ioFailure('reading the message', error);
    return { outcome, discarded: false };
  }
  const message = { bytes, digest: digest.hex(), messageId: header.messageId };
  if (header.sawLine) {
    const text = `message is looping: it already has the line "${trace.deliveredTo ?? ''}"`;
    return { outcome: permanent('5.4.6', text), discarded: false, ...message };
  }
  return { outcome: unmatchedOutcome(policy), discarded: policy === 'discard', ...message };
}

/** The outcome of each policy; "discard" is a success that delivers nothing. */
export function unmatchedOutcome(policy: 'reject' | 'defer' | 'discard'): Outcome {
  switch (policy) {
    case 'reject':
      // X.7.1 "delivery not authorized, message refused": per-recipient filtering (RFC 3463).
      return permanent('5.7.1', `${NO_MATCH} (unmatched: reject)`);
    case 'defer':
      return temporary('4.7.1', `${NO_MATCH} (unmatched: defer)`);
    case 'discard':
      return ok;
  }
}
