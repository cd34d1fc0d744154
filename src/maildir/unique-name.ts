// Unique file names for maildir deliveries, modern style (https://cr.yp.to/proto/maildir.html):
//   <sec>.M<usec>P<pid>Q<n>R<random>.<host>
// left = seconds of the same clock reading as M; middle = microseconds, pid, the count of files
// this process has named (Q), and 64 random bits (R) so two hosts or two pid namespaces sharing
// an NFS maildir cannot collide even with equal clocks; right = the host name with "/" and ":"
// written as \057 and \072, as the spec says (":" separates the info suffix, "/" is a path).

/** Everything a name is made of; supplied by a NameSource so tests can force collisions. */
export interface NameParts {
  readonly seconds: number;
  readonly microseconds: number;
  readonly pid: number;
  readonly sequence: number;
  readonly random: string;
  readonly host: string;
}

export function uniqueName(parts: NameParts): string {
  const usec = String(parts.microseconds).padStart(6, '0');
  return `${parts.seconds}.M${usec}P${parts.pid}Q${parts.sequence}R${parts.random}.${escapeHost(parts.host)}`;
}

/**
 * The spec's escaping for the host part. A name must not contain "/" or ":" and must not start
 * with "."; the host part is never first. An empty host name (a broken system) becomes
 * "localhost" as in Courier's maildircreate, rather than a name ending in ".".
 */
export function escapeHost(host: string): string {
  if (host === '') return 'localhost';
  return host.replace(/\//g, '\\057').replace(/:/g, '\\072');
}
