// Which MTA started us, from the environment it sets for a |command (anchors-mda.md §4.2).
// Pure. What it finds is data: shown by --dry-run and logged, used for trace headers after
// sanitising (header-value.ts), never as code, a path or shell input.

export type Mta = 'qmail' | 'postfix' | 'exim' | 'sendmail' | 'unknown';

export interface Caller {
  readonly mta: Mta;
  /** Envelope sender and recipient, as the MTA gave them (unsanitised). */
  readonly sender: string | undefined;
  readonly recipient: string | undefined;
  /** qmail-local's ready-made "Return-Path: <…>\n" and "Delivered-To: …\n" lines. */
  readonly rpline: string | undefined;
  readonly dtline: string | undefined;
  /** The variables that decided `mta`, for the dry run. */
  readonly evidence: readonly string[];
}

export type EnvironmentVariables = Readonly<Record<string, string | undefined>>;

export function detectCaller(env: EnvironmentVariables): Caller {
  const present = (...names: string[]): boolean => names.every((n) => env[n] !== undefined);
  // qmail-local(8) sets RPLINE and DTLINE for every delivery instruction (qmail-command(8)).
  // Postfix local(8) sets ORIGINAL_RECIPIENT (2.5 and later) and CLIENT_* for commands.
  // Exim's pipe transport sets MESSAGE_ID, LOCAL_PART and QUALIFY_DOMAIN.
  // sendmail's prog mailer: AGENT=sendmail is set by sendmail for mailers.
  const rules: readonly [Mta, readonly string[]][] = [
    ['qmail', ['RPLINE', 'DTLINE']],
    ['postfix', ['ORIGINAL_RECIPIENT']],
    ['exim', ['MESSAGE_ID', 'LOCAL_PART', 'QUALIFY_DOMAIN']],
    ['sendmail', ['AGENT']],
  ];
  const match = rules.find(
    ([mta, names]) => present(...names) && (mta !== 'sendmail' || env.AGENT === 'sendmail'),
  );
  return {
    mta: match?.[0] ?? 'unknown',
    sender: env.SENDER,
    recipient: env.RECIPIENT,
    rpline: env.RPLINE,
    dtline: env.DTLINE,
    evidence: match?.[1] ?? [],
  };
}
