import { waitFor } from '../src/wait-for';

describe('waitFor', () => {
  it('resolves with the first truthy value of the predicate', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls === 3 ? 'ready' : undefined), { intervalMs: 1 });
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('treats a throwing predicate as not ready yet', async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        if (++calls < 2) throw new Error('ECONNREFUSED');
        return true;
      },
      { intervalMs: 1 },
    );
    expect(value).toBe(true);
  });

  it('names the condition and the last error when it times out', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('ECONNREFUSED');
        },
        { timeoutMs: 20, intervalMs: 5, description: 'the database' },
      ),
    ).rejects.toThrow(/Timed out after 20 ms waiting for the database: last error: ECONNREFUSED/);
  });
});
