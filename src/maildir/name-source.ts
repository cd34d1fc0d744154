// Where the parts of a unique name come from: the clock, the pid, the host name and randomness,
// behind one small interface so that tests can inject fixed or colliding values.
import { closeSync, openSync, readSync } from 'node:fs';
import { loadCrypto } from '../runtime/builtins';
import { hostname } from 'node:os';
import { uniqueName, type NameParts } from './unique-name';

export interface NameSource {
  /** A fresh unique name; every call returns a different one within this process. */
  next(): string;
}

export interface NameInputs {
  readonly now: () => number; // wall clock in milliseconds, with a fraction for microseconds
  readonly pid: number;
  readonly host: string;
  readonly random: () => string;
}

export function systemNameInputs(): NameInputs {
  // The wall clock with sub-millisecond resolution: Date.now() has milliseconds only, so the
  // monotonic hrtime counts from one reading of it. (performance.now() would do the same, but
  // loading perf_hooks costs about 2 ms of every start.)
  const originMs = Date.now();
  const originNs = process.hrtime.bigint();
  return {
    now: () => originMs + Number(process.hrtime.bigint() - originNs) / 1e6,
    pid: process.pid,
    host: hostname(),
    random: randomHex,
  };
}

export function nameSource(inputs: NameInputs): NameSource {
  let sequence = 0;
  return {
    next(): string {
      const millis = inputs.now();
      const parts: NameParts = {
        seconds: Math.floor(millis / 1000),
        microseconds: Math.floor((millis * 1000) % 1_000_000),
        pid: inputs.pid,
        sequence: sequence++,
        random: inputs.random(),
        host: inputs.host,
      };
      return uniqueName(parts);
    },
  };
}

/**
 * 64 random bits as hex, from /dev/urandom, as the maildir spec's R part suggests: the kernel's
 * CSPRNG, the same one crypto.randomBytes() uses, without loading node:crypto and the stream
 * code it pulls in (about 6 ms of a start that a self-check would pay only for this). Where
 * /dev/urandom cannot be read (a chroot without /dev), node:crypto after all.
 */
function randomHex(): string {
  const bytes = Buffer.alloc(8);
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      if (readSync(fd, bytes, 0, 8, null) === 8) return bytes.toString('hex');
    } finally {
      closeSync(fd);
    }
  } catch {
    // fall through
  }
  return loadCrypto().randomBytes(8).toString('hex');
}
