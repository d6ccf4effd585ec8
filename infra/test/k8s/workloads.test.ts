// What runs on the cluster, overlay by overlay: the rules every container follows, Services that
// reach their pods, an Ingress with the gateway's routes, service-to-service calls on ClusterIP
// Services, and production's replicas, autoscalers, budgets, spreading and network policies.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { env } from '@dja/config';
import { SHUTDOWN_TIMEOUT_MS } from '@dja/http';
import { EXACT_ROUTES, ROUTES, SERVICE_NAMES, SERVICES, type ServiceName } from '@dja/stack';
import { ROOT } from '../repository';
import {
  type K8sObject,
  named,
  ofKind,
  OVERLAYS,
  type Rendered,
  renderedOverlays,
} from './manifests';
import { type NetworkPolicy, allowed, type Peer } from './network-policy';
import {
  containersOf,
  declaredPort,
  MiB,
  mainContainer,
  podLabels,
  podSpec,
  quantity,
  selects,
  type Workload,
  workloads,
} from './pods';
import { configSchemaOf, defaultOf } from './service-settings';

interface Service extends K8sObject {
  spec: {
    type?: string;
    selector?: Record<string, string>;
    ports: Array<{ name?: string; port: number; targetPort?: string | number }>;
  };
}
interface IngressPath {
  path: string;
  pathType: string;
  backend: { service: { name: string; port: { name?: string; number?: number } } };
}
interface Ingress extends K8sObject {
  metadata: K8sObject['metadata'] & { annotations?: Record<string, string> };
  spec: {
    ingressClassName?: string;
    rules: Array<{ host?: string; http: { paths: IngressPath[] } }>;
  };
}
interface Autoscaler extends K8sObject {
  spec: {
    scaleTargetRef: { kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: Array<{ type: string; resource?: { name: string } }>;
  };
}
interface DisruptionBudget extends K8sObject {
  spec: {
    maxUnavailable?: number;
    minAvailable?: number;
    selector: { matchLabels: Record<string, string> };
  };
}

const APPS = SERVICE_NAMES.map((name) => SERVICES[name].app);
const PACKAGE_VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
const COMPOSE = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { image?: string }>;
};
/** Highest RSS measured per service, MiB (docs/bench/bench-results.json, the load benchmark). */
const MEASURED_RSS_MIB = (() => {
  const results = JSON.parse(readFileSync(join(ROOT, 'docs/bench/bench-results.json'), 'utf8')) as {
    benchmarks: { load: { details: { memory: Array<{ replica: string; underLoadMiB: number }> } } };
  };
  const bench = results.benchmarks.load.details;
  const peaks: Record<string, number> = {};
  for (const { replica, underLoadMiB } of bench.memory) {
    const app = replica.replace(/-\d+$/, '');
    peaks[app] = Math.max(peaks[app] ?? 0, underLoadMiB);
  }
  return peaks;
})();
/** Headroom of a memory limit over the highest RSS measured: garbage collection, bursts. */
const MEMORY_LIMIT_HEADROOM = 1.4;

/** The public prefixes of the gateway template, and whether each strips its prefix. */
function gatewayStrips(prefix: string): boolean {
  const template = readFileSync(join(ROOT, 'infra/gateway/gateway.conf.template'), 'utf8');
  const location = new RegExp(
    `location\\s+${prefix.replace(/\//g, '\\/')}\\s*\\{\\s*(rewrite\\s+\\S+\\s+\\$1\\s+break;\\s*)?proxy_pass\\s+http://\\$?[a-z_]+(/?);`,
  );
  const match = location.exec(template);
  if (!match) throw new Error(`the gateway template has no location ${prefix}`);
  // Either form strips the prefix: `rewrite ^/auth(/.*)$ $1 break;` or a URI on proxy_pass.
  return match[1] !== undefined || match[2] === '/';
}

let rendered: Rendered[];

beforeAll(() => {
  rendered = renderedOverlays();
});

const objectsOf = (overlay: string) => rendered.find((r) => r.overlay === overlay)!.objects;
const deployment = (objects: readonly K8sObject[], name: string) =>
  named<Workload>(objects, 'Deployment', name);
const serviceOf = (objects: readonly K8sObject[], app: string) =>
  named<Service>(objects, 'Service', app);

describe.each(OVERLAYS)('every container of the %s overlay', (overlay) => {
  const each = () => workloads(objectsOf(overlay)).flatMap(containersOf);

  it('requests and limits CPU and memory, the request no more than the limit', () => {
    for (const { where, container } of each()) {
      const { requests = {}, limits = {} } = container.resources ?? {};
      for (const resource of ['cpu', 'memory']) {
        const request = quantity(requests[resource]);
        const limit = quantity(limits[resource]);
        expect({ where, resource, set: request > 0 && limit > 0, fits: request <= limit }).toEqual({
          where,
          resource,
          set: true,
          fits: true,
        });
      }
    }
  });

  it('runs as non-root on a read-only root filesystem, without privilege escalation or capabilities, under seccomp RuntimeDefault', () => {
    for (const workload of workloads(objectsOf(overlay))) {
      const pod = podSpec(workload).securityContext ?? {};
      for (const { where, container } of containersOf(workload)) {
        const own = container.securityContext ?? {};
        expect({
          where,
          runAsNonRoot: own.runAsNonRoot ?? pod.runAsNonRoot,
          numericUser: (own.runAsUser ?? pod.runAsUser ?? 0) > 0,
          readOnlyRootFilesystem: own.readOnlyRootFilesystem,
          allowPrivilegeEscalation: own.allowPrivilegeEscalation,
          drop: own.capabilities?.drop,
          add: own.capabilities?.add ?? [],
          seccomp: (own.seccompProfile ?? pod.seccompProfile)?.type,
          privileged: own.privileged ?? false,
        }).toEqual({
          where,
          runAsNonRoot: true,
          numericUser: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          drop: ['ALL'],
          add: [],
          seccomp: 'RuntimeDefault',
          privileged: false,
        });
      }
    }
  });

  it('pins its image: our images at the package version, others at the tag docker-compose.yml runs', () => {
    const composeImages = Object.values(COMPOSE.services).flatMap((s) =>
      s.image ? [s.image] : [],
    );
    for (const { where, container } of each()) {
      const [, name = '', tag] =
        /^([^:@]+)(?::([^@]+))?(?:@sha256:[a-f0-9]{64})?$/.exec(container.image ?? '') ?? [];
      expect({ where, tag }).not.toEqual({ where, tag: 'latest' });
      if (name.startsWith('dja/')) expect({ where, tag }).toEqual({ where, tag: PACKAGE_VERSION });
      else
        expect({ where, image: composeImages.includes(container.image!) }).toEqual({
          where,
          image: true,
        });
    }
  });

  it('has startup, liveness and readiness probes on every long-running container', () => {
    for (const { where, container, init } of each()) {
      if (init) continue;
      expect({
        where,
        startup: !!container.startupProbe,
        liveness: !!container.livenessProbe,
        readiness: !!container.readinessProbe,
      }).toEqual({
        where,
        startup: true,
        liveness: true,
        readiness: true,
      });
    }
  });
});

describe.each(OVERLAYS)('the services of the %s overlay', (overlay) => {
  const objects = () => objectsOf(overlay);

  it.each(APPS)(
    '%s listens on the ports it declares, and is probed on its operations port: /healthz live, /readyz ready',
    (app) => {
      const container = mainContainer(deployment(objects(), app));
      const listensOn = (name: string) => {
        const set = container.env?.find((v) => v.name === name)?.value;
        return Number(set ?? defaultOf(configSchemaOf(app), name));
      };
      expect(listensOn('PORT')).toBe(declaredPort(container, 'http'));
      const port = declaredPort(container, 'operations');
      expect(listensOn('OPERATIONS_PORT')).toBe(port);
      const probe = (p: typeof container.livenessProbe) => ({
        path: p?.httpGet?.path,
        port: p?.httpGet ? declaredPort(container, p.httpGet.port) : undefined,
      });
      expect(probe(container.startupProbe)).toEqual({ path: '/healthz', port });
      expect(probe(container.livenessProbe)).toEqual({ path: '/healthz', port });
      expect(probe(container.readinessProbe)).toEqual({ path: '/readyz', port });
    },
  );

  it.each(APPS)(
    '%s keeps serving while it leaves the endpoints, then has time for its own drain',
    (app) => {
      const workload = deployment(objects(), app);
      const preStop = mainContainer(workload).lifecycle?.preStop?.sleep?.seconds ?? 0;
      const grace = podSpec(workload).terminationGracePeriodSeconds ?? 30;
      expect(preStop).toBeGreaterThanOrEqual(3);
      // preStop, then SIGTERM: /readyz fails, in-flight requests finish, exit within the limit.
      expect(grace).toBeGreaterThanOrEqual(preStop + SHUTDOWN_TIMEOUT_MS / 1000);
      // ...and not much longer, or a stuck pod holds its node's resources for nothing.
      expect(grace).toBeLessThanOrEqual(preStop + SHUTDOWN_TIMEOUT_MS / 1000 + 15);
    },
  );

  it.each(APPS)('%s takes REPLICA_ID from the pod name, which the schema accepts', (app) => {
    const workload = deployment(objects(), app);
    const replicaId = mainContainer(workload).env?.find((v) => v.name === 'REPLICA_ID');
    expect(replicaId?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    // The longest name a pod of this Deployment gets: <name>-<10-character hash>-<5 characters>.
    const podName = `${workload.metadata.name}-${'a'.repeat(10)}-${'b'.repeat(5)}`;
    expect(env.replicaId().safeParse(podName).success).toBe(true);
  });

  it.each(APPS)(
    '%s has memory for its measured RSS and a CPU limit of at least one core',
    (app) => {
      const { requests = {}, limits = {} } =
        mainContainer(deployment(objects(), app)).resources ?? {};
      const measured = MEASURED_RSS_MIB[app] ?? MEASURED_RSS_MIB['orders-service']!;
      expect(quantity(requests.memory) / MiB).toBeGreaterThanOrEqual(measured);
      expect(quantity(limits.memory) / MiB).toBeGreaterThanOrEqual(
        measured * MEMORY_LIMIT_HEADROOM,
      );
      // One event loop: a limit below a core would throttle it on every burst.
      expect(quantity(limits.cpu)).toBeGreaterThanOrEqual(1);
    },
  );

  it('lets auth-service use a core for requests and one per password-hashing thread', () => {
    const container = mainContainer(deployment(objects(), 'auth-service'));
    const threads = Number(
      container.env?.find((v) => v.name === 'PASSWORD_HASH_THREADS')?.value ??
        defaultOf(configSchemaOf('auth-service'), 'PASSWORD_HASH_THREADS'),
    );
    expect(quantity(container.resources?.limits?.cpu)).toBeGreaterThanOrEqual(1 + threads);
  });

  it('migrates each database before its service starts, in an init container', () => {
    for (const app of APPS) {
      const migrate = podSpec(deployment(objects(), app)).initContainers?.find(
        (c) => c.name === 'migrate',
      );
      expect(migrate?.args).toEqual([
        'node_modules/.bin/prisma',
        'migrate',
        'deploy',
        '--config',
        `apps/${app}/prisma.config.ts`,
      ]);
      expect(migrate?.env?.find((v) => v.name === 'DATABASE_URL_FILE')?.value).toBe(
        mainContainer(deployment(objects(), app)).env?.find((v) => v.name === 'DATABASE_URL_FILE')
          ?.value,
      );
    }
  });

  it('has Services that each select the pods of one workload, on a port those pods declare', () => {
    for (const service of ofKind<Service>(objects(), 'Service')) {
      const selector = service.spec.selector ?? {};
      const targets = workloads(objects()).filter((w) => selects(selector, podLabels(w)));
      expect({ service: service.metadata.name, workloads: targets.length }).toEqual({
        service: service.metadata.name,
        workloads: 1,
      });
      for (const port of service.spec.ports) {
        const declared = podSpec(targets[0]!).containers.some(
          (c) => declaredPort(c, port.targetPort ?? port.port) !== undefined,
        );
        expect({ service: service.metadata.name, port: port.port, declared }).toEqual({
          service: service.metadata.name,
          port: port.port,
          declared: true,
        });
      }
    }
    for (const app of APPS)
      expect(serviceOf(objects(), app).spec.type ?? 'ClusterIP').toBe('ClusterIP');
  });

  it('routes the gateway paths of ROUTES and EXACT_ROUTES to the services they name, the console at /, and nothing else', () => {
    const exactRoutes: Array<{ path: string; service: string; to: string }> = [];
    const routes = ofKind<Ingress>(objects(), 'Ingress').flatMap((ingress) => {
      expect(ingress.spec.ingressClassName).toBe('nginx');
      const rewrite = ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/rewrite-target'];
      return ingress.spec.rules.flatMap((rule) =>
        rule.http.paths.flatMap(({ path, pathType, backend }) => {
          // `/(\.well-known/x)/auth$` rewritten to `/$1` is the exact path /.well-known/x/auth,
          // reaching the service as /.well-known/x.
          const exact = /^\/\(([^()]+)\)(\/[^()$]*)\$$/.exec(path);
          if (exact) {
            expect({ path, pathType, rewrite }).toEqual({
              path,
              pathType: 'ImplementationSpecific',
              rewrite: '/$1',
            });
            const to = `/${exact[1]!.replace(/\\\./g, '.')}`;
            exactRoutes.push({ path: `${to}${exact[2]!}`, service: backend.service.name, to });
            return [];
          }
          // `/auth/(.*)` rewritten to `/$1` is the prefix /auth/, stripped as the gateway does.
          const regex = /^(\/.*\/)\(\.\*\)$/.exec(path);
          expect({
            path,
            consistent: regex
              ? pathType === 'ImplementationSpecific' && rewrite === '/$1'
              : pathType === 'Prefix' && !rewrite,
          }).toEqual({
            path,
            consistent: true,
          });
          const port = backend.service.port.name ?? backend.service.port.number!;
          const service = serviceOf(objects(), backend.service.name);
          expect({
            path,
            port: service.spec.ports.some((p) => p.name === port || p.port === port),
          }).toEqual({ path, port: true });
          return {
            prefix: regex ? regex[1]! : path,
            service: backend.service.name,
            strips: !!regex,
          };
        }),
      );
    });
    const expected = [
      ...ROUTES.map((r) => ({
        prefix: r.prefix,
        service: SERVICES[r.service].app,
        strips: gatewayStrips(r.prefix),
      })),
      { prefix: '/', service: 'console', strips: false },
      // Service-to-service endpoints: the console's nginx answers them with the gateway's 404.
      { prefix: '/auth/internal/', service: 'console', strips: false },
    ];
    const order = (a: { prefix: string }, b: { prefix: string }) =>
      a.prefix.localeCompare(b.prefix);
    expect(routes.sort(order)).toEqual(expected.sort(order));
    expect(exactRoutes).toEqual(
      EXACT_ROUTES.map(({ path, service, to }) => ({ path, service: SERVICES[service].app, to })),
    );
  });

  it('sends services to each other over ClusterIP Services, never through the Ingress', () => {
    const settings = ofKind<K8sObject & { data: Record<string, string> }>(
      objects(),
      'ConfigMap',
    ).find((m) => m.metadata.name.startsWith('settings-'))!;
    const targets: Record<string, ServiceName> = { AUTH_URL: 'auth', PROFILE_URL: 'profile' };
    for (const [key, target] of Object.entries(targets)) {
      const url = new URL(settings.data[key]!);
      const service = serviceOf(objects(), SERVICES[target].app);
      expect({ key, url: `${url.protocol}//${url.host}${url.pathname}` }).toEqual({
        key,
        url: `http://${service.metadata.name}:${service.spec.ports[0]!.port}/`,
      });
      expect(url.origin).not.toBe(new URL(settings.data.AUTH_ISSUER!).origin);
    }
  });

  it('gives auth-service an issuer whose path is its public route', () => {
    const settings = ofKind<K8sObject & { data: Record<string, string> }>(
      objects(),
      'ConfigMap',
    ).find((m) => m.metadata.name.startsWith('settings-'))!;
    const auth = ROUTES.find((r) => r.service === 'auth')!;
    expect(`${new URL(settings.data.AUTH_ISSUER!).pathname}/`).toBe(auth.prefix);
    const hosts = ofKind<Ingress>(objects(), 'Ingress').flatMap((i) =>
      i.spec.rules.map((r) => r.host),
    );
    for (const host of hosts)
      if (host) expect(host).toBe(new URL(settings.data.AUTH_ISSUER!).hostname);
  });
});

describe('the dev overlay', () => {
  const objects = () => objectsOf('dev');

  it('runs one replica of everything', () => {
    for (const workload of workloads(objects()))
      expect([workload.metadata.name, workload.spec.replicas]).toEqual([workload.metadata.name, 1]);
  });

  it('runs PostgreSQL and RabbitMQ as StatefulSets with volumes, a database for each service', () => {
    for (const name of ['postgres', 'rabbitmq']) {
      const set = named<Workload & { spec: { volumeClaimTemplates?: unknown[] } }>(
        objects(),
        'StatefulSet',
        name,
      );
      expect(set.spec.volumeClaimTemplates?.length).toBe(1);
    }
    const postgres = named<Workload>(objects(), 'StatefulSet', 'postgres');
    const databases = mainContainer(postgres)
      .env?.find((v) => v.name === 'POSTGRES_DATABASES')
      ?.value?.split(',');
    expect(databases?.sort()).toEqual(SERVICE_NAMES.map((name) => name).sort());
  });
});

describe('the production overlay', () => {
  const objects = () => objectsOf('production');

  it.each(SERVICE_NAMES)(
    'runs the %s replicas of tools/stack/src/topology.ts, as the floor of a CPU autoscaler',
    (name) => {
      const app = SERVICES[name].app;
      expect(deployment(objects(), app).spec.replicas).toBe(SERVICES[name].replicas);
      const autoscaler = named<Autoscaler>(objects(), 'HorizontalPodAutoscaler', app);
      expect(autoscaler.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: app });
      expect(autoscaler.spec.minReplicas).toBe(SERVICES[name].replicas);
      expect(autoscaler.spec.maxReplicas).toBeGreaterThan(autoscaler.spec.minReplicas);
      expect(autoscaler.spec.metrics.map((m) => m.resource?.name)).toEqual(['cpu']);
    },
  );

  it('keeps all but one pod of every Deployment through a voluntary disruption', () => {
    for (const workload of workloads(objects())) {
      const budgets = ofKind<DisruptionBudget>(objects(), 'PodDisruptionBudget').filter((b) =>
        selects(b.spec.selector.matchLabels, podLabels(workload)),
      );
      expect({
        workload: workload.metadata.name,
        budgets: budgets.map((b) => b.spec.maxUnavailable),
      }).toEqual({
        workload: workload.metadata.name,
        budgets: [1],
      });
      expect(workload.spec.replicas).toBeGreaterThan(1);
    }
  });

  it('spreads the pods of every Deployment across nodes and zones', () => {
    for (const workload of workloads(objects())) {
      const constraints = podSpec(workload).topologySpreadConstraints ?? [];
      expect(constraints.map((c) => c.topologyKey).sort()).toEqual([
        'kubernetes.io/hostname',
        'topology.kubernetes.io/zone',
      ]);
      for (const c of constraints) {
        // The constraint counts this Deployment's pods: its selector plus the pod's own name label.
        expect(selects(c.labelSelector?.matchLabels ?? {}, podLabels(workload))).toBe(true);
        expect(c.matchLabelKeys).toEqual(
          expect.arrayContaining(['app.kubernetes.io/name', 'pod-template-hash']),
        );
      }
    }
  });

  it('runs no database or broker of its own: services reach them through URLs in Secrets', () => {
    expect(ofKind(objects(), 'StatefulSet')).toEqual([]);
    for (const app of APPS) {
      const secretVolume = podSpec(deployment(objects(), app)).volumes?.find((v) => v.secret)
        ?.secret?.secretName;
      const secret = named<K8sObject & { data: Record<string, string> }>(
        objects(),
        'Secret',
        secretVolume!,
      );
      expect(Object.keys(secret.data)).toEqual(
        expect.arrayContaining(['database_url', 'amqp_url']),
      );
    }
  });

  describe('network policies', () => {
    const policies = () => ofKind<NetworkPolicy>(objects(), 'NetworkPolicy');
    const pod = (app: string): Peer => {
      const workload = deployment(objects(), app);
      const ports = podSpec(workload).containers.flatMap((c) => c.ports ?? []);
      return {
        namespace: workload.metadata.namespace,
        labels: podLabels(workload),
        ports: Object.fromEntries(ports.map((p) => [p.name, p.containerPort])),
      };
    };
    const port = (app: string) => declaredPort(mainContainer(deployment(objects(), app)), 'http')!;
    const ingressController: Peer = {
      namespace: 'ingress-nginx',
      namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
      labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
    };
    const monitoring: Peer = {
      namespace: 'monitoring',
      namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
      labels: { app: 'prometheus' },
    };
    const stranger: Peer = {
      namespace: 'default',
      namespaceLabels: { 'kubernetes.io/metadata.name': 'default' },
      labels: { app: 'x' },
    };
    const database: Peer = { ip: '192.0.2.5' };
    const broker: Peer = { ip: '192.0.2.20' };
    const can = (from: Peer, to: Peer, toPort: number) => allowed(policies(), from, to, toPort);

    it('let the ingress controller, and nothing outside, reach the public port of every backend', () => {
      for (const backend of [...APPS, 'console']) {
        expect([backend, can(ingressController, pod(backend), port(backend))]).toEqual([
          backend,
          true,
        ]);
        expect([backend, can(stranger, pod(backend), port(backend))]).toEqual([backend, false]);
      }
    });

    it('let resource services reach auth-service, and notifications-service reach profile-service, on their Service ports', () => {
      for (const app of APPS.filter((a) => a !== 'auth-service'))
        expect([app, can(pod(app), pod('auth-service'), port('auth-service'))]).toEqual([
          app,
          true,
        ]);
      expect(
        can(pod('notifications-service'), pod('profile-service'), port('profile-service')),
      ).toBe(true);
      expect(can(pod('orders-service'), pod('profile-service'), port('profile-service'))).toBe(
        false,
      );
      expect(can(pod('console'), pod('auth-service'), port('auth-service'))).toBe(false);
    });

    it('let only the services reach the database and the broker', () => {
      for (const app of APPS) {
        expect([app, can(pod(app), database, 5432), can(pod(app), broker, 5671)]).toEqual([
          app,
          true,
          true,
        ]);
      }
      expect([can(pod('console'), database, 5432), can(pod('console'), broker, 5672)]).toEqual([
        false,
        false,
      ]);
    });

    it('let the services, and nothing else, send spans to the OpenTelemetry Collector the settings name', () => {
      const endpoint = ofKind<K8sObject & { data?: Record<string, string> }>(objects(), 'ConfigMap')
        .map((map) => map.data?.OTEL_EXPORTER_OTLP_ENDPOINT)
        .find(Boolean);
      const collectorPort = Number(new URL(endpoint!).port);
      const collector: Peer = {
        namespace: 'monitoring',
        namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
        labels: { 'app.kubernetes.io/name': 'opentelemetry-collector' },
      };
      for (const app of APPS)
        expect([app, can(pod(app), collector, collectorPort)]).toEqual([app, true]);
      expect(can(pod('console'), collector, collectorPort)).toBe(false);
      expect(can(pod('orders-service'), monitoring, collectorPort)).toBe(false);
      expect(can(pod('orders-service'), collector, 4317)).toBe(false);
    });

    it('let only the monitoring namespace reach the operations port, where the metrics are', () => {
      const operations = (app: string) =>
        declaredPort(mainContainer(deployment(objects(), app)), 'operations')!;
      for (const app of APPS) {
        expect([
          app,
          can(monitoring, pod(app), operations(app)),
          can(stranger, pod(app), operations(app)),
          can(ingressController, pod(app), operations(app)),
        ]).toEqual([app, true, false, false]);
      }
    });
  });
});
