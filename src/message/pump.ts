// Streams the message from its source into the tmp files, chunk by chunk: memory stays flat
// whatever the message size (DESIGN.md guarantee 5). Every chunk is written to every file
// before the next one is read, so a slow disk slows the reader instead of filling memory.
import { permanent, FailureError } from '../outcome/outcome';
import { settleAll } from '../runtime/settle-all';
import { FromLineStripper } from './from-line';

export interface MessageSink {
  write(chunk: Buffer): Promise<void>;
}

export interface PumpResult {
  /** Bytes of the message as delivered (after the From_ line was removed). */
  readonly bytes: number;
  /** The removed From_ line, if there was one (cut to 200 bytes). */
  readonly fromLine: string | undefined;
}

/**
 * Copies `input` (minus a leading From_ line) to every sink. Past `sizeLimit` bytes, or after a
 * sink failed, it stops writing but keeps reading to the end, so that the MTA does not see a
 * broken pipe, then throws: the sink's error, or a permanent 5.2.3 failure (RFC 3463: "message
 * length exceeds administrative limit").
 */
export async function pumpMessage(
  input: AsyncIterable<Buffer | string>,
  sinks: readonly MessageSink[],
  sizeLimit: number,
): Promise<PumpResult> {
  const stripper = new FromLineStripper();
  let bytes = 0;
  let sinkError: { readonly error: unknown } | undefined;
  const deliver = async (part: Buffer): Promise<void> => {
    if (part.length === 0) return;
    bytes += part.length;
    if (bytes > sizeLimit || sinkError !== undefined) return;
    try {
      await settleAll(sinks.map((sink) => sink.write(part)));
    } catch (error: unknown) {
      sinkError = { error };
    }
  };
  for await (const chunk of input) {
    await deliver(stripper.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
  }
  await deliver(stripper.end());
  if (sinkError !== undefined) throw sinkError.error;
  if (bytes > sizeLimit) {
    throw new FailureError(
      permanent('5.2.3', `message is ${bytes} bytes, over the size limit of ${sizeLimit} bytes`),
    );
  }
  return { bytes, fromLine: stripper.removedLine };
}
