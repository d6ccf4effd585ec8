import type { z } from 'zod';
import { ProblemError } from './errors';

export interface FieldError {
  field: string;
  message: string;
}

/** Parses untrusted input, or throws a 400 problem that names every invalid field. */
export function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what = 'body',
): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : what,
    message: issue.message,
  }));
  throw new ProblemError(400, {
    code: 'validation_failed',
    title: 'Invalid request',
    detail: `Invalid ${errors.map((e) => e.field).join(', ')}.`,
    extensions: { errors },
  });
}
