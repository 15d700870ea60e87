import * as z from 'zod/mini';

/**
 * For routes that take no body (authorize): an empty JSON object or nothing. In its own
 * module so that such a function does not build, at cold start, schemas it never uses.
 */
export const NoBody = z.object({});
