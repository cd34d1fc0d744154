// The identity of a message for exactly-once delivery (DESIGN.md guarantee 3): SHA-256 of the
// bytes as delivered, i.e. the input without its leading From_ line, which Postfix and Exim
// re-stamp with the current time on every attempt. Every other byte counts: two messages that
// differ in one header are different messages.
import { loadCrypto } from '../runtime/builtins';
import type { MessageSink } from '../message/pump';

export interface DigestSink extends MessageSink {
  /** Lower-case hex SHA-256 of everything written; call once, after the last write. */
  hex(): string;
}

export function digestSink(): DigestSink {
  const hash = loadCrypto().createHash('sha256');
  return {
    write(chunk) {
      hash.update(chunk);
      return Promise.resolve();
    },
    hex: () => hash.digest('hex'),
  };
}
