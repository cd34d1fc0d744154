// Node built-in modules that only some runs need, loaded on first use instead of at start-up
// (docs/performance.md, "Start-up"). With require(), not import(): esbuild leaves an import()
// of a built-in as it is, and dist/start.js runs the bundle with vm.Script, which has no loader
// for import() ("A dynamic import callback was not specified"; src/start.ts).
/* eslint-disable @typescript-eslint/no-require-imports -- see above */

/** node:tty (with node:net, about 4 ms): only to tell a terminal on standard input. */
export const loadTty = (): typeof import('node:tty') => require('node:tty') as typeof import('node:tty');

/** node:net: reads a pipe or socket on standard input through the event loop. */
export const loadNet = (): typeof import('node:net') => require('node:net') as typeof import('node:net');

/** node:child_process (about 8 ms): only the syslog destination runs logger(1). */
export const loadChildProcess = (): typeof import('node:child_process') =>
  require('node:child_process') as typeof import('node:child_process');

/** node:crypto (with the stream code it pulls in, about 6 ms): only the journal's digest. */
export const loadCrypto = (): typeof import('node:crypto') =>
  require('node:crypto') as typeof import('node:crypto');
