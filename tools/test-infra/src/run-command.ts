import { execFile } from 'node:child_process';

export interface RunCommandOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * Runs a program to completion and resolves with its stdout. On failure the error names the
 * command and carries its stderr, which is where initdb, pg_ctl and friends say what went wrong.
 */
export function runCommand(
  file: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => {
        if (error) {
          const output = `${stderr}${stdout}`.trim();
          reject(
            new Error(`\`${[file, ...args].join(' ')}\` failed: ${error.message}\n${output}`, {
              cause: error,
            }),
          );
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

/** Quotes a word for /bin/sh. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
