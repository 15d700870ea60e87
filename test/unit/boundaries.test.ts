/**
 * The provider boundaries, read from the source files (no network):
 *   - the domain (shared/domain/**, a provider's own domain folder included) imports nothing
 *     from shared/providers/: domain code knows no transport;
 *   - under infra/, only the providers manifest (infra/providers.ts) and the simulators
 *     (infra/local/simulators/) name a provider, comments included: the rest loops over the
 *     manifest, so that adding a provider is adding an entry there.
 * Each failure names the file and line.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROVIDER_NAMES } from '../../infra/providers.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every provider name the hub has or will have (Lyra's brands included), matched case-insensitively. */
const PROVIDER_WORDS = /affirm|lyra|snipcart|payzen|systempay/i;

/** Repository-relative paths (forward slashes) of the .ts files under `folder`. */
function tsFiles(folder: string): string[] {
  return readdirSync(join(PROJECT_ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => `${folder}/${file.split(sep).join('/')}`)
    .sort();
}

const lineOf = (text: string, position: number) => text.slice(0, position).split('\n').length;

/** `file:line: specifier` for every import (static, dynamic, re-export) of `file` that resolves into shared/providers/. */
function providerImports(file: string): string[] {
  const text = readFileSync(join(PROJECT_ROOT, file), 'utf8');
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.filter(({ fileName }) => {
      const target = fileName.startsWith('#shared/')
        ? join(PROJECT_ROOT, 'shared', fileName.slice('#shared/'.length))
        : fileName.startsWith('.')
          ? resolve(PROJECT_ROOT, dirname(file), fileName)
          : undefined;
      return (
        target !== undefined &&
        relative(PROJECT_ROOT, target).split(sep).join('/').startsWith('shared/providers/')
      );
    })
    .map(({ fileName, pos }) => `${file}:${lineOf(text, pos)}: imports ${fileName}`);
}

/**
 * Function names the HTTP contract (API.md's route table) itself gives, provider word included:
 * naming them is naming a function, not a provider.
 */
const CONTRACT_FUNCTION_NAMES = /'snipcart-(payment-methods|payment|refund)'/g;

/** `file:line: text` for every line of `file` that names a provider. */
function providerMentions(file: string): string[] {
  return readFileSync(join(PROJECT_ROOT, file), 'utf8')
    .split('\n')
    .flatMap((line, i) =>
      PROVIDER_WORDS.test(line.replace(CONTRACT_FUNCTION_NAMES, ''))
        ? [`${file}:${i + 1}: ${line.trim()}`]
        : [],
    );
}

/** A subfolder of shared/domain/ named after a provider holds that provider's domain code. */
const inProviderFolder = (file: string) =>
  PROVIDER_NAMES.some((name) => file.startsWith(`shared/domain/${name}/`));

describe('provider boundaries', () => {
  const domain = tsFiles('shared/domain');

  it('keeps the neutral domain (shared/domain outside provider folders) free of shared/providers imports', () => {
    const neutral = domain.filter((file) => !inProviderFolder(file));
    // The check reads real files: the saga, the order and the ports are among them.
    expect(neutral).toEqual(
      expect.arrayContaining([
        'shared/domain/operations.ts',
        'shared/domain/order.ts',
        'shared/domain/ports.ts',
      ]),
    );
    expect(neutral.flatMap(providerImports)).toEqual([]);
  });

  it("keeps each provider's domain folder free of shared/providers imports (domain code has no transport)", () => {
    const providerDomain = domain.filter(inProviderFolder);
    expect(providerDomain.length).toBeGreaterThan(0);
    expect(providerDomain.flatMap(providerImports)).toEqual([]);
  });

  it('names providers under infra/ only in the providers manifest and the simulators', () => {
    const files = tsFiles('infra');
    const checked = files.filter(
      (file) => file !== 'infra/providers.ts' && !file.startsWith('infra/local/simulators/'),
    );
    expect(checked).toEqual(
      expect.arrayContaining([
        'infra/stack.ts',
        'infra/routes.ts',
        'infra/local/stack.ts',
        'infra/local/start.ts',
      ]),
    );
    expect(checked.flatMap(providerMentions)).toEqual([]);
    // The word list covers every provider of the manifest.
    expect(PROVIDER_NAMES.length).toBeGreaterThan(0);
    for (const name of PROVIDER_NAMES) expect(PROVIDER_WORDS.test(name), name).toBe(true);
  });
});
