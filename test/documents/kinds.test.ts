import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createAjv, SCHEMA_DIR } from '../../src/documents/ajv';
import { DOCUMENT_KINDS, DOCUMENT_TYPES } from '../../src/documents/kinds';
import type { DocumentKindSpec } from '../../src/documents/kinds/kind';
import type { DocumentType } from '../../src/documents/types';
import { createDocumentValidators } from '../../src/documents/validators';
import { Art50Error } from '../../src/errors';
import { LOG_EVENTS } from '../../src/log/entry';
import { readLuaScript } from '../../src/store/lua-loader';

const REPO = resolve(SCHEMA_DIR, '..');
type Json = Record<string, unknown>;
const readJson = (file: string): Json => JSON.parse(readFileSync(file, 'utf8')) as Json;
const example = (name: string): Json => readJson(join(SCHEMA_DIR, 'examples', `${name}.json`));

/** A schema-valid document of each kind: the examples, and a header for the example statement. */
function validDocument(type: DocumentType): Json {
  if (type !== 'statement-header') return example(type);
  const s = example('statement');
  return {
    type, version: 1, statementId: s.statementId, requestId: s.requestId, requestDigest: s.requestDigest, bank: s.bank,
    generatedAt: s.generatedAt, result: s.result, counts: { accounts: 1, movements: 2 },
    digests: { statement: 'a'.repeat(64), signedStatement: 'b'.repeat(64), ciphertext: 'c'.repeat(64) },
  };
}

describe('document kinds (src/documents/kinds/)', () => {
  it.each(DOCUMENT_TYPES)('%s: its schema and its store script exist and fit the descriptor', (type) => {
    const kind = DOCUMENT_KINDS[type];
    expect(kind.type).toBe(type);
    const schema = readJson(join(SCHEMA_DIR, `${type}.schema.json`));
    expect(schema.$id).toEqual(expect.stringMatching(new RegExp(`/${type}\\.schema\\.json$`)));
    expect((schema.properties as Json).type).toEqual({ const: type });
    // '' is a kind stored by no script of its own (kinds/kind.ts); every kind today names one.
    if (kind.store === '') return;
    expect(kind.store).toMatch(/^src\/.+\.lua$/);
    const store = resolve(REPO, kind.store);
    expect(existsSync(store)).toBe(true);
    // The loader checks the script's name and its header (KEYS, ARGV, Result).
    expect(readLuaScript(store).numberOfKeys).toBeGreaterThan(0);
  });

  it('the log entry schema lists exactly the events of LOG_EVENTS, each once', () => {
    const schema = readJson(join(SCHEMA_DIR, 'log-entry.schema.json'));
    const listed = ((schema.properties as Json).event as { enum: string[] }).enum;
    expect(new Set(LOG_EVENTS).size).toBe(LOG_EVENTS.length);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...LOG_EVENTS].sort());
    for (const type of DOCUMENT_TYPES) for (const event of DOCUMENT_KINDS[type].events) expect(LOG_EVENTS).toContain(event);
  });

  it.each(DOCUMENT_TYPES)('%s: the validator runs the afterSchema check its descriptor declares', (type) => {
    const kind = DOCUMENT_KINDS[type] as DocumentKindSpec<{ type: string }>;
    const original = Object.getOwnPropertyDescriptor(kind, 'afterSchema');
    const seen: unknown[] = [];
    Object.defineProperty(kind, 'afterSchema', {
      configurable: true,
      value: (doc: { type: string }) => {
        seen.push(doc.type);
        throw new Art50Error('document.schema', 'refused by the test check', { field: '/' });
      },
    });
    try {
      const validate = createDocumentValidators(createAjv())[type];
      expect(() => validate(validDocument(type))).toThrow('refused by the test check');
      expect(seen).toEqual([type]);
    } finally {
      if (original) Object.defineProperty(kind, 'afterSchema', original);
      else Reflect.deleteProperty(kind, 'afterSchema');
    }
    // And without the injected check the document is valid again.
    expect(createDocumentValidators(createAjv())[type](validDocument(type)).type).toBe(type);
  });
});
