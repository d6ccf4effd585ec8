import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { EXACT_ROUTES, ROUTES, SERVICE_NAMES, SERVICES, type ServiceName } from '@dja/stack';
import { argsOf, readDockerfileStages, stage } from './dockerfile';
import { dockerCompose, ROOT } from './repository';

interface ComposeService {
  image?: string;
  build?: { context: string; target?: string; args?: Record<string, string> };
  command?: string[];
  entrypoint?: string[];
  read_only?: boolean;
  deploy?: { replicas?: number };
  environment?: Record<string, string>;
  secrets?: Array<{ source: string; target?: string }>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: Array<string | { target: number; published: number | string }>;
  profiles?: string[];
  restart?: string;
  volumes?: Array<string | { source: string; target: string }>;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file?: string }>;
}

const run = promisify(execFile);
const TEMPLATE = readFileSync(join(ROOT, 'infra/gateway/gateway.conf.template'), 'utf8');
/** Variables the official nginx image itself sets (docker inspect nginx:1.27-alpine). */
const NGINX_IMAGE_ENV = [
  'PATH',
  'HOSTNAME',
  'HOME',
  'NGINX_VERSION',
  'PKG_RELEASE',
  'NJS_VERSION',
  'NJS_RELEASE',
  'DYNPKG_RELEASE',
];
const SECRET_VARIABLES = [
  'KEY_ENCRYPTION_SECRET',
  'CLIENT_SECRET',
  'ADMIN_PASSWORD',
  'SERVICE_CLIENTS',
];

/** Bind mounts as `{ source, target }`, whichever syntax `docker-compose config` printed. */
function mounts(s: ComposeService): Array<{ source: string; target: string }> {
  return (s.volumes ?? []).map((volume) => {
    if (typeof volume !== 'string') return { source: volume.source, target: volume.target };
    const [source = '', target = ''] = volume.split(':');
    return { source, target };
  });
}

const app = (service: ServiceName) => SERVICES[service].app;
const migration = (service: ServiceName) => `${service}-migrate`;
const databaseOf = (url = '') => new URL(url).pathname.slice(1);

/** The public server block's `location` lines: prefix -> the service variable it proxies to. */
function publicLocations(): Map<string, string | undefined> {
  const publicServer = TEMPLATE.slice(
    TEMPLATE.indexOf('listen ${GATEWAY_PORT};'),
    TEMPLATE.indexOf('listen ${INTERNAL_GATEWAY_PORT};'),
  );
  const locations = new Map<string, string | undefined>();
  for (const [, prefix, body] of publicServer.matchAll(/location\s+([^\s{]+)\s*\{([^}]*)\}/g)) {
    locations.set(prefix!, /proxy_pass\s+http:\/\/\$([a-z_]+)/.exec(body!)?.[1]);
  }
  return locations;
}

/** nginx variable -> the `${...}` placeholder that names where it points (`map` lines). */
function servicePlaceholders(): Map<string, string> {
  return new Map(
    [...TEMPLATE.matchAll(/map\s+\$host\s+\$([a-z_]+)\s*\{\s*default\s+\$\{([A-Z_]+)\};/g)].map(
      ([, variable, placeholder]) => [variable!, placeholder!],
    ),
  );
}

describe('docker-compose.yml', () => {
  let compose: ComposeFile;

  beforeAll(async () => {
    compose = parse(await dockerCompose(['config'])) as ComposeFile;
  }, 60_000);

  const service = (name: string): ComposeService => {
    const found = compose.services[name];
    if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
    return found;
  };

  it('is valid: `docker-compose config -q` exits 0', async () => {
    await expect(dockerCompose(['config', '-q'])).resolves.toBe('');
  }, 60_000);

  it('runs the services of tools/stack/src/topology.ts and nothing else of ours', () => {
    const built = Object.entries(compose.services)
      .filter(([, s]) => s.build?.target === 'runtime')
      .map(([name]) => name)
      .sort();
    expect(built).toEqual(SERVICE_NAMES.map(app).sort());
  });

  it('makes every mounted secret on first start, with make-secrets.sh, before auth-service starts', () => {
    const job = service('make-secrets');
    expect(job.restart).toBe('no');
    const folder = mounts(job).find((m) => m.target === '/secrets')?.source;
    expect(folder).toBe(join(ROOT, 'infra/compose/secrets'));
    expect(mounts(job)).toContainEqual({
      source: join(ROOT, 'infra/compose/make-secrets.sh'),
      target: '/make-secrets.sh',
    });
    for (const secret of Object.values(compose.secrets ?? {})) {
      expect(secret.file?.startsWith(`${folder}/`)).toBe(true);
    }
    expect(service('auth-service').depends_on?.['make-secrets']?.condition).toBe(
      'service_completed_successfully',
    );
  });

  it.each(SERVICE_NAMES)('gives %s the replica count of the local stack', (name) => {
    expect(service(app(name)).deploy?.replicas).toBe(SERVICES[name].replicas);
  });

  it.each(SERVICE_NAMES)('builds %s from the runtime stage with APP set to it', (name) => {
    expect(service(app(name)).build?.args?.APP).toBe(app(name));
  });

  it.each(SERVICE_NAMES)(
    'migrates the %s database in a one-shot job before any replica starts',
    (name) => {
      const job = service(migration(name));
      expect(job.build?.target).toBe('migrate');
      expect(job.restart).toBe('no');
      expect(job.command).toEqual(
        expect.arrayContaining(['migrate', 'deploy', `apps/${app(name)}/prisma.config.ts`]),
      );
      expect(job.depends_on?.postgres?.condition).toBe('service_healthy');
      expect(databaseOf(job.environment?.DATABASE_URL)).toBe(
        databaseOf(service(app(name)).environment?.DATABASE_URL),
      );
      expect(service(app(name)).depends_on?.[migration(name)]?.condition).toBe(
        'service_completed_successfully',
      );
    },
  );

  it('gives each service its own database, created by the postgres init script', () => {
    const postgres = service('postgres');
    const created = postgres.environment?.POSTGRES_DATABASES?.split(',') ?? [];
    const used = SERVICE_NAMES.map((name) =>
      databaseOf(service(app(name)).environment?.DATABASE_URL),
    );
    expect(new Set(used).size).toBe(SERVICE_NAMES.length);
    expect(created.sort()).toEqual([...used].sort());
    expect(mounts(postgres)).toContainEqual(
      expect.objectContaining({
        source: join(ROOT, 'infra/postgres/init-databases.sh'),
        target: expect.stringMatching(/^\/docker-entrypoint-initdb\.d\//),
      }),
    );
  });

  it('starts services once the broker is healthy, resource services once auth-service is', () => {
    for (const name of SERVICE_NAMES) {
      const dependsOn = service(app(name)).depends_on ?? {};
      expect(dependsOn.rabbitmq?.condition).toBe('service_healthy');
      if (name !== 'auth') expect(dependsOn['auth-service']?.condition).toBe('service_healthy');
    }
  });

  it('has a healthcheck for every long-running service, in the file or in the image', () => {
    const imageHasOne = argsOf(stage(readDockerfileStages(), 'runtime'), 'HEALTHCHECK').length > 0;
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.restart === 'no' || s.profiles?.length) continue;
      const has = Boolean(s.healthcheck?.test) || (s.build?.target === 'runtime' && imageHasOne);
      expect({ name, healthcheck: has }).toEqual({ name, healthcheck: true });
    }
  });

  it('passes secrets as files, never as values in environment', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      const environment = s.environment ?? {};
      for (const variable of SECRET_VARIABLES) {
        expect({ name, variable, inline: variable in environment }).toEqual({
          name,
          variable,
          inline: false,
        });
        const file = environment[`${variable}_FILE`];
        if (file === undefined) continue;
        const secret = /^\/run\/secrets\/(.+)$/.exec(file)?.[1];
        expect(s.secrets?.map((x) => x.source)).toContain(secret);
        expect(compose.secrets?.[secret!]?.file).toBeDefined();
      }
    }
    expect(service('auth-service').environment).toEqual(
      expect.objectContaining({
        KEY_ENCRYPTION_SECRET_FILE: expect.any(String),
        ADMIN_PASSWORD_FILE: expect.any(String),
        SERVICE_CLIENTS_FILE: expect.any(String),
      }),
    );
    for (const name of SERVICE_NAMES.filter((n) => n !== 'auth')) {
      expect(service(app(name)).environment?.CLIENT_SECRET_FILE).toBeDefined();
      expect(service(app(name)).environment?.CLIENT_ID).toBe(app(name));
    }
  });

  it("points the gateway at every service by its compose name, through Docker's DNS", () => {
    const environment = service('gateway').environment ?? {};
    for (const name of SERVICE_NAMES) {
      expect({
        placeholder: SERVICES[name].upstream,
        value: environment[SERVICES[name].upstream],
      }).toEqual({
        placeholder: SERVICES[name].upstream,
        value: `${app(name)}:3000`,
      });
    }
    // Re-read within seconds, so replicas added by --scale get traffic without a restart.
    expect(environment.SERVICE_DISCOVERY).toMatch(/^resolver 127\.0\.0\.11 valid=\d+s\b/);
  });

  it('builds the gateway from the one template and the console, and publishes 8080', () => {
    const gateway = service('gateway');
    expect(gateway.build).toMatchObject({ target: 'gateway' });
    const copies = argsOf(stage(readDockerfileStages(), 'gateway'), 'COPY');
    // The image's entrypoint renders /etc/nginx/templates/*.template with envsubst at start.
    expect(copies).toContain(
      'infra/gateway/gateway.conf.template /etc/nginx/templates/default.conf.template',
    );
    expect(copies).toContain(
      `--from=build /repo/dist/apps/console ${gateway.environment?.CONSOLE_ROOT}`,
    );
    expect(gateway.ports).toContainEqual(
      expect.objectContaining({ published: 8080, target: 8080 }),
    );
  });

  it("lets the nginx image's envsubst fill every placeholder and none of nginx's own $variables", () => {
    const environment = service('gateway').environment ?? {};
    const filter = new RegExp(environment.NGINX_ENVSUBST_FILTER ?? '');
    const substituted = new Set(
      [...Object.keys(environment), ...NGINX_IMAGE_ENV].filter((name) => filter.test(name)),
    );
    const placeholders = new Set([...TEMPLATE.matchAll(/\$\{([A-Za-z_]+)\}/g)].map(([, n]) => n!));
    const nginxVariables = new Set([...TEMPLATE.matchAll(/\$([A-Za-z_]+)/g)].map(([, n]) => n!));
    for (const placeholder of placeholders) {
      expect({ placeholder, substituted: substituted.has(placeholder) }).toEqual({
        placeholder,
        substituted: true,
      });
    }
    for (const variable of nginxVariables) {
      expect({ variable, clobbered: substituted.has(variable) }).toEqual({
        variable,
        clobbered: false,
      });
    }
  });

  it('routes the gateway paths of ROUTES to the services ROUTES names', () => {
    const locations = publicLocations();
    const placeholders = servicePlaceholders();
    const routed = [...locations].filter(([, upstream]) => upstream).map(([prefix]) => prefix);
    expect(routed.sort()).toEqual(ROUTES.map((r) => r.prefix).sort());
    for (const route of ROUTES) {
      const upstream = locations.get(route.prefix);
      expect({ prefix: route.prefix, placeholder: placeholders.get(upstream ?? '') }).toEqual({
        prefix: route.prefix,
        placeholder: SERVICES[route.service].upstream,
      });
    }
  });

  it('hands the exact paths of EXACT_ROUTES, and no other, to their services', () => {
    const publicServer = TEMPLATE.slice(
      TEMPLATE.indexOf('listen ${GATEWAY_PORT};'),
      TEMPLATE.indexOf('listen ${INTERNAL_GATEWAY_PORT};'),
    );
    const placeholders = servicePlaceholders();
    const exact = [...publicServer.matchAll(/location\s*=\s*(\S+)\s*\{([^}]*)\}/g)]
      .map(([, path, body]) => ({
        path: path!,
        to: /rewrite\s+\^\s+(\S+)\s+break;/.exec(body!)?.[1],
        upstream: /proxy_pass\s+http:\/\/\$([a-z_]+)/.exec(body!)?.[1],
      }))
      .filter((location) => location.upstream)
      .map(({ path, to, upstream }) => ({ path, to, placeholder: placeholders.get(upstream!) }));
    expect(exact).toEqual(
      EXACT_ROUTES.map(({ path, to, service }) => ({
        path,
        to,
        placeholder: SERVICES[service].upstream,
      })),
    );
  });

  it('sends services to each other through the internal listener, never the published port', () => {
    const internal = service('gateway').environment?.INTERNAL_GATEWAY_PORT;
    for (const name of SERVICE_NAMES.filter((n) => n !== 'auth')) {
      expect(service(app(name)).environment?.AUTH_URL).toBe(`http://gateway:${internal}/auth`);
    }
    expect(service('notifications-service').environment?.PROFILE_URL).toBe(
      `http://gateway:${internal}`,
    );
    expect(service('gateway').ports).not.toContainEqual(
      expect.objectContaining({ target: Number(internal) }),
    );
  });

  it('gives k6 the admin credentials from the secret auth-service reads', async () => {
    const k6 = service('k6');
    expect(k6.secrets?.map((x) => x.source)).toContain('admin_password');
    expect(k6.environment?.ADMIN_EMAIL).toBe(service('auth-service').environment?.ADMIN_EMAIL);
    // The entrypoint itself, run with a stand-in `k6` that prints what it was given.
    const dir = await mkdtemp(join(tmpdir(), 'dja-k6-'));
    try {
      await writeFile(join(dir, 'admin_password'), 'from-the-secret');
      await writeFile(join(dir, 'k6'), '#!/bin/sh\nprintf "%s|%s" "$ADMIN_PASSWORD" "$*"\n', {
        mode: 0o755,
      });
      // `config` keeps compose's `$$` escape; the container receives `$`.
      const [shell, ...args] = (k6.entrypoint ?? []).map((arg) =>
        arg.replaceAll('$$', '$').replaceAll('/run/secrets/', `${dir}/`),
      );
      const { stdout } = await run(shell!, [...args, 'run', '/scripts/smoke.ts'], {
        env: { PATH: `${dir}:${process.env.PATH}` },
      });
      expect(stdout).toBe('from-the-secret|run /scripts/smoke.ts');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs every service replica and the gateway on a read-only root file system', () => {
    for (const name of [...SERVICE_NAMES.map(app), 'gateway']) {
      expect({ name, readOnly: service(name).read_only }).toEqual({ name, readOnly: true });
    }
  });

  it('runs k6 against the gateway only on request (profile loadtest)', () => {
    const k6 = service('k6');
    expect(k6.profiles).toEqual(['loadtest']);
    expect(mounts(k6)).toContainEqual(
      expect.objectContaining({ source: join(ROOT, 'load-tests'), target: '/scripts' }),
    );
    expect(k6.depends_on?.gateway?.condition).toBe('service_healthy');
    // The default script is one that exists in load-tests/.
    const script = (k6.command as string[]).find((arg) => arg.startsWith('/scripts/'));
    expect(script).toBeDefined();
    expect(existsSync(join(ROOT, 'load-tests', script!.slice('/scripts/'.length)))).toBe(true);
  });
});
