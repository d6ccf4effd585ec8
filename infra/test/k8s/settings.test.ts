// Settings and secrets on the cluster: every variable a service's schema requires is set in
// every overlay and in docker-compose.yml (derived from the schemas, so a new required variable
// fails here until every deployment sets it), and no secret value sits in a ConfigMap or in a
// committed file.
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { SERVICE_NAMES, SERVICES } from '@dja/stack';
import { isTracingConfigured, TELEMETRY_VARIABLES } from '@dja/telemetry';
import { dockerCompose, ROOT } from '../repository';
import {
  type K8sObject,
  named,
  ofKind,
  OVERLAYS,
  type Rendered,
  renderedOverlays,
} from './manifests';
import {
  type Container,
  containersOf,
  mainContainer,
  podSpec,
  type Workload,
  workloads,
} from './pods';
import { configSchemaOf, fileVariables, requiredVariables } from './service-settings';

const run = promisify(execFile);

interface ConfigMap extends K8sObject {
  data?: Record<string, string>;
}
interface Secret extends K8sObject {
  data?: Record<string, string>;
}

const decode = (value: string) => Buffer.from(value, 'base64').toString('utf8');
const secretValues = (objects: readonly K8sObject[]) =>
  ofKind<Secret>(objects, 'Secret').flatMap((s) => Object.values(s.data ?? {}).map(decode));

/** What a pod of this workload would have as its environment once the entrypoint has run. */
function environmentOf(
  objects: readonly K8sObject[],
  workload: Workload,
  container: Container,
): Record<string, string> {
  const fromFile = new Set(fileVariables());
  const environment: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (variable.value !== undefined) {
      const file = /^(.+)_FILE$/.exec(variable.name)?.[1];
      if (file && fromFile.has(file))
        environment[file] = secretFile(objects, workload, container, variable.value);
      else environment[variable.name] = expandReferences(variable.value, environment);
    } else if (from?.configMapKeyRef) {
      const map = named<ConfigMap>(objects, 'ConfigMap', from.configMapKeyRef.name!);
      const value = map.data?.[from.configMapKeyRef.key];
      if (value === undefined)
        throw new Error(`${variable.name}: ConfigMap has no ${from.configMapKeyRef.key}`);
      environment[variable.name] = value;
    } else if (from?.secretKeyRef) {
      const secret = named<Secret>(objects, 'Secret', from.secretKeyRef.name!);
      const value = secret.data?.[from.secretKeyRef.key];
      if (value === undefined)
        throw new Error(`${variable.name}: Secret has no ${from.secretKeyRef.key}`);
      environment[variable.name] = decode(value);
    } else if (from?.fieldRef?.fieldPath === 'metadata.name') {
      // A pod of a Deployment: <deployment>-<pod-template-hash, 10>-<random, 5>.
      environment[variable.name] = `${workload.metadata.name}-7c9d8f6b5d-x4k2p`;
    } else {
      throw new Error(`${variable.name}: unsupported source ${JSON.stringify(from)}`);
    }
  }
  return environment;
}

/** Kubernetes' dependent variables: `$(NAME)` in a value is NAME as set earlier in the list. */
function expandReferences(value: string, earlier: Record<string, string>): string {
  return value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (reference, name: string) =>
    name in earlier ? earlier[name]! : reference,
  );
}

/** The content of a file mounted from a Secret, found through the container's volume mounts. */
function secretFile(
  objects: readonly K8sObject[],
  workload: Workload,
  container: Container,
  path: string,
): string {
  const mount = container.volumeMounts?.find((m) => m.mountPath === dirname(path));
  const volume = podSpec(workload).volumes?.find((v) => v.name === mount?.name);
  if (!volume?.secret?.secretName) throw new Error(`${path} is not in a mounted Secret`);
  const secret = named<Secret>(objects, 'Secret', volume.secret.secretName);
  const key = path.slice(dirname(path).length + 1);
  const value = secret.data?.[key];
  if (value === undefined) throw new Error(`${path}: Secret ${secret.metadata.name} has no ${key}`);
  return decode(value);
}

/** Every file below a directory, recursively. */
function filesBelow(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

let rendered: Rendered[];

beforeAll(() => {
  rendered = renderedOverlays();
});

const objectsOf = (overlay: string) => rendered.find((r) => r.overlay === overlay)!.objects;
const deploymentOf = (objects: readonly K8sObject[], app: string) =>
  workloads(objects).find((w) => w.kind === 'Deployment' && w.metadata.name === app)!;

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  describe.each(SERVICE_NAMES.map((name) => SERVICES[name].app))('%s', (app) => {
    const environment = () => {
      const objects = objectsOf(overlay);
      const deployment = deploymentOf(objects, app);
      return environmentOf(objects, deployment, mainContainer(deployment));
    };

    it('sets every variable its config schema requires', () => {
      const set = Object.keys(environment());
      const missing = requiredVariables(configSchemaOf(app)).filter((name) => !set.includes(name));
      expect(missing).toEqual([]);
    });

    it('sets no variable that neither its config schema nor the OpenTelemetry SDK reads', () => {
      const known = [...Object.keys(configSchemaOf(app).shape), ...TELEMETRY_VARIABLES];
      expect(Object.keys(environment()).filter((name) => !known.includes(name))).toEqual([]);
    });

    it('passes it the OpenTelemetry settings, under its own service name, each pod an instance', () => {
      const set = environment();
      expect(TELEMETRY_VARIABLES.filter((name) => set[name] === undefined)).toEqual([]);
      expect(set.OTEL_SERVICE_NAME).toBe(app);
      expect(set.OTEL_RESOURCE_ATTRIBUTES?.split(',')).toContain(
        `service.instance.id=${set.REPLICA_ID}`,
      );
    });

    it('gives it values its config schema accepts', () => {
      const result = configSchemaOf(app).safeParse(environment());
      // Names only: some of the values are secrets.
      expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? []).toEqual(
        [],
      );
    });
  });

  it('keeps every secret variable out of ConfigMaps, by name and by value', () => {
    const objects = objectsOf(overlay);
    const secrets = secretValues(objects);
    for (const map of ofKind<ConfigMap>(objects, 'ConfigMap')) {
      for (const [key, value] of Object.entries(map.data ?? {})) {
        const leaks =
          fileVariables().includes(key) || secrets.some((secret) => value.includes(secret));
        expect({ configMap: map.metadata.name, key, leaks }).toEqual({
          configMap: map.metadata.name,
          key,
          leaks: false,
        });
        expect({ key, credentialsInUrl: /:\/\/[^/\s:@]+:[^/\s@]+@/.test(value) }).toEqual({
          key,
          credentialsInUrl: false,
        });
      }
    }
  });

  it('never writes a secret into a manifest as a plain value', () => {
    const objects = objectsOf(overlay);
    const secrets = secretValues(objects);
    for (const workload of workloads(objects)) {
      for (const { where, container } of containersOf(workload)) {
        for (const variable of container.env ?? []) {
          const plain = variable.value !== undefined;
          const secret =
            fileVariables().includes(variable.name) ||
            secrets.some((value) => variable.value?.includes(value));
          expect({ where, variable: variable.name, plainSecret: plain && secret }).toEqual({
            where,
            variable: variable.name,
            plainSecret: false,
          });
        }
      }
    }
  });

  it('reads its secrets from files that git ignores', async () => {
    const copy = rendered.find((r) => r.overlay === overlay)!.secretFiles;
    const written = filesBelow(join(copy, 'k8s'))
      .filter((path) => /\/secrets\/[^/]+$/.test(path) && !path.endsWith('.gitignore'))
      .map((path) => join('infra', relative(copy, path)));
    expect(written.length).toBeGreaterThan(0);
    // `git check-ignore` exits 0 and names every path that is ignored.
    const { stdout } = await run('git', ['check-ignore', ...written], { cwd: ROOT });
    expect(stdout.trim().split('\n').sort()).toEqual([...written].sort());
  });
});

describe('tracing', () => {
  const environments = (overlay: string) => {
    const objects = objectsOf(overlay);
    return SERVICE_NAMES.map((name) => {
      const deployment = deploymentOf(objects, SERVICES[name].app);
      return environmentOf(objects, deployment, mainContainer(deployment));
    });
  };

  it('is off in the dev overlay, which names no collector', () => {
    expect(environments('dev').map((set) => isTracingConfigured(set))).toEqual(
      SERVICE_NAMES.map(() => false),
    );
  });

  it('is on in the production overlay, to the collector of the monitoring namespace, keeping one trace in ten that no caller sampled', () => {
    for (const set of environments('production')) {
      expect(isTracingConfigured(set)).toBe(true);
      expect(new URL(set.OTEL_EXPORTER_OTLP_ENDPOINT!).hostname).toBe('otel-collector.monitoring');
      expect(set).toMatchObject({
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
      });
    }
  });
});

describe('docker-compose.yml', () => {
  let environments: Record<string, Record<string, string>>;

  beforeAll(async () => {
    const compose = parse(await dockerCompose(['config'])) as {
      services: Record<string, { environment?: Record<string, string> }>;
    };
    environments = Object.fromEntries(
      Object.entries(compose.services).map(([name, s]) => [name, s.environment ?? {}]),
    );
  });

  it.each(SERVICE_NAMES.map((name) => SERVICES[name].app))(
    'sets every variable the %s config schema requires, as a value or a secret file',
    (app) => {
      const environment = environments[app] ?? {};
      const set = (name: string) =>
        name in environment || (fileVariables().includes(name) && `${name}_FILE` in environment);
      expect(requiredVariables(configSchemaOf(app)).filter((name) => !set(name))).toEqual([]);
    },
  );
});

describe('the requirement check', () => {
  it('finds the variables a schema requires, and none that it defaults', () => {
    const required = requiredVariables(configSchemaOf('notifications-service'));
    expect(required).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'CLIENT_SECRET', 'PROFILE_URL']),
    );
    expect(required).not.toContain('PORT');
    expect(required).not.toContain('LOG_LEVEL');
  });
});
