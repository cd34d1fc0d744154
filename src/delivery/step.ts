// Runs one file-system step and, if it fails, turns the error into a Failure that says which
// target and which step (the diagnostic must name the target and the cause; issue #2).
import { ioFailure } from '../outcome/io-failure';
import { FailureError } from '../outcome/outcome';

export async function step<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error: unknown) {
    if (error instanceof FailureError) throw error;
    throw new FailureError(ioFailure(what, error));
  }
}
