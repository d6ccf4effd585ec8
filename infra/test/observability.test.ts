import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { SERVICE_NAMES, SERVICES } from '@dja/stack';
import { metricNamesIn } from '@dja/test-infra';
import { configSchemaOf, defaultOf } from './k8s/service-settings';
import { dockerCompose, ROOT } from './repository';

// The observability profile's images cannot be pulled on these machines: its configuration is
// checked here instead (docs/observability.md says what was run and what was not).
jest.setTimeout(60_000);
const run = promisify(execFile);
const DIR = join(ROOT, 'infra/observability');
const yamlFile = <T>(name: string) => parse(readFileSync(join(DIR, name), 'utf8')) as T;

async function promtool(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('promtool', args, { cwd: DIR });
    return stdout;
  } catch (error) {
    const failure = error as { code?: string | number; stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error('promtool not found: install it with `apt-get install -y prometheus`');
    }
    throw new Error(`promtool ${args.join(' ')}: ${failure.stdout ?? ''}${failure.stderr ?? ''}`);
  }
}

interface Dashboard {
  uid: string;
  panels: Array<{ title: string; datasource: { uid: string }; targets: Array<{ expr: string }> }>;
}

const dashboard = JSON.parse(
  readFileSync(join(DIR, 'grafana/dashboards/distributed-jwt-auth.json'), 'utf8'),
) as Dashboard;

describe('the Prometheus configuration', () => {
  it('passes `promtool check config`, rule files included', async () => {
    expect(await promtool(['check', 'config', 'prometheus.yml'])).toMatch(
      /SUCCESS: 1 rule files found[\s\S]*SUCCESS: prometheus.yml is valid/,
    );
  });

  it('passes `promtool check rules` with the alerts docs/observability.md describes', async () => {
    expect(await promtool(['check', 'rules', 'alerts.yml'])).toMatch(/SUCCESS: \d+ rules found/);
    const alerts = yamlFile<{ groups: Array<{ rules: Array<{ alert: string }> }> }>(
      'alerts.yml',
    ).groups.flatMap((group) => group.rules.map((rule) => rule.alert));
    const docs = readFileSync(join(ROOT, 'docs/observability.md'), 'utf8');
    for (const alert of alerts) expect(docs).toContain(`\`${alert}\``);
    expect(alerts).toEqual(
      expect.arrayContaining(['JwksUnusable', 'RevocationLagHigh', 'OutboxBacklog', 'High5xxRate']),
    );
  });

  it('scrapes every replica of every service on its operations listener, where /metrics is', async () => {
    const config = yamlFile<{
      scrape_configs: Array<{ dns_sd_configs: Array<{ names: string[]; port: number }> }>;
    }>('prometheus.yml');
    const [discovery] = config.scrape_configs.flatMap((job) => job.dns_sd_configs);
    const apps = SERVICE_NAMES.map((s) => SERVICES[s].app);
    expect(discovery?.names.sort()).toEqual([...apps].sort());
    const compose = parse(await dockerCompose(['config'])) as {
      services: Record<string, { environment?: Record<string, string> }>;
    };
    for (const app of apps) {
      const operationsPort =
        compose.services[app]?.environment?.OPERATIONS_PORT ??
        defaultOf(configSchemaOf(app), 'OPERATIONS_PORT');
      expect([app, discovery?.port]).toEqual([app, Number(operationsPort)]);
    }
  });
});

describe('the OpenTelemetry Collector configuration', () => {
  interface Collector {
    receivers: Record<string, { protocols?: Record<string, { endpoint: string }> }>;
    processors: Record<string, unknown>;
    exporters: Record<string, { endpoint?: string }>;
    service: {
      pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
    };
  }
  const collector = yamlFile<Collector>('otel-collector.yaml');

  it('receives OTLP over HTTP on 4318 and gRPC on 4317', () => {
    expect(collector.receivers.otlp?.protocols?.http?.endpoint).toBe('0.0.0.0:4318');
    expect(collector.receivers.otlp?.protocols?.grpc?.endpoint).toBe('0.0.0.0:4317');
  });

  it('runs a traces pipeline whose every component is defined, exporting to Jaeger', () => {
    const traces = collector.service.pipelines.traces!;
    for (const name of traces.receivers) expect(collector.receivers).toHaveProperty([name]);
    for (const name of traces.processors) expect(collector.processors).toHaveProperty([name]);
    for (const name of traces.exporters) expect(collector.exporters).toHaveProperty([name]);
    expect(traces.exporters.map((name) => collector.exporters[name]?.endpoint)).toContain(
      'jaeger:4317',
    );
  });
});

describe('the observability profile of docker-compose.yml', () => {
  interface Service {
    profiles?: string[];
    environment?: Record<string, string>;
    volumes?: Array<string | { source: string }>;
  }
  let services: Record<string, Service>;

  beforeAll(async () => {
    services = (parse(await dockerCompose(['config'])) as { services: Record<string, Service> })
      .services;
  });

  it('runs the collector, Jaeger, Prometheus and Grafana only on request, from checked-in files', () => {
    for (const name of ['otel-collector', 'jaeger', 'prometheus', 'grafana']) {
      expect(services[name]?.profiles).toEqual(['observability']);
      for (const volume of services[name]?.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : volume.source;
        expect(existsSync(source)).toBe(true);
      }
    }
  });

  it('passes the standard OTEL_* variables to every service, each under its own name', () => {
    for (const service of SERVICE_NAMES) {
      const app = SERVICES[service].app;
      const environment = services[app]?.environment ?? {};
      expect(environment).toHaveProperty('OTEL_EXPORTER_OTLP_ENDPOINT');
      expect(environment).toHaveProperty('OTEL_TRACES_SAMPLER');
      expect(environment.OTEL_SERVICE_NAME).toBe(app);
    }
  });
});

describe('the provisioned Grafana dashboard', () => {
  it('queries the provisioned Prometheus data source in every panel', () => {
    const sources = yamlFile<{ datasources: Array<{ uid: string; type: string }> }>(
      'grafana/provisioning/datasources/prometheus.yml',
    ).datasources;
    const prometheus = sources.find((source) => source.type === 'prometheus');
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid).toBe(prometheus?.uid);
      expect(panel.targets.length).toBeGreaterThan(0);
    }
  });

  it('shows request rate and p99 per service, 401s by reason, JWKS health, revocation lag and the outbox backlog', () => {
    const queried = new Set(
      dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricNamesIn(t.expr))),
    );
    for (const name of [
      'http_request_duration_seconds_count',
      'http_request_duration_seconds_bucket',
      'auth_refused_requests_total',
      'auth_jwks_usable',
      'auth_jwks_fetch_failures_total',
      'auth_revocation_lag_seconds_bucket',
      'outbox_pending_events',
      'outbox_oldest_pending_age_seconds',
    ]) {
      expect(queried).toContain(name);
    }
  });
});
