import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fakePath } from './fake-path';

const run = promisify(execFile);
const SETUP = join(__dirname, '../setup.sh');

describe('npm run setup', () => {
  it('installs nothing and says so when every prerequisite is there', async () => {
    const path = await fakePath({
      nodeVersion: 'v24.0.0',
      programs: ['chromium', 'docker-compose', 'curl', 'jq', 'promtool', 'git', 'kubectl'],
    });
    try {
      const { stdout } = await run('/bin/bash', [SETUP], {
        env: { PATH: path.dir, HOME: process.env.HOME },
      });
      expect(stdout).toBe('setup: all prerequisites are installed\n');
    } finally {
      await path.remove();
    }
  });

  it('names what Debian does not package usably (kubectl), with where to get it, and exits 1', async () => {
    const path = await fakePath({
      nodeVersion: 'v24.0.0',
      programs: ['chromium', 'docker-compose', 'curl', 'jq', 'promtool', 'git'],
    });
    try {
      const failure = await run('/bin/bash', [SETUP], {
        env: { PATH: path.dir, HOME: process.env.HOME },
      }).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toBe(
        "setup: cannot install kubectl from Debian; get it from https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/ (1.30 or newer: Debian 12's kubernetes-client is 1.20, whose kustomize cannot render infra/k8s)\n",
      );
    } finally {
      await path.remove();
    }
  });

  it('on an OS it does not know, prints the packages to install and exits 1 without installing', async () => {
    const path = await fakePath({
      nodeVersion: 'v24.0.0',
      programs: ['curl', 'jq', 'promtool', 'git'],
    });
    const dir = await mkdtemp(join(tmpdir(), 'dja-setup-os-'));
    const osRelease = join(dir, 'os-release');
    await writeFile(osRelease, 'ID=fedora\nID_LIKE="rhel centos"\n');
    try {
      const failure = await run('/bin/bash', [SETUP], {
        env: { PATH: path.dir, HOME: process.env.HOME, SETUP_OS_RELEASE: osRelease },
      }).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stdout).toBe('');
      expect(failure?.stderr).toBe(
        'setup: this is not Debian or Ubuntu; install these packages (Debian names) yourself: chromium docker-compose\n',
      );
    } finally {
      await Promise.all([path.remove(), rm(dir, { recursive: true, force: true })]);
    }
  });
});
