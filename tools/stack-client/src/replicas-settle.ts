/** Polls every check until each has returned true once; fails after `timeoutMs`. */
export async function replicasSettle(
  checks: ReadonlyArray<() => Promise<boolean>>,
  description: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...checks];
  while (pending.length > 0) {
    const outcomes = await Promise.all(pending.map((check) => check()));
    pending = pending.filter((_, index) => !outcomes[index]);
    if (pending.length === 0) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
