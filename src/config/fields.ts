import { z } from 'zod';

/**
 * Field schemas shared by every environment variable: blank means unset, numbers are whole and in
 * range, and each message says what a valid value looks like.
 */

export const blankToUndefined = (v: unknown) =>
  typeof v === 'string' && v.trim() === '' ? undefined : v;

export const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());

export const intInRange = (fallback: number, min: number, max: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: `must be a whole number from ${min} to ${max}` })
      .int(`must be a whole number from ${min} to ${max}`)
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .default(fallback),
  );

/** A whole number in range, or unset (no default: the value is only sent when set). */
export const optionalIntInRange = (min: number, max: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: `must be a whole number from ${min} to ${max}` })
      .int(`must be a whole number from ${min} to ${max}`)
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .optional(),
  );

/** true/false (also 1/0, yes/no), with a default when unset. */
export const booleanWithDefault = (fallback: boolean) =>
  z.preprocess(
    (v) => {
      const t = typeof v === 'string' ? v.trim().toLowerCase() : v;
      if (t === undefined || t === '') return fallback;
      if (t === 'true' || t === '1' || t === 'yes') return true;
      if (t === 'false' || t === '0' || t === 'no') return false;
      return t;
    },
    z.boolean({ error: 'must be true or false' }),
  );
