/**
 * zod/mini issues -> per-field errors a POS developer can act on. zod/mini ships no
 * message locale (that keeps it light), so messages are written here from issue codes.
 */

import type * as z from 'zod/mini';
import { type FieldError, ValidationError } from '../errors.ts';

type Issue = z.core.$ZodIssue;

export function issuePath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text ? `.${String(segment)}` : String(segment);
  }
  return text || '(body)';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function describe(issue: Issue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (valueAt(input, issue.path) === undefined) return 'is required';
      // A field that must not be sent (z.never) says why, where the schema declares it.
      return issue.expected === 'never' ? issue.message : `must be ${article(issue.expected)}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `must be at least ${issue.minimum} characters`
        : issue.origin === 'array'
          ? `must have at least ${issue.minimum} items`
          : `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `must be at most ${issue.maximum} characters`
        : issue.origin === 'array'
          ? `must have at most ${issue.maximum} items`
          : `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    case 'invalid_format':
      return issue.format === 'regex' ? 'has an invalid format' : `must be a valid ${issue.format}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      // custom refinements and unions carry the message given where the schema is declared
      return issue.message && issue.message !== 'Invalid input' ? issue.message : 'is not valid';
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

export function fieldErrors(issues: readonly Issue[], input: unknown): FieldError[] {
  return issues.map((issue) => ({ path: issuePath(issue.path), message: describe(issue, input) }));
}

/** Parses `input` with `schema` or throws VALIDATION_FAILED listing every field that is wrong. */
export function validate<T>(schema: z.ZodMiniType<T>, input: unknown, what = 'The request body'): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(`${what} is not valid.`, fieldErrors(result.error.issues, input));
}
