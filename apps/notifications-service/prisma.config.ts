import { defineConfig } from 'prisma/config';

// Configures the Prisma CLI only (generate, migrate). The service itself connects through
// @prisma/adapter-pg with the DATABASE_URL from its validated configuration.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
