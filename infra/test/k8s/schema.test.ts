// Every rendered object against the OpenAPI schema of Kubernetes 1.33: the models of the pinned
// kubernetes-models 4.5.1 (package.json), generated from that release's OpenAPI document.
import { type K8sObject, OVERLAYS, type Rendered, renderedOverlays } from './manifests';

/** `apps/v1` -> `kubernetes-models/apps/v1`, `v1` -> `kubernetes-models/v1`. */
function modelOf(object: K8sObject): new (data: unknown) => { validate(): void } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const group = require(`kubernetes-models/${object.apiVersion}`) as Record<string, unknown>;
  const model = group[object.kind];
  if (typeof model !== 'function') {
    throw new Error(`Kubernetes 1.33 has no ${object.apiVersion} ${object.kind}`);
  }
  return model as new (data: unknown) => { validate(): void };
}

/**
 * kustomize wraps a Secret's base64 values in lines of 70; the API server's decoder skips line
 * breaks, the schema's `byte` format does not, so they are joined first, as the server reads them.
 */
function asServerReads(object: K8sObject): K8sObject {
  if (object.kind !== 'Secret' || !object.data) return object;
  const data = Object.entries(object.data as Record<string, string>).map(([key, value]) => [
    key,
    value.replace(/\s+/g, ''),
  ]);
  return { ...object, data: Object.fromEntries(data) };
}

/** The schema's complaint about an object, or null when it is valid. */
function schemaError(object: K8sObject): string | null {
  const Model = modelOf(object);
  try {
    new Model(asServerReads(object)).validate();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

let rendered: Rendered[];

beforeAll(() => {
  rendered = renderedOverlays();
});

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  const objects = () => rendered.find((r) => r.overlay === overlay)!.objects;

  it('renders with kubectl kustomize into objects of every kind it needs', () => {
    const kinds = new Set(objects().map((o) => o.kind));
    for (const kind of ['Namespace', 'Deployment', 'Service', 'ConfigMap', 'Secret', 'Ingress']) {
      expect({ kind, rendered: kinds.has(kind) }).toEqual({ kind, rendered: true });
    }
  });

  it('has only objects that are valid against the Kubernetes 1.33 OpenAPI schema', () => {
    const invalid = objects()
      .map((object) => ({
        object: `${object.kind}/${object.metadata.name}`,
        error: schemaError(object),
      }))
      .filter(({ error }) => error !== null);
    expect(invalid).toEqual([]);
  });
});

describe('the schema check', () => {
  it('rejects an object that breaks the schema', () => {
    const broken: K8sObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'broken' },
      spec: {
        selector: {},
        template: { spec: { containers: [{ name: 'x', ports: [{ containerPort: 'http' }] }] } },
      },
    };
    expect(schemaError(broken)).toMatch(/containerPort must be integer/);
  });

  it('rejects a kind that Kubernetes does not have', () => {
    expect(() =>
      schemaError({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'typo' } }),
    ).toThrow(/no apps\/v1 Deploymnet/);
  });
});
