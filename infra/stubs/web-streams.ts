/**
 * Stands in for `node:stream/web` in function bundles (see infra/bundling.ts).
 *
 * @middy/core imports ReadableStream at its top level for one purpose: response streaming
 * (`streamifyResponse`), which the hub never enables. Importing the real module makes Node
 * load its whole web-streams implementation during every cold start. This stub keeps the
 * import cheap and fails loudly if streaming is ever switched on.
 */
export class ReadableStream {
  constructor() {
    throw new Error(
      'node:stream/web is stubbed out of this bundle (infra/bundling.ts); enable it before streaming responses',
    );
  }
}
