import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../repository';

const run = promisify(execFile);

export const OVERLAYS = ['dev', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];

export const KUBECTL_MISSING =
  'kubectl not found: install kubectl 1.30 or newer (it carries kustomize), e.g. ' +
  '`curl -LO https://dl.k8s.io/release/v1.32.4/bin/linux/amd64/kubectl && install -m 0755 kubectl /usr/local/bin/`, ' +
  'or see https://kubernetes.io/docs/tasks/tools/.';

/** The external URLs `make-secrets.sh production` requires; placeholders for rendering. */
export const PRODUCTION_URLS = {
  AUTH_DATABASE_URL: 'postgresql://auth:render-only@db.internal:5432/auth',
  ORDERS_DATABASE_URL: 'postgresql://orders:render-only@db.internal:5432/orders',
  PROFILE_DATABASE_URL: 'postgresql://profile:render-only@db.internal:5432/profile',
  NOTIFICATIONS_DATABASE_URL:
    'postgresql://notifications:render-only@db.internal:5432/notifications',
  AMQP_URL: 'amqps://dja:render-only@mq.internal:5671',
};

/** A Kubernetes object as rendered: only the parts every object has are typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface Rendered {
  overlay: Overlay;
  objects: K8sObject[];
  /** The secret files make-secrets.sh wrote for this render, by path below infra/. */
  secretFiles: string;
}

async function kubectl(args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run('kubectl', args, { cwd, maxBuffer: 20 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failure = error as { code?: string | number; stderr?: string; message: string };
    if (failure.code === 'ENOENT') throw new Error(KUBECTL_MISSING);
    throw new Error(
      `kubectl ${args.join(' ')} failed: ${failure.stderr?.trim() || failure.message}`,
    );
  }
}

/**
 * `kubectl kustomize infra/k8s/overlays/<overlay>` exactly as a user runs it, after
 * `make-secrets.sh <overlay>`: in a copy of infra/, so that the secrets it writes (fresh, random)
 * never land in the working tree. The caller removes the copy with `dispose`.
 */
export async function render(overlay: Overlay): Promise<Rendered & { dispose(): void }> {
  const copy = mkdtempSync(join(tmpdir(), 'dja-k8s-'));
  cpSync(join(ROOT, 'infra'), join(copy, 'infra'), {
    recursive: true,
    filter: (source) =>
      !/\/(secrets\/[^/]+|node_modules)$/.test(source) || source.endsWith('.gitignore'),
  });
  try {
    await run('sh', [join(copy, 'infra/k8s/make-secrets.sh'), overlay], {
      env: { PATH: process.env.PATH, ...(overlay === 'production' ? PRODUCTION_URLS : {}) },
    });
    const output = await kubectl(['kustomize', `infra/k8s/overlays/${overlay}`], copy);
    const objects = parseAllDocuments(output).map((document) => document.toJS() as K8sObject);
    return {
      overlay,
      objects,
      secretFiles: join(copy, 'infra'),
      dispose: () => rmSync(copy, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(copy, { recursive: true, force: true });
    throw error;
  }
}

/** Where the global setup leaves the renders for the test files (an environment variable). */
const RENDERED_DIRECTORY = 'DJA_K8S_RENDERED';

/**
 * Renders every overlay once for the whole test run (infra/test/k8s/global-setup.ts), into a
 * temporary directory the test files read. A render that fails is recorded, so that only the
 * Kubernetes tests fail (with kubectl's message or the install command), not the whole project.
 */
export async function renderForTests(): Promise<() => void> {
  const directory = mkdtempSync(join(tmpdir(), 'dja-k8s-rendered-'));
  process.env[RENDERED_DIRECTORY] = directory;
  const disposals: Array<() => void> = [];
  for (const overlay of OVERLAYS) {
    let result: Rendered | { error: string };
    try {
      const { dispose, ...rendered } = await render(overlay);
      disposals.push(dispose);
      result = rendered;
    } catch (error) {
      result = { error: (error as Error).message };
    }
    writeFileSync(join(directory, `${overlay}.json`), JSON.stringify(result));
  }
  return () => {
    disposals.forEach((dispose) => dispose());
    rmSync(directory, { recursive: true, force: true });
  };
}

/** The overlays as the global setup rendered them. */
export function renderedOverlays(): Rendered[] {
  const directory = process.env[RENDERED_DIRECTORY];
  if (!directory)
    throw new Error('infra/test/k8s/global-setup.ts did not run (see infra/jest.config.js)');
  return OVERLAYS.map((overlay) => {
    const result = JSON.parse(readFileSync(join(directory, `${overlay}.json`), 'utf8')) as
      Rendered | { error: string };
    if ('error' in result) throw new Error(result.error);
    return result;
  });
}

export function ofKind<T = K8sObject>(
  objects: readonly K8sObject[],
  kind: string,
): Array<T & K8sObject> {
  return objects.filter((o) => o.kind === kind) as Array<T & K8sObject>;
}

export function named<T = K8sObject>(
  objects: readonly K8sObject[],
  kind: string,
  name: string,
): T & K8sObject {
  const found = ofKind<T>(objects, kind).find((o) => o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendered manifests`);
  return found;
}
