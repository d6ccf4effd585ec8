import { forgetQueryCompilerSourceOnceConnected } from '@dja/http';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

export type Database = PrismaClient;

export function connectDatabase(url: string): Database {
  return forgetQueryCompilerSourceOnceConnected(
    new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) }),
  );
}
