import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../passwords/passwords';

/** Trimmed and lower-cased, so `Ann@Example.com ` and `ann@example.com` are one account. */
export const email = z.string().trim().toLowerCase().max(254).pipe(z.email());

/** No composition rules (OWASP, NIST 800-63B): length is what makes a password strong. */
export const password = z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH);

export const registration = z.object({
  email,
  password,
  name: z.string().trim().min(1).max(200).optional(),
});

export const credentials = z.object({
  email,
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
});
