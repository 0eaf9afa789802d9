import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Art50Error } from '../errors';

/**
 * The gateway's data keys: AES-256-GCM keys that encrypt what it stores of requests and sanctions
 * (the signed documents carry the subject's IIN, names and known IBANs), so a copy of Redis — its
 * AOF, an RDB snapshot, a backup — reads as ciphertext. Each value names the key that sealed it,
 * so keys rotate: the first key of the keyring seals, every key listed opens.
 *
 * Keyring text (ART50_DATA_KEY_FILE, or the value of ART50_DATA_KEYS): one key a line,
 * `<keyId> <base64 of 32 random bytes>`, current key first; blank lines and `#` comments ignored.
 *
 * Sealed value: 0xA5 | version 1 | keyId length | keyId (ASCII) | nonce (12) | tag (16) | ciphertext.
 * The AAD is the value's place (e.g. `req:<requestId>:cms`): a value moved to another request does
 * not open. A value starting 0x30 (DER, stored before encryption was configured) is read as is and
 * re-encrypted by the rotation pass.
 */

const MAGIC = 0xa5;
const VERSION = 1;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface DataKey {
  id: string;
  key: Buffer;
}

/**
 * Random bytes handed out from a 4 KiB block: one randomBytes call per ~340 nonces instead of one
 * per seal (a call costs about 5 µs; two seals per request + sanction pair). Bytes are never handed
 * out twice, and a spent block is replaced, not refilled, so a nonce already taken keeps its bytes.
 */
class RandomPool {
  private block = Buffer.alloc(0);
  private at = 0;

  take(n: number): Buffer {
    if (this.at + n > this.block.length) {
      this.block = randomBytes(4096);
      this.at = 0;
    }
    const out = this.block.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
}

export class DataKeyring {
  private readonly byId: Map<string, Buffer>;
  private readonly nonces = new RandomPool();

  constructor(readonly keys: readonly DataKey[]) {
    if (keys.length === 0) throw new Art50Error('config.invalid', 'the data keyring holds no key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
    if (this.byId.size !== keys.length) throw new Art50Error('config.invalid', 'the data keyring lists a key id twice');
  }

  get currentId(): string {
    return this.keys[0]!.id;
  }

  static parse(text: string, what: string): DataKeyring {
    const keys: DataKey[] = [];
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.replace(/#.*$/, '').trim();
      if (!line) return;
      const [id, b64, extra] = line.split(/\s+/);
      const key = b64 ? Buffer.from(b64, 'base64') : Buffer.alloc(0);
      if (!id || !KEY_ID.test(id) || extra !== undefined || key.length !== 32) {
        throw new Art50Error('config.invalid', `${what} line ${i + 1}: expected "<keyId> <base64 of 32 bytes>"`);
      }
      keys.push({ id, key });
    });
    return new DataKeyring(keys);
  }

  static load(src: { file?: string; text?: string }): DataKeyring {
    if (src.text !== undefined) return DataKeyring.parse(src.text, 'ART50_DATA_KEYS');
    if (!src.file) throw new Art50Error('config.invalid', 'no data key: set ART50_DATA_KEY_FILE or ART50_DATA_KEYS');
    let text: string;
    try {
      text = readFileSync(src.file, 'utf8');
    } catch (e) {
      throw new Art50Error('config.unreadable', `the data key file ${src.file} cannot be read: ${(e as Error).message}`);
    }
    return DataKeyring.parse(text, src.file);
  }

  /** A new keyring line for `art50`-less setups: `<id> <base64>`. */
  static newKeyLine(id: string): string {
    return `${id} ${randomBytes(32).toString('base64')}`;
  }

  seal(plain: Buffer, place: string): Buffer {
    const { id, key } = this.keys[0]!;
    const nonce = this.nonces.take(12);
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(Buffer.from(place, 'utf8'));
    const ct = c.update(plain);
    c.final(); // GCM adds no bytes at the end
    const head = 3 + id.length;
    const out = Buffer.allocUnsafe(head + 28 + ct.length);
    out[0] = MAGIC;
    out[1] = VERSION;
    out[2] = id.length;
    out.write(id, 3, 'ascii');
    nonce.copy(out, head);
    c.getAuthTag().copy(out, head + 12);
    ct.copy(out, head + 28);
    return out;
  }

  /** True when any key of this keyring is also a key of `other` (same bytes, whatever its id). */
  sharesKeyWith(other: DataKeyring): boolean {
    return this.keys.some((a) => other.keys.some((b) => a.key.equals(b.key)));
  }

  /** The key id a stored value was sealed with; undefined for a value stored in clear. */
  keyIdOf(value: Buffer): string | undefined {
    if (value[0] !== MAGIC) return undefined;
    return value.subarray(3, 3 + value[2]!).toString('ascii');
  }

  open(value: Buffer, place: string): Buffer {
    if (value[0] !== MAGIC) return value;
    if (value[1] !== VERSION || value.length < 3 + value[2]! + 28) throw new Art50Error('config.invalid', `stored value at ${place} is not a sealed value this gateway reads`);
    const id = this.keyIdOf(value)!;
    const key = this.byId.get(id);
    if (!key) throw new Art50Error('config.invalid', `stored value at ${place} is sealed with data key "${id}", which is not in the keyring`);
    const at = 3 + value[2]!;
    try {
      const d = createDecipheriv('aes-256-gcm', key, value.subarray(at, at + 12));
      d.setAAD(Buffer.from(place, 'utf8'));
      d.setAuthTag(value.subarray(at + 12, at + 28));
      return Buffer.concat([d.update(value.subarray(at + 28)), d.final()]);
    } catch {
      throw new Art50Error('config.invalid', `stored value at ${place} does not authenticate under data key "${id}"`);
    }
  }
}
