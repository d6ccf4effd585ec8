import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { ROOT } from '../repository';

/**
 * A service's own configuration schema (apps/<app>/src/config.ts), loaded by path: deployments
 * are checked against the one place each setting is defined, and only tests reach into apps.
 */
export function configSchemaOf(app: string): z.ZodObject {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(join(ROOT, 'apps', app, 'src/config.ts')) as {
    configSchema?: z.ZodObject;
  };
  if (!module.configSchema) throw new Error(`apps/${app}/src/config.ts exports no configSchema`);
  return module.configSchema;
}

/** The variables a schema cannot do without: those with no default that are not optional. */
export function requiredVariables(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape)
    .filter(([, field]) => !(field as z.ZodType).safeParse(undefined).success)
    .map(([name]) => name);
}

/** The value a schema gives a variable nobody sets. */
export function defaultOf(schema: z.ZodObject, variable: string): unknown {
  const field = schema.shape[variable] as z.ZodType | undefined;
  if (!field) throw new Error(`the schema has no ${variable}`);
  return field.parse(undefined);
}

/**
 * The variables the images' entrypoint (infra/docker/entrypoint.sh) reads from a file:
 * NAME_FILE=/path sets NAME to the file's content.
 */
export function fileVariables(): string[] {
  const script = readFileSync(join(ROOT, 'infra/docker/entrypoint.sh'), 'utf8');
  const list = /^for name in ([A-Z_ ]+); do$/m.exec(script)?.[1];
  if (!list) throw new Error('infra/docker/entrypoint.sh: no `for name in ...; do` list found');
  return list.trim().split(/\s+/);
}
