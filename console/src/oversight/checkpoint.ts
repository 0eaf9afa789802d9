import { child, Node, oid, read } from '../der';
import { equalBytes } from './merkle';

/**
 * A signed checkpoint checked in the browser: the gateway seals it as CMS SignedData (content
 * attached, signed attributes, SHA-256, the seal certificate included — src/log/checkpoint.ts);
 * here the signature is verified with WebCrypto and the body is read from the signed bytes only.
 * The certificate path to the NCA root is the CLI's job (`art50 audit verify`); the page pins the
 * seal key it saw first (witness-store.ts) and reports any other.
 */

export interface CheckpointBody {
  origin: string;
  treeSize: number;
  rootHash: string;
  time: string;
}

export interface VerifiedCheckpoint {
  body: CheckpointBody;
  /** Base64 of the SHA-256 of the seal certificate's SubjectPublicKeyInfo. */
  sealKey: string;
}

export class CheckpointError extends Error {
  constructor(readonly reason: 'malformed' | 'digest' | 'signature' | 'algorithm') {
    super(`checkpoint ${reason}`);
  }
}

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  messageDigest: '1.2.840.113549.1.9.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsa: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
};

const b64 = (b: Uint8Array): string => btoa(String.fromCharCode(...b));

/** ECDSA-Sig-Value (DER) → r||s, the form WebCrypto verifies. */
function ecdsaRaw(der: Uint8Array, size: number): Uint8Array {
  const sig = read(der);
  const out = new Uint8Array(size * 2);
  [child(sig, 0), child(sig, 1)].forEach((n, k) => {
    let v = n.value;
    while (v.length > size && v[0] === 0) v = v.subarray(1);
    if (v.length > size) throw new CheckpointError('signature');
    out.set(v, size * (k + 1) - v.length);
  });
  return out;
}

async function verifyWith(spki: Node, sigAlg: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const keyAlg = child(spki, 0);
  const kind = oid(child(keyAlg, 0));
  if (kind === OID.ecPublicKey && sigAlg === OID.ecdsaWithSha256) {
    const curve = oid(child(keyAlg, 1));
    const namedCurve = curve === OID.p256 ? 'P-256' : curve === OID.p384 ? 'P-384' : '';
    if (!namedCurve) throw new CheckpointError('algorithm');
    const key = await crypto.subtle.importKey('spki', spki.der.slice(), { name: 'ECDSA', namedCurve }, false, ['verify']);
    return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, ecdsaRaw(signature, namedCurve === 'P-256' ? 32 : 48).slice(), data.slice());
  }
  if (kind === OID.rsa && (sigAlg === OID.sha256WithRsa || sigAlg === OID.rsa)) {
    const key = await crypto.subtle.importKey('spki', spki.der.slice(), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    return crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, signature.slice(), data.slice());
  }
  throw new CheckpointError('algorithm');
}

function parseBody(bytes: Uint8Array): CheckpointBody {
  const v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Partial<CheckpointBody>;
  if (typeof v.origin !== 'string' || !Number.isSafeInteger(v.treeSize) || typeof v.rootHash !== 'string' || typeof v.time !== 'string') throw new CheckpointError('malformed');
  return v as CheckpointBody;
}

export async function verifyCheckpoint(der: Uint8Array): Promise<VerifiedCheckpoint> {
  let sd: Node;
  let content: Uint8Array;
  try {
    const ci = read(der);
    if (oid(child(ci, 0)) !== OID.signedData) throw new CheckpointError('malformed');
    sd = child(child(ci, 1), 0);
    content = child(child(child(sd, 2), 1), 0).value;
  } catch (e) {
    throw e instanceof CheckpointError ? e : new CheckpointError('malformed');
  }
  const certs = sd.children!.find((n) => n.tag === 0xa0)?.children ?? [];
  const infos = sd.children!.at(-1)?.children ?? [];
  if (infos.length !== 1 || certs.length === 0) throw new CheckpointError('malformed');
  const si = infos[0]!;
  const sid = child(si, 1);
  const cert = certs.find((c) => {
    const tbs = child(c, 0);
    const v = child(tbs, 0).tag === 0xa0 ? 1 : 0;
    return sid.tag === 0x30 && equalBytes(child(tbs, 2 + v).der, child(sid, 0).der) && equalBytes(child(tbs, v).der, child(sid, 1).der);
  });
  if (!cert) throw new CheckpointError('malformed');
  if (oid(child(child(si, 2), 0)) !== OID.sha256) throw new CheckpointError('algorithm');
  const attrs = child(si, 3);
  if (attrs.tag !== 0xa0) throw new CheckpointError('malformed');
  const md = attrs.children!.find((a) => oid(child(a, 0)) === OID.messageDigest);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', content.slice()));
  if (!md || !equalBytes(child(child(md, 1), 0).value, digest)) throw new CheckpointError('digest');
  const signedAttrs = attrs.der.slice();
  signedAttrs[0] = 0x31; // signed as a SET OF (RFC 5652 §5.4)
  const tbs = child(cert, 0);
  const spki = child(tbs, 5 + (child(tbs, 0).tag === 0xa0 ? 1 : 0)); // version, serial, signature, issuer, validity, subject, spki
  if (!(await verifyWith(spki, oid(child(child(si, 4), 0)), signedAttrs, child(si, 5).value))) throw new CheckpointError('signature');
  return { body: parseBody(content), sealKey: b64(new Uint8Array(await crypto.subtle.digest('SHA-256', spki.der.slice()))) };
}
