import { isDependencyUnavailable } from './dependency-unavailable';

describe('isDependencyUnavailable', () => {
  it('recognises a refused connection', () => {
    expect(
      isDependencyUnavailable(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })),
    ).toBe(true);
  });

  it('recognises a database that refuses connections, as Prisma’s pg adapter reports it', () => {
    // The shape PrismaClientKnownRequestError P2010 has when the database is closed to connections.
    const error = Object.assign(new Error('Raw query failed. Code: `55000`.'), {
      name: 'PrismaClientKnownRequestError',
      code: 'P2010',
      meta: {
        driverAdapterError: {
          name: 'DriverAdapterError',
          cause: { kind: 'postgres', originalCode: '55000', code: '55000' },
        },
      },
    });
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it('recognises a server shutting down and a connection failure wrapped as a cause', () => {
    expect(isDependencyUnavailable({ code: '57P01' })).toBe(true);
    expect(isDependencyUnavailable(new Error('query failed', { cause: { code: '08006' } }))).toBe(
      true,
    );
  });

  it('leaves bugs and client mistakes alone', () => {
    expect(isDependencyUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDependencyUnavailable({ code: 'P2002' })).toBe(false); // unique violation
    expect(isDependencyUnavailable({ code: '23505' })).toBe(false);
    expect(isDependencyUnavailable(null)).toBe(false);
  });
});
