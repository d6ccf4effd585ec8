import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fakePath } from './fake-path';

const run = promisify(execFile);
const PREFLIGHT = join(__dirname, '../preflight.sh');
const EVERY_PROGRAM_ON_PATH = [
  'chromium',
  'docker-compose',
  'curl',
  'jq',
  'promtool',
  'git',
  'kubectl',
];
const KUBECTL_FROM =
  "kubectl from https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/ (1.30 or newer: Debian 12's kubernetes-client is 1.20, whose kustomize cannot render infra/k8s)";

/** Runs the preflight with $PATH made of `pathDir` alone; its exit code and output. */
async function preflight(scope: 'test' | 'stack', pathDir: string) {
  try {
    const { stdout, stderr } = await run('/bin/bash', [PREFLIGHT, scope], {
      env: { PATH: pathDir, HOME: process.env.HOME },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe('the preflight of npm test and npm run stack', () => {
  it('says nothing and exits 0 when every prerequisite is there', async () => {
    const path = await fakePath({ nodeVersion: 'v24.0.0', programs: EVERY_PROGRAM_ON_PATH });
    try {
      expect(await preflight('test', path.dir)).toEqual({ code: 0, stdout: '', stderr: '' });
    } finally {
      await path.remove();
    }
  });

  it('names every missing program in one line, with the command that installs them', async () => {
    const path = await fakePath({
      nodeVersion: 'v24.0.0',
      programs: ['curl', 'jq', 'promtool', 'git', 'kubectl'],
    });
    try {
      const result = await preflight('test', path.dir);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        'missing: chromium, docker-compose. Install with: npm run setup\n',
      );
    } finally {
      await path.remove();
    }
  });

  it('says where to get what setup cannot install (kubectl), in the same line', async () => {
    const path = await fakePath({
      nodeVersion: 'v24.0.0',
      programs: ['curl', 'jq', 'promtool', 'git'],
    });
    try {
      expect((await preflight('test', path.dir)).stderr).toBe(
        `missing: chromium, docker-compose, kubectl. Install with: npm run setup; ${KUBECTL_FROM}\n`,
      );
      const onlyKubectl = await fakePath({
        nodeVersion: 'v24.0.0',
        programs: EVERY_PROGRAM_ON_PATH.filter((program) => program !== 'kubectl'),
      });
      try {
        expect(await preflight('test', onlyKubectl.dir)).toEqual({
          code: 1,
          stdout: '',
          stderr: `missing: kubectl. Install with: ${KUBECTL_FROM}\n`,
        });
      } finally {
        await onlyKubectl.remove();
      }
    } finally {
      await path.remove();
    }
  });

  it('asks npm run stack only for what the stack runs, not the browser', async () => {
    const path = await fakePath({ nodeVersion: 'v24.0.0' });
    try {
      expect(await preflight('stack', path.dir)).toEqual({ code: 0, stdout: '', stderr: '' });
      expect((await preflight('test', path.dir)).stderr).toBe(
        `missing: chromium, docker-compose, curl, jq, git, prometheus, kubectl. Install with: npm run setup; ${KUBECTL_FROM}\n`,
      );
    } finally {
      await path.remove();
    }
  });

  it('refuses a Node.js older than 24, naming the version and where setup puts Node.js 24', async () => {
    const path = await fakePath({ nodeVersion: 'v20.20.2', programs: EVERY_PROGRAM_ON_PATH });
    try {
      const result = await preflight('stack', path.dir);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^missing: Node\.js 24 \(this is v20\.20\.2\)\. Install with: npm run setup, then export PATH="\/.+\/\.tools\/node\/bin:\$PATH"\n$/,
      );
    } finally {
      await path.remove();
    }
  });

  it('names Node.js when there is none at all', async () => {
    const path = await fakePath({ programs: EVERY_PROGRAM_ON_PATH });
    try {
      expect((await preflight('stack', path.dir)).stderr).toBe(
        'missing: Node.js 24. Install with: npm run setup\n',
      );
    } finally {
      await path.remove();
    }
  });
});
