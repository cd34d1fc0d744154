// The result of a delivery, as a value. Every failure travels up as one of these and is turned
// into an exit status and a diagnostic in exactly one place (exit-status.ts).

/** An enhanced mail status code, RFC 3463: class.subject.detail, e.g. "4.3.1". */
export type StatusCode = `${4 | 5}.${number}.${number}`;

export type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'temporary'; readonly status: StatusCode; readonly text: string }
  | { readonly kind: 'permanent'; readonly status: StatusCode; readonly text: string };

export type Failure = Exclude<Outcome, { kind: 'ok' }>;

/** Delivered, or already delivered earlier. */
export const ok: Outcome = { kind: 'ok' };

/** Try again later: the MTA keeps the message queued. `status` must be a 4.x.x code. */
export function temporary(status: `4.${number}.${number}`, text: string): Failure {
  return { kind: 'temporary', status, text };
}

/** Never try again: the MTA bounces the message. `status` must be a 5.x.x code. */
export function permanent(status: `5.${number}.${number}`, text: string): Failure {
  return { kind: 'permanent', status, text };
}

/**
 * Thrown by deep code that cannot return a Failure through its own signature (for example from
 * inside a stream pump); caught by the delivery orchestrator and returned as a value.
 */
export class FailureError extends Error {
  constructor(readonly failure: Failure) {
    super(failure.text);
  }
}
