// Appends a log line to a file, or hands it to syslog through logger(1) (facility mail).
// A file: one write(2) with O_APPEND, so lines of concurrent deliveries never interleave on a
// local file system (each append is atomic with respect to the file offset).
// Never throws: a broken log must not turn a delivery into a failure.
import { constants, promises as fsp } from 'node:fs';
import { loadChildProcess } from '../runtime/builtins';

// O_NONBLOCK: a log that is a named pipe with no reader must fail (ENXIO), not wait forever in
// a thread that keeps the finished delivery from exiting (Node joins its thread pool at exit).
const APPEND =
  constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export async function appendLog(destination: string, line: string): Promise<void> {
  try {
    if (destination === 'syslog') await toSyslog(line);
    else {
      const handle = await fsp.open(destination, APPEND, 0o600);
      try {
        await handle.write(line);
      } finally {
        await handle.close();
      }
    }
  } catch {
    // nowhere left to report it; the exit status still tells the MTA
  }
}

function toSyslog(line: string): Promise<void> {
  const { spawn } = loadChildProcess();
  return new Promise((resolve) => {
    // logger adds its own time stamp: drop ours (the first field).
    const message = line.replace(/^\S+ /, '').trimEnd();
    const child = spawn('logger', ['-t', 'maildir-fanout', '-p', 'mail.info', '--', message], {
      stdio: 'ignore',
    });
    child.on('error', () => resolve());
    child.on('close', () => resolve());
  });
}
