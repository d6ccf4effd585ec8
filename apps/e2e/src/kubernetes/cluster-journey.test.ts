// The journey on a real cluster, through its Ingress: the dev overlay applied as in
// docs/deploying-kubernetes.md (kind), with KUBECONFIG pointing at that cluster. Without
// KUBECONFIG the tests are skipped, and one line says so. K8S_URL (default
// http://localhost:8080, kind's port mapping) and K8S_NAMESPACE (default dja) say where.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { waitFor } from '@dja/test-infra';
import { ApiClient, type ApiResponse, registerAndLogIn } from '../support/api-client';
import { RESOURCE_PROBES } from '../support/stack-info';
import { isInvalidTokenRefusal } from '../support/token-checks';

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

/** The running pods of a Deployment: the names they give in `X-Served-By`. */
async function servedByNames(app: string): Promise<string[]> {
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
  return pods.split(/\s+/).filter(Boolean);
}

/** Calls until every pod of the service has answered, each answer passing `check`. */
async function hearFromEveryPod(
  app: string,
  call: () => Promise<ApiResponse>,
  check: (response: ApiResponse) => boolean,
): Promise<void> {
  const expected = await servedByNames(app);
  const heard = new Set<string>();
  await waitFor(
    async () => {
      const response = await call();
      if (!check(response))
        throw new Error(`${app}: ${response.servedBy} answered ${response.status}`);
      if (response.servedBy) heard.add(response.servedBy);
      return expected.every((name) => heard.has(name));
    },
    { timeoutMs: 60_000, intervalMs: 50, description: `an answer from every pod of ${app}` },
  );
  expect([...heard].sort()).toEqual(expected.sort());
}

describeOnCluster('the dev overlay on a cluster', () => {
  const api = new ApiClient(baseUrl);

  beforeAll(async () => {
    await kubectl('wait', '--for=condition=available', 'deployment', '--all', '--timeout=300s');
  }, 320_000);

  it('serves the console and the JWKS through the Ingress', async () => {
    expect((await api.call('/')).status).toBe(200);
    const jwks = await api.call<{ keys: unknown[] }>('/auth/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys.length).toBeGreaterThan(0);
  });

  it('lets a user register, log in and be accepted by every pod of every resource service, each naming its pod', async () => {
    const user = await registerAndLogIn(api);
    for (const { service, path } of RESOURCE_PROBES) {
      await hearFromEveryPod(
        `${service}-service`,
        () => api.call(path, { token: user.tokens.access_token }),
        (response) => response.status === 200,
      );
    }
  });

  it('revokes a logged-out token at every pod of every resource service', async () => {
    const user = await registerAndLogIn(api);
    await api.logout(user.tokens.access_token);
    for (const { service, path } of RESOURCE_PROBES) {
      const app = `${service}-service`;
      // Each pod has its own broadcast queue: once the event is in, every pod refuses.
      await waitFor(
        async () =>
          isInvalidTokenRefusal(await api.call(path, { token: user.tokens.access_token })),
        { timeoutMs: 30_000, description: `${app} to refuse the revoked token` },
      );
      await hearFromEveryPod(
        app,
        () => api.call(path, { token: user.tokens.access_token }),
        isInvalidTokenRefusal,
      );
    }
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
