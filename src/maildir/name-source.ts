// Where the parts of a unique name come from: the clock, the pid, the host name and randomness,
// behind one small interface so that tests can inject fixed or colliding values.
import { randomBytes } from 'node:crypto';
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
    random: () => randomBytes(8).toString('hex'),
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
