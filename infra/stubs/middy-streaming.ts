/**
 * Stands in for `node:stream/web` and `node:stream/promises` in function bundles (see
 * infra/bundling.ts).
 *
 * @middy/core imports ReadableStream and pipeline at its top level for one purpose:
 * response streaming (`streamifyResponse`), which the hub never enables. Importing the real
 * modules makes Node load its web-streams implementation and timers/promises during every
 * cold start. This stub keeps those imports free and fails loudly if streaming is switched on.
 */

const STREAMING_OFF =
  'response streaming is stubbed out of this bundle (infra/bundling.ts); remove the stub before using it';

export class ReadableStream {
  constructor() {
    throw new Error(STREAMING_OFF);
  }
}

export function pipeline(): never {
  throw new Error(STREAMING_OFF);
}
