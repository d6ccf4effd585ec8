// The compose test's journey on a real cluster, through its Ingress: the dev overlay applied as
// in docs/deploying-kubernetes.md (kind), with KUBECONFIG pointing at that cluster. Without
// KUBECONFIG the tests are skipped, and one line says so. K8S_URL (default
// http://localhost:8080, kind's port mapping) and K8S_NAMESPACE (default dja) say where.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SERVICE_NAMES, SERVICES } from '@dja/stack';
import { ApiClient, registerAndLogIn } from '@dja/stack-client';
import { type ReplicaNames, walkJourney } from '../support/journey';

const run = promisify(execFile);
const cluster = Boolean(process.env.KUBECONFIG);
const namespace = process.env.K8S_NAMESPACE ?? 'dja';
const baseUrl = process.env.K8S_URL ?? 'http://localhost:8080';
const describeOnCluster = cluster ? describe : describe.skip;

if (!cluster) {
  process.stderr.write(
    'kubernetes journey SKIPPED: KUBECONFIG is not set (docs/deploying-kubernetes.md runs it on kind)\n',
  );
}

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--namespace', namespace, ...args]);
  return stdout.trim();
}

/** The running pods of every Deployment: `X-Served-By` names the pod (REPLICA_ID, downward API). */
async function podNames(): Promise<ReplicaNames> {
  const names: ReplicaNames = {};
  for (const { app } of SERVICE_NAMES.map((name) => SERVICES[name])) {
    const pods = await kubectl(
      'get',
      'pods',
      '--selector',
      `app.kubernetes.io/name=${app}`,
      '--field-selector',
      'status.phase=Running',
      '--output',
      'jsonpath={.items[*].metadata.name}',
    );
    names[app] = pods.split(/\s+/).filter(Boolean).sort();
  }
  return names;
}

describeOnCluster('the dev overlay on a cluster', () => {
  const api = new ApiClient(baseUrl);

  beforeAll(async () => {
    await kubectl('wait', '--for=condition=available', 'deployment', '--all', '--timeout=300s');
  }, 320_000);

  it('walks the compose journey through the Ingress, hearing from every pod', async () => {
    await walkJourney({ api, replicas: await podNames() });
  });

  it('serves the authorization server metadata at the RFC 8414 location', async () => {
    const metadata = await api.call<{ issuer: string }>(
      '/.well-known/oauth-authorization-server/auth',
    );
    expect(metadata.status).toBe(200);
    expect(new URL(metadata.body.issuer).pathname).toBe('/auth');
  });

  it('keeps the service-to-service endpoints off the Ingress', async () => {
    const user = await registerAndLogIn(api);
    const response = await api.call('/auth/internal/revocations', {
      token: user.tokens.access_token,
    });
    expect(response.status).toBe(404);
    expect(response.servedBy).toBeNull();
  });
});
