import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@dja/test-infra';
import { ApiClient } from '@dja/stack-client';
import { Compose, type Container, exec } from './docker';
import type { ReplicaNames } from '../../support/journey';

/** Jobs that run once and exit (the migrations); everything else must stay up and healthy. */
const isJob = (service: string) => service.endsWith('-migrate') || service === 'make-secrets';
const REPLICATED = ['auth-service', 'orders-service', 'profile-service', 'notifications-service'];

/**
 * docker-compose.yml running under a project name of its own, on free host ports, with its
 * secrets in a temporary directory: nothing of a developer's own `docker compose up` is touched.
 */
export class ComposeStack {
  private constructor(
    readonly compose: Compose,
    readonly api: ApiClient,
    readonly rabbitmqUiUrl: string,
    private readonly secretsDir: string,
  ) {}

  /** Chooses ports and makes secrets; `start` brings it up (and `down` can always clean up). */
  static async create(command: readonly string[], tag: string): Promise<ComposeStack> {
    const [gatewayPort, rabbitmqUiPort] = [await freePort(), await freePort()];
    const secretsDir = await mkdtemp(join(tmpdir(), 'dja-compose-secrets-'));
    await exec('sh', ['infra/compose/make-secrets.sh', secretsDir]);
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const compose = new Compose(command, `dja-e2e-${randomBytes(4).toString('hex')}`, {
      IMAGE_TAG: tag,
      GATEWAY_HOST_PORT: String(gatewayPort),
      RABBITMQ_UI_HOST_PORT: String(rabbitmqUiPort),
      PUBLIC_URL: gatewayUrl,
      SECRETS_DIR: secretsDir,
    });
    return new ComposeStack(
      compose,
      new ApiClient(gatewayUrl),
      `http://127.0.0.1:${rabbitmqUiPort}`,
      secretsDir,
    );
  }

  /** `up`: compose itself waits for what the services depend on to be healthy. */
  async start(): Promise<void> {
    await this.compose.run(['up', '--detach', '--no-build']).catch(async (error: Error) => {
      const troubled = (await this.compose.containers()).filter(
        (c) => c.health === 'unhealthy' || (c.state === 'exited' && c.exitCode !== 0),
      );
      throw new Error(`${error.message}
${await this.describe(troubled)}`);
    });
  }

  /**
   * Waits until every container is healthy (or, for a job, exited 0). A job that failed or a
   * container that stopped ends the wait at once, with its logs in the error.
   */
  async waitUntilHealthy(timeoutMs = 240_000): Promise<Container[]> {
    let pending: Container[] = [];
    const containers = await waitFor(
      async () => {
        const all = await this.compose.containers();
        const broken = all.filter((c) =>
          isJob(c.service)
            ? c.state === 'exited' && c.exitCode !== 0
            : c.state === 'exited' || c.state === 'dead',
        );
        if (broken.length > 0) throw new BrokenContainers(await this.describe(broken));
        pending = all.filter((c) =>
          isJob(c.service) ? c.state !== 'exited' : c.state !== 'running' || c.health !== 'healthy',
        );
        return all.length > 0 && pending.length === 0 ? all : undefined;
      },
      { timeoutMs, intervalMs: 1_000, description: 'every container of the stack to be healthy' },
    ).catch(async (error: Error) => {
      if (error instanceof BrokenContainers) throw error;
      throw new Error(`${error.message}\n${await this.describe(pending)}`);
    });
    return containers;
  }

  /** The running replicas of every service, named as `docker compose ps` names them. */
  async replicaNames(): Promise<ReplicaNames> {
    const running = (await this.compose.containers()).filter((c) => c.state === 'running');
    return Object.fromEntries(
      REPLICATED.map((service) => [
        service,
        running
          .filter((c) => c.service === service)
          .map((c) => `${service}-${c.number}`)
          .sort(),
      ]),
    );
  }

  /** Each container's state and the end of its log, for a failure message. */
  async describe(containers: readonly Container[]): Promise<string> {
    const lines: string[] = [];
    for (const c of containers) {
      const logs = await exec('docker', ['logs', '--tail', '30', c.id]).catch(
        (error: Error) => error.message,
      );
      lines.push(`--- ${c.name}: ${c.state} ${c.health ?? ''} exit ${c.exitCode}\n${logs}`);
    }
    return lines.join('\n');
  }

  /** `down -v`: containers, networks and volumes; then the secrets directory. */
  async down(): Promise<void> {
    await this.compose.run(['down', '--volumes', '--remove-orphans', '--timeout', '5']);
    await rm(this.secretsDir, { recursive: true, force: true });
  }
}

class BrokenContainers extends Error {
  constructor(detail: string) {
    super(`containers of the stack failed:\n${detail}`);
  }
}
