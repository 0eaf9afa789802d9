import { Art50Error, isArt50Error } from '../errors';
import { Asn1, children, childrenOf, content, decode, isContext, oid, raw, str, TAG } from '../asn1/der';
import { OID } from '../asn1/oids';
import type { CertInfo } from './cert-info';

/**
 * RFC 5280 §4.2.1.10 name constraints, applied by a CA certificate (trust anchors included) to
 * every certificate below it in the path — the subject DN, e-mail addresses in the subject, and
 * every subjectAltName — except self-issued intermediates (§6.1.3 (b)). Each constraining CA is
 * applied on its own, which is the same as intersecting the permitted subtrees down the path.
 *
 * Forms processed: dNSName, rfc822Name, iPAddress, directoryName. A constraint of any other form
 * (otherName, URI, …) refuses a certificate that carries a name of that form, since it cannot be
 * evaluated (fail closed), and is a no-op otherwise. A wildcard dNSName is refused unless every
 * name it can stand for is permitted and none is excluded. Malformed constraints or names refuse
 * the path, and so does a certificate with more names × constraints than WORK_LIMIT (the
 * quadratic blow-up of x509-limbo's nc-dos cases).
 */

const WORK_LIMIT = 1 << 16;

/** GeneralName CHOICE tag numbers. */
const GN = { otherName: 0, rfc822: 1, dns: 2, x400: 3, dn: 4, edi: 5, uri: 6, ip: 7, registeredId: 8 } as const;

type Name =
  | { form: typeof GN.dns; value: string }
  | { form: typeof GN.rfc822; value: string }
  | { form: typeof GN.ip; value: Buffer }
  | { form: typeof GN.dn; value: string[] }
  | { form: number; value: undefined };

export interface NameConstraints {
  /** Undefined when the extension has no permittedSubtrees. */
  permitted: Name[] | undefined;
  excluded: Name[];
}

function refuse(detail: string): never {
  throw new Art50Error('cert.name_constraints', detail);
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
function validHost(h: string): boolean {
  return h.length > 0 && h.length <= 253 && h.split('.').every((l) => LABEL.test(l));
}

/** One directory string value, compared case- and space-insensitively (RFC 4518 approximated). */
function normalizeValue(node: Asn1): string {
  try {
    return str(node).trim().replace(/\s+/g, ' ').toLowerCase();
  } catch {
    return `#${raw(node).toString('hex')}`;
  }
}

/** A Name as its RDNs, each "oid=value" joined by "+" in a fixed order. */
function rdns(name: Asn1): string[] {
  return childrenOf(name, TAG.SEQUENCE, 'Name').map((rdn) =>
    childrenOf(rdn, TAG.SET, 'RDN')
      .map((atv) => {
        const [type, value] = childrenOf(atv, TAG.SEQUENCE, 'AttributeTypeAndValue');
        if (!value) refuse('directory name attribute without a value');
        return `${oid(type, 'attribute type')}=${normalizeValue(value)}`;
      })
      .sort()
      .join('+'),
  );
}

function emailsIn(name: Asn1): string[] {
  const out: string[] = [];
  for (const rdn of childrenOf(name, TAG.SEQUENCE, 'Name')) {
    for (const atv of childrenOf(rdn, TAG.SET, 'RDN')) {
      const [type, value] = childrenOf(atv, TAG.SEQUENCE, 'AttributeTypeAndValue');
      if (value && oid(type) === OID.emailAddress) out.push(str(value));
    }
  }
  return out;
}

function ia5(node: Asn1): string {
  const b = content(node);
  if (b.some((x) => x > 0x7e || x < 0x20)) refuse('a name holds characters outside IA5 printable');
  return b.toString('latin1');
}

function generalName(node: Asn1, asConstraint: boolean): Name {
  if (node.cls !== 0x80) refuse('GeneralName with a non-context tag');
  switch (node.tagNo) {
    case GN.dns: {
      const v = ia5(node).toLowerCase();
      const ok = asConstraint ? v === '' || validHost(v) : validHost(v.startsWith('*.') ? v.slice(2) : v);
      if (!ok) refuse(`${asConstraint ? 'constraint' : 'name'} "${v}" is not a valid dNSName`);
      return { form: GN.dns, value: v };
    }
    case GN.rfc822: {
      const v = ia5(node);
      const at = v.split('@');
      const ok = asConstraint
        ? (at.length === 1 && validHost((v.startsWith('.') ? v.slice(1) : v).toLowerCase())) || (at.length === 2 && at[0] !== '' && validHost(at[1]!.toLowerCase()))
        : at.length === 2 && at[0] !== '' && validHost(at[1]!.toLowerCase());
      if (!ok) refuse(`${asConstraint ? 'constraint' : 'name'} "${v}" is not a valid rfc822Name`);
      return { form: GN.rfc822, value: v };
    }
    case GN.ip: {
      const v = content(node);
      if (asConstraint) {
        if (v.length !== 8 && v.length !== 32) refuse('iPAddress constraint is not address + mask');
        const mask = v.subarray(v.length / 2);
        const bits = [...mask].map((b) => b.toString(2).padStart(8, '0')).join('');
        if (!/^1*0*$/.test(bits)) refuse('iPAddress constraint mask is not a CIDR prefix');
      } else if (v.length !== 4 && v.length !== 16) {
        refuse('iPAddress name is neither IPv4 nor IPv6');
      }
      return { form: GN.ip, value: Buffer.from(v) };
    }
    case GN.dn:
      return { form: GN.dn, value: rdns(children(node)[0]!) };
    default:
      return { form: node.tagNo, value: undefined };
  }
}

function subtrees(node: Asn1): Name[] {
  const list = children(node);
  if (list.length === 0) refuse('nameConstraints has an empty subtree list');
  return list.map((st) => {
    const parts = childrenOf(st, TAG.SEQUENCE, 'GeneralSubtree');
    if (parts.length !== 1) refuse('GeneralSubtree with minimum or maximum (RFC 5280: MUST NOT be used)');
    return generalName(parts[0]!, true);
  });
}

const parsed = new WeakMap<CertInfo, NameConstraints | null>();

/** The certificate's nameConstraints, or undefined; refuses a malformed or empty extension. */
export function nameConstraintsOf(info: CertInfo): NameConstraints | undefined {
  const hit = parsed.get(info);
  if (hit !== undefined) return hit ?? undefined;
  const value = info.extensionValues.get(OID.nameConstraints);
  let out: NameConstraints | null = null;
  if (value) {
    out = guard(() => {
      const parts = childrenOf(decode(value, { code: 'cert.name_constraints' }), TAG.SEQUENCE, 'NameConstraints');
      let permitted: Name[] | undefined;
      let excluded: Name[] = [];
      for (const p of parts) {
        if (isContext(p, 0) && p.constructed && !permitted) permitted = subtrees(p);
        else if (isContext(p, 1) && p.constructed && excluded.length === 0) excluded = subtrees(p);
        else refuse('nameConstraints: unexpected field');
      }
      if (!permitted && excluded.length === 0) refuse('nameConstraints with neither permitted nor excluded subtrees');
      return { permitted, excluded };
    });
  }
  parsed.set(info, out);
  return out ?? undefined;
}

/** The names of a certificate that constraints apply to. */
function namesOf(info: CertInfo): Name[] {
  return guard(() => {
    const subject = decode(info.subjectName, { code: 'cert.name_constraints' });
    const names: Name[] = [];
    if (!info.subjectEmpty) names.push({ form: GN.dn, value: rdns(subject) });
    for (const e of emailsIn(subject)) names.push({ form: GN.rfc822, value: e });
    const san = info.extensionValues.get(OID.subjectAltName);
    if (san) {
      const list = childrenOf(decode(san, { code: 'cert.name_constraints' }), TAG.SEQUENCE, 'subjectAltName');
      if (list.length === 0) refuse('empty subjectAltName');
      for (const gn of list) names.push(generalName(gn, false));
    }
    return names;
  });
}

function dnsWithin(name: string, base: string): boolean {
  return base === '' || name === base || name.endsWith(`.${base}`);
}

function hostOf(mailbox: string): string {
  return mailbox.slice(mailbox.lastIndexOf('@') + 1).toLowerCase();
}

/** Does constraint `c` cover name `n` (`excluded`: might any name `n` stands for fall under `c`)? */
function matches(n: Name, c: Name, excluded: boolean): boolean {
  switch (n.form) {
    case GN.dns: {
      const name = n.value as string;
      const base = c.value as string;
      if (!name.startsWith('*.')) return dnsWithin(name, base);
      const parent = name.slice(2);
      return dnsWithin(parent, base) || (excluded && base.endsWith(`.${parent}`));
    }
    case GN.rfc822: {
      const name = n.value as string;
      const base = c.value as string;
      if (base.includes('@')) return name.slice(0, name.lastIndexOf('@')) === base.slice(0, base.lastIndexOf('@')) && hostOf(name) === hostOf(base);
      const host = hostOf(name);
      return base.startsWith('.') ? host.endsWith(base.toLowerCase()) : host === base.toLowerCase();
    }
    case GN.ip: {
      const addr = n.value as Buffer;
      const cv = c.value as Buffer;
      if (cv.length !== addr.length * 2) return false;
      for (let i = 0; i < addr.length; i++) if ((addr[i]! & cv[addr.length + i]!) !== (cv[i]! & cv[addr.length + i]!)) return false;
      return true;
    }
    case GN.dn: {
      const name = n.value as string[];
      const base = c.value as string[];
      return base.length <= name.length && base.every((r, i) => r === name[i]);
    }
    default:
      return false;
  }
}

/** Applies `nc` (of the CA named `by`) to one certificate below it. */
export function applyNameConstraints(nc: NameConstraints, subject: CertInfo, by: string): void {
  const names = namesOf(subject);
  const who = subject.subject.cn ?? subject.serial;
  if (names.length * ((nc.permitted?.length ?? 0) + nc.excluded.length) > WORK_LIMIT) {
    refuse(`too many names × constraints to check for "${who}"`);
  }
  for (const n of names) {
    const known = n.form === GN.dns || n.form === GN.rfc822 || n.form === GN.ip || n.form === GN.dn;
    const permittedOfForm = nc.permitted?.filter((c) => c.form === n.form) ?? [];
    const excludedOfForm = nc.excluded.filter((c) => c.form === n.form);
    if (!known) {
      if (permittedOfForm.length > 0 || excludedOfForm.length > 0) refuse(`"${who}" carries a name of form [${n.form}] that ${by} constrains and the gateway cannot evaluate`);
      continue;
    }
    if (excludedOfForm.some((c) => matches(n, c, true))) refuse(`a name of "${who}" is excluded by the name constraints of ${by}`);
    if (permittedOfForm.length > 0 && !permittedOfForm.some((c) => matches(n, c, false))) refuse(`a name of "${who}" is outside the subtrees ${by} permits`);
  }
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isArt50Error(e) && e.code !== 'cert.name_constraints') throw new Art50Error('cert.name_constraints', e.detail ?? 'malformed name', { cause: e });
    throw e;
  }
}
