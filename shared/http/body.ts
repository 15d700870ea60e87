/**
 * Request bodies: size limit first, then content type (JSON, or form-urlencoded where a
 * route accepts it), then parsing, then the route's schema. Every failure is a 4xx problem
 * raised before the handler runs, so bad input never changes state.
 */

import type { MiddlewareObj } from '@middy/core';
import type * as z from 'zod/mini';
import { HubError } from '../errors.ts';
import { type HttpEvent, type HttpResult, type HubContext, header } from './types.ts';
import { validate } from './validation.ts';

/** POS and back-office bodies are small; 256 KiB leaves room for an order of several hundred lines. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

export type BodyFormat = 'json' | 'form';

export interface BodyOptions<T> {
  /** The schema, or a function choosing it from the route (one function serving several routes). */
  schema: z.ZodMiniType<T> | ((event: HttpEvent) => z.ZodMiniType<T>);
  formats?: BodyFormat[];
  maxBytes?: number;
}

function formatOf(contentType: string | undefined): BodyFormat | 'other' | undefined {
  if (!contentType) return undefined;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type)) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  return 'other';
}

/** Decodes the body of an API Gateway event (HTTP APIs base64-encode non-text bodies, form posts included). */
export function rawBodyOf(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/**
 * Refuses with 413 PAYLOAD_TOO_LARGE a body over `maxBytes` (decoded). parseBody checks this itself;
 * endpoint() also runs it on its own before a signature check, so an oversized body costs no HMAC.
 */
export function bodySizeLimit(
  maxBytes = DEFAULT_MAX_BODY_BYTES,
): MiddlewareObj<HttpEvent, HttpResult, Error, HubContext> {
  return { before: (request) => void checkSize(rawBodyOf(request.event), maxBytes) };
}

function checkSize(bytes: Buffer, maxBytes: number): void {
  if (bytes.length > maxBytes) {
    throw new HubError('PAYLOAD_TOO_LARGE', `The body is ${bytes.length} bytes; the limit is ${maxBytes}.`);
  }
}

export function parseBody<T>(
  options: BodyOptions<T>,
): MiddlewareObj<HttpEvent, HttpResult, Error, HubContext> {
  const formats = options.formats ?? ['json'];
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  return {
    before: (request) => {
      const event = request.event;
      const bytes = rawBodyOf(event);
      checkSize(bytes, maxBytes);
      const text = bytes.toString('utf8');
      const declared = formatOf(header(event, 'content-type'));
      let value: unknown = {};
      if (text.trim() !== '') {
        // A body must say what it is: without a Content-Type it is refused, never guessed (docs/api-additions.md).
        if (declared === undefined || declared === 'other' || !formats.includes(declared)) {
          throw new HubError(
            'UNSUPPORTED_MEDIA_TYPE',
            `Send the body as ${formats.map(mediaType).join(' or ')}, with that Content-Type.`,
          );
        }
        value = declared === 'json' ? parseJson(text) : Object.fromEntries(new URLSearchParams(text));
      }
      const schema = typeof options.schema === 'function' ? options.schema(event) : options.schema;
      const parsed = validate(schema, value);
      Object.assign(event, { body: parsed, rawBody: text });
    },
  };
}

function mediaType(format: BodyFormat): string {
  return format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HubError('MALFORMED_BODY', 'The body is not valid JSON.');
  }
}
