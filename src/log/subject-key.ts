import { hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Art50Error } from '../errors';

/**
 * The key of the keyed hash that stands for a subject's IIN in the log (so an auditor can count
 * requests per subject without the log holding an IIN). Derived with HKDF-SHA-256 from a secret of
 * its own — not from the seal key — so that rotating the seal key does not change it and the seal
 * key is used for sealing only. Rotating this secret starts new subject hashes: entries before and
 * after the rotation no longer link (docs/operations.md).
 */

const HEADER = '# art50 subject-key secret: base64 of 32 random bytes (docs/operations.md)\n';

/** The secret file's content: one line of base64, 32 bytes. */
export function newSubjectSecretFile(): string {
  return HEADER + randomBytes(32).toString('base64') + '\n';
}

export function parseSubjectSecret(text: string, source: string): Buffer {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('#'));
  const secret = line ? Buffer.from(line, 'base64') : Buffer.alloc(0);
  if (secret.length < 32) throw new Art50Error('config.invalid', `${source}: the subject-key secret must be base64 of at least 32 bytes`);
  return secret;
}

export function loadSubjectSecret(src: { text: string } | { file: string }): Buffer {
  if ('text' in src) return parseSubjectSecret(src.text, 'ART50_SUBJECT_KEY');
  let text: string;
  try {
    text = readFileSync(src.file, 'utf8');
  } catch (e) {
    throw new Art50Error('config.unreadable', `the subject-key secret file ${src.file} cannot be read (ART50_SUBJECT_KEY_FILE; art50 pki init writes one)`, { cause: e });
  }
  return parseSubjectSecret(text, src.file);
}

/** HKDF-SHA-256(secret, salt "art50", info "log subject key v1") → 32 bytes. */
export function deriveSubjectKey(secret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'art50', 'log subject key v1', 32));
}
