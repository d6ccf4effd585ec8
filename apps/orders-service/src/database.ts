import { forgetQueryCompilerSourceOnceConnected } from '@dja/http';
import { PrismaPg } from '@prisma/adapter-pg';
import { Prisma, PrismaClient } from './generated/prisma/client';

export type Database = PrismaClient;
/** The client handed to the callback of `db.$transaction(async (tx) => …)`. */
export type Transaction = Prisma.TransactionClient;

export function connectDatabase(url: string): Database {
  return forgetQueryCompilerSourceOnceConnected(
    new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) }),
  );
}

/** True when `error` is the unique-constraint violation Prisma reports as P2002. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
