import { spawn } from 'node:child_process';

export interface Reaper {
  /** The server was stopped normally: the reaper has nothing left to do. */
  cancel(): void;
}

/**
 * Starts a detached shell that waits for this Node process to die and then runs `cleanup`.
 *
 * Servers started by tests are daemons in their own sessions, so they outlive a Jest run that
 * is killed (SIGKILL, a CI timeout, Ctrl-C twice) and keep ports, memory and temp dirs. An
 * 'exit' handler does not run in those cases; a watcher process outside Node does.
 */
export function startReaper(cleanup: string): Reaper {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done\n${cleanup}`;
  const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  let cancelled = false;
  return {
    cancel() {
      if (cancelled || child.pid === undefined) return;
      cancelled = true;
      try {
        // The shell leads its own process group; signal it so its `sleep` goes too.
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    },
  };
}
