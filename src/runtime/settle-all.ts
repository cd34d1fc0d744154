// Like Promise.all, but waits for every step to finish before failing. Delivery runs steps for
// all targets in parallel; cleanup must not start while a sibling step could still create a file.
export async function settleAll<T>(steps: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(steps);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
