import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProblemError, serviceUnavailable } from './errors';

describe('the problem type', () => {
  it('imports nothing, so libs/auth gains no dependency by answering with it', () => {
    const source = readFileSync(join(__dirname, 'errors.ts'), 'utf8');
    expect(source.match(/^\s*(import|export .* from)\b.*$/gm)).toBeNull();
  });

  it('answers RFC 9457 members in one order, with extensions after them', () => {
    const problem = new ProblemError(422, {
      code: 'validation_failed',
      title: 'Invalid',
      detail: 'no',
      extensions: { errors: [] },
    });
    expect(Object.keys(problem.toResponse().body as object)).toEqual([
      'type',
      'title',
      'status',
      'detail',
      'errors',
    ]);
  });

  it('says when to retry a 503', () => {
    expect(serviceUnavailable('down', 7).toResponse().headers).toEqual({ 'Retry-After': '7' });
  });
});
