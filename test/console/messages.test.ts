import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The console's message files: every key in Russian, Kazakh and English, with the same
 * placeholders, and every key the page asks for by name exists (English is only a fallback).
 */

const ROOT = join(__dirname, '..', '..', 'console');
const load = (lang: string): Record<string, string> => JSON.parse(readFileSync(join(ROOT, 'messages', `${lang}.json`), 'utf8')) as Record<string, string>;
const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
}

describe('console messages', () => {
  const en = load('en');
  const ru = load('ru');
  const kk = load('kk');

  it('has the same keys in Russian, Kazakh and English, none empty', () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(kk).sort()).toEqual(Object.keys(en).sort());
    for (const m of [en, ru, kk]) expect(Object.entries(m).filter(([, v]) => v.trim() === '')).toEqual([]);
  });

  it('uses the same placeholders in every language', () => {
    const differ = Object.keys(en).filter((k) => placeholders(ru[k] ?? '').join() !== placeholders(en[k]!).join() || placeholders(kk[k] ?? '').join() !== placeholders(en[k]!).join());
    expect(differ).toEqual([]);
  });

  it('has every key the page names literally, and Kazakh is not English copied', () => {
    const used = new Set<string>();
    for (const f of sources(join(ROOT, 'src'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\bt\('([a-zA-Z]+\.[\w.]+|[a-z]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(50);
    expect([...used].filter((k) => !(k in en))).toEqual([]);
    // Names, codes and file extensions are the same in every language; prose must be translated.
    const same = Object.keys(en).filter((k) => kk[k] === en[k] && /[a-z]{4,} [a-z]{4,}/i.test(en[k]!));
    expect(same).toEqual([]);
  });
});
