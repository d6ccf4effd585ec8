import { NODE_FLAGS, SERVICES } from '@dja/stack';
import { argsOf, readDockerfileStages, stage } from './dockerfile';

const stages = readDockerfileStages();

describe('Dockerfile', () => {
  it('ends with the runtime stage, so a plain `docker build` gives a service image', () => {
    expect(stages.at(-1)?.name).toBe('runtime');
  });

  it('runs the service as a non-root user', () => {
    const users = argsOf(stage(stages, 'runtime'), 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });

  it('has a HEALTHCHECK that asks the service itself on its operations port, with node (no curl in the slim image)', () => {
    const [healthcheck] = argsOf(stage(stages, 'runtime'), 'HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD\s+\["node", "-e"/);
    expect(healthcheck).toMatch(
      /process\.env\.OPERATIONS_PORT \|\| 9000\) \+ '\/(readyz|healthz)'/,
    );
  });

  it('copies production dependencies only into the runtime stage', () => {
    const runtime = stage(stages, 'runtime');
    const modules = argsOf(runtime, 'COPY').find((args) => args.includes('node_modules'));
    const source = /--from=(\S+)/.exec(modules ?? '')?.[1];
    expect(source).toBeDefined();
    expect(argsOf(stage(stages, source!), 'RUN').join('\n')).toMatch(/npm (ci|prune) .*--omit=dev/);
    expect(runtime.from).not.toBe('deps');
  });

  it('builds every service bundle (Prisma clients generated first) in the build stage', () => {
    const build = argsOf(stage(stages, 'build'), 'RUN').join('\n');
    expect(build).toMatch(/nx run-many -t build/);
    for (const { app } of Object.values(SERVICES)) expect(build).toContain(app);
  });

  it('picks the service with the APP build argument', () => {
    const runtime = stage(stages, 'runtime');
    expect(argsOf(runtime, 'ARG')).toContain('APP');
    expect(argsOf(runtime, 'COPY')).toContainEqual(
      expect.stringMatching(/--from=build \/repo\/dist\/apps\/\$\{APP\} /),
    );
  });

  it('has a migrate stage with the full dependencies (the Prisma CLI is a devDependency)', () => {
    const migrate = stage(stages, 'migrate');
    expect(migrate.from).toBe('deps');
    expect(argsOf(stage(stages, 'deps'), 'RUN').join('\n')).toMatch(/npm ci(?!.*--omit)/);
    for (const { app } of Object.values(SERVICES)) {
      expect(argsOf(migrate, 'COPY')).toContainEqual(`apps/${app}/prisma apps/${app}/prisma`);
    }
  });

  it('runs the bundle with the node flags of the local stack (compose and Kubernetes use this CMD)', () => {
    const [cmd] = argsOf(stage(stages, 'runtime'), 'CMD');
    expect(JSON.parse(cmd!)).toEqual(['node', ...NODE_FLAGS, 'dist/main.js']);
  });

  it('starts through the entrypoint that loads *_FILE secrets', () => {
    for (const name of ['runtime', 'migrate']) {
      expect(argsOf(stage(stages, name), 'ENTRYPOINT')).toEqual(['["/usr/local/bin/entrypoint"]']);
    }
  });
});
