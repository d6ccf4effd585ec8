import { z } from 'zod';

// Control characters (C0, DEL, C1) and the Unicode line/paragraph separators: invisible in a UI,
// harmful in logs and e-mail headers.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** `en`, `fra`, `pt-BR`: a language and an optional region (a practical subset of BCP 47). */
const LOCALE = /^[a-z]{2,3}(-[A-Z]{2})?$/;

/**
 * The canonical IANA name of a time zone the runtime knows (`Europe/Paris`), or undefined.
 * `Intl.DateTimeFormat` accepts aliases and any casing (`europe/paris`); the name it resolves
 * to is what gets stored, so every profile spells a zone the same way.
 */
export function canonicalTimeZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const displayName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .refine((value) => !CONTROL_CHARACTERS.test(value), 'must not contain control characters');

const timeZone = z
  .string()
  .max(64, 'must be at most 64 characters')
  .transform((value, ctx) => {
    const canonical = canonicalTimeZone(value);
    if (canonical === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone such as Europe/Paris' });
      return z.NEVER;
    }
    return canonical;
  });

/**
 * Body of `PUT /profile/me`: the full editable profile. Optional fields left out are cleared
 * (PUT replaces); unknown fields, including `email` and `userId`, are refused.
 */
export const profileUpdate = z.strictObject({
  displayName,
  bio: z
    .string()
    .max(500, 'must be at most 500 characters')
    .refine(
      // Line breaks are fine in a bio; other control characters are not.
      (value) => !CONTROL_CHARACTERS.test(value.replace(/\r?\n/g, '')),
      'must not contain control characters other than line breaks',
    )
    .nullish(),
  locale: z.string().regex(LOCALE, 'must look like en or pt-BR').nullish(),
  timeZone: timeZone.nullish(),
});

export type ProfileUpdate = z.infer<typeof profileUpdate>;

/** The path parameter of `GET /profiles/:userId`. */
export const userIdParam = z.strictObject({ userId: z.uuid('must be a UUID') });

/**
 * The display name a new profile starts with: the name given at registration, cleaned the way
 * an edited one would be, or else the local part of the e-mail address.
 */
export function initialDisplayName(name: string | undefined | null, email: string): string {
  const fromName = displayName.safeParse(name ?? '');
  if (fromName.success) return fromName.data;
  // The catalog validated the address, so its local part is 1-64 printable characters.
  return email.slice(0, email.lastIndexOf('@')).slice(0, 100);
}
