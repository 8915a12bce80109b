import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layering, read from the sources themselves: data flows intake → investigation → decision →
 * presentation → approval, and no import runs back up. The core knows no chat platform, no CLI
 * and no model provider; only the composition root reads the process environment.
 */

const SRC = resolve(import.meta.dirname, '../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

type Source = { file: string; folder: string; imports: string[]; text: string };

const FILES: Source[] = sources(SRC).map((path) => {
  const text = readFileSync(path, 'utf8');
  const file = relative(SRC, path);
  const imports = [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+'([^']+)'/gm)].map((m) => {
    const spec = m[1] ?? '';
    // Relative imports as paths under src/, packages as their names.
    return spec.startsWith('.') ? relative(SRC, resolve(path, '..', spec)) : spec;
  });
  return { file, folder: file.split('/')[0] ?? '', imports, text };
});

const CORE = ['operator', 'tools', 'store', 'domain'];

/** Where each folder may import from inside src/ (besides itself). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  domain: [],
  store: ['domain'],
  tools: ['domain', 'logger.ts'],
  operator: ['domain', 'store', 'tools', 'logger.ts', 'metrics.ts'],
};

const folderOf = (imported: string) => imported.split('/')[0] ?? '';
const isPackage = (imported: string) =>
  !imported.includes('/') || imported.startsWith('@') || !imported.endsWith('.ts');

describe('architecture', () => {
  it('finds the sources it checks', () => {
    expect(FILES.length).toBeGreaterThan(50);
    for (const folder of CORE) expect(FILES.some((f) => f.folder === folder)).toBe(true);
  });

  it('the core (operator, tools, store, domain) imports no chat platform, CLI, root or model provider', () => {
    const offending = FILES.filter((f) => CORE.includes(f.folder)).flatMap((f) =>
      f.imports
        .filter(
          (i) =>
            ['slack', 'cli', 'root', 'eval', 'providers', 'http'].includes(folderOf(i)) ||
            i === 'openai' ||
            i.startsWith('openai/') ||
            i.startsWith('@slack/'),
        )
        .map((i) => `${f.file} imports ${i}`),
    );
    expect(offending).toEqual([]);
  });

  it('each core layer imports only the layers below it', () => {
    const offending = FILES.filter((f) => CORE.includes(f.folder)).flatMap((f) =>
      f.imports
        .filter((i) => i.endsWith('.ts') && !isPackage(i))
        .filter((i) => {
          const target = folderOf(i);
          return target !== f.folder && !(MAY_IMPORT[f.folder] ?? []).includes(target);
        })
        .map((i) => `${f.file} imports ${i}`),
    );
    expect(offending).toEqual([]);
  });

  it('only the OpenAI adapter imports the openai SDK', () => {
    const offending = FILES.filter(
      (f) =>
        f.folder !== 'providers' &&
        f.imports.some((i) => i === 'openai' || i.startsWith('openai/')),
    ).map((f) => f.file);
    expect(offending).toEqual([]);
  });

  it('nothing outside the composition root reads process.env', () => {
    const offending = FILES.filter((f) => f.folder !== 'root' && /process\.env\b/.test(f.text)).map(
      (f) => f.file,
    );
    expect(offending).toEqual([]);
  });

  it('code comments point at nothing outside the repository', () => {
    const offending = FILES.filter((f) => /DESIGN\.md|\.\.\/shared\//.test(f.text)).map(
      (f) => f.file,
    );
    expect(offending).toEqual([]);
  });
});
