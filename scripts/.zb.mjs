import { build } from 'esbuild';
import { ESBUILD_OPTIONS } from '/work/main/infra/bundling.ts';

await build({
  ...ESBUILD_OPTIONS,
  entryPoints: ['/tmp/zb/z.ts'],
  bundle: true,
  outfile: '/tmp/zb/z.mjs',
  logLevel: 'silent',
});
