/**
 * How every function is bundled, in one place: the CDK stack passes these options to
 * NodejsFunction (esbuild, no Docker), and `npm run bench` bundles its comparison floor
 * with the same esbuild settings. Everything is bundled, the AWS SDK included: one
 * minified ESM file loads faster than the runtime's unbundled SDK.
 *
 * Measured choices (npm run bench, and the experiments in the commit history):
 *   - names are minified (no keepNames): smaller and faster for the SDK and the hub alike;
 *     every error class the hub matches on sets its `name` explicitly, as the SDK's do;
 *   - `node:stream/web` and `node:stream/promises` are replaced by a stub
 *     (infra/stubs/middy-streaming.ts): @middy/core imports them only for response streaming,
 *     which the hub does not use, and loading them pulls Node's web-streams implementation and
 *     timers/promises into every cold start.
 */

import { fileURLToPath } from 'node:url';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

const STREAMING_STUB = fileURLToPath(new URL('./stubs/middy-streaming.ts', import.meta.url));

/** The modules replaced by the stub, and the only package allowed to import them (checked by the infra tests). */
export const STUBBED_MODULES = {
  modules: ['node:stream/web', 'node:stream/promises'],
  onlyImportedBy: '@middy/core',
} as const;

/** ESM bundles still meet CommonJS dependencies that call require(); give them one. */
export const ESM_REQUIRE_SHIM =
  "import{createRequire as __hubRequire}from'module';const require=__hubRequire(import.meta.url);";

export const BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node22',
  platform: 'node',
  minify: true,
  keepNames: false,
  sourceMap: false,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_SHIM,
  externalModules: [] as string[],
  esbuildArgs: { '--alias:node:stream/web': STREAMING_STUB, '--alias:node:stream/promises': STREAMING_STUB },
} as const;

/** The same settings in esbuild's own API, for bundles built outside CDK (the bench floor). */
export const ESBUILD_OPTIONS: BuildOptions = {
  bundle: true,
  format: 'esm',
  target: BUNDLING.target,
  platform: 'node',
  minify: BUNDLING.minify,
  keepNames: BUNDLING.keepNames,
  mainFields: [...BUNDLING.mainFields],
  banner: { js: BUNDLING.banner },
  alias: { 'node:stream/web': STREAMING_STUB, 'node:stream/promises': STREAMING_STUB },
};
