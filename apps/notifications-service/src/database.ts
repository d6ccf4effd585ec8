import { forgetQueryCompilerSourceOnceConnected } from '@dja/http';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

export type Database = PrismaClient;

export function connectDatabase(url: string): Database {
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  forgetQueryCompilerSourceOnceConnected(db);
  return db;
}
