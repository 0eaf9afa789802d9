import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { checkEncryptionCertificate } from '../cms/auth-enveloped';
import { ncaSubject } from '../pki/cert-info';
import type Ajv2020 from 'ajv/dist/2020';
import { Art50Error } from '../errors';
import { loadSchema, validateOrThrow } from '../documents/ajv';
import type { OrganisationEntry, Participant, PersonEntry, RegistryFile, Role } from './types';

const ORG_ROLES: Partial<Record<OrganisationEntry['kind'], Role>> = { bank: 'bank', gateway: 'gateway' };

/**
 * The participant registry: who is who. Roles come from here, never from the certificate alone.
 * Immutable once built; reload means building a new one.
 */
export class Registry {
  private readonly orgs = new Map<string, OrganisationEntry>();
  private readonly people = new Map<string, PersonEntry>();
  private readonly banksByBic = new Map<string, OrganisationEntry>();
  private readonly supervisors = new Map<string, OrganisationEntry[]>();
  private readonly encryption = new Map<string, X509Certificate>();

  constructor(readonly file: RegistryFile) {
    for (const o of file.organisations) {
      if (this.orgs.has(o.bin)) throw new Art50Error('registry.invalid', `organisation ${o.bin} is listed twice`, { field: '/organisations' });
      this.orgs.set(o.bin, o);
      if (o.kind === 'bank' && o.bic) {
        if (this.banksByBic.has(o.bic)) throw new Art50Error('registry.invalid', `BIC ${o.bic} is listed twice`, { field: '/organisations' });
        this.banksByBic.set(o.bic, o);
      }
    }
    file.people.forEach((p, i) => {
      if (!this.orgs.has(p.organisation)) {
        throw new Art50Error('registry.invalid', `person ${i} names unknown organisation ${p.organisation}`, { field: `/people/${i}/organisation` });
      }
      this.people.set(p.iin, p);
    });
    file.organisations.forEach((o, i) => {
      for (const body of o.supervises ?? []) {
        if (this.orgs.get(body)?.kind !== 'police') {
          throw new Art50Error('registry.invalid', `office ${o.bin} supervises ${body}, which is not a police body in the registry`, { field: `/organisations/${i}/supervises` });
        }
        this.supervisors.set(body, [...(this.supervisors.get(body) ?? []), o]);
      }
      if (o.encryptionCertificate) this.encryption.set(o.bin, parseEncryptionCertificate(o, i));
    });
  }

  organisation(bin: string): OrganisationEntry | undefined {
    return this.orgs.get(bin);
  }

  person(iin: string): PersonEntry | undefined {
    return this.people.get(iin);
  }

  bankByBic(bic: string): OrganisationEntry | undefined {
    return this.banksByBic.get(bic);
  }

  banks(): OrganisationEntry[] {
    return [...this.banksByBic.values()];
  }

  /** The police body's encryption certificate: statements for its requests must be encrypted to it. */
  encryptionCertificate(bodyBin: string): X509Certificate | undefined {
    return this.encryption.get(bodyBin);
  }

  supervisingOffices(bodyBin: string): OrganisationEntry[] {
    return this.supervisors.get(bodyBin) ?? [];
  }

  supervises(officeBin: string, bodyBin: string): boolean {
    return this.supervisingOffices(bodyBin).some((o) => o.bin === officeBin);
  }

  /** From the NCA subject fields to a participant; undefined when unknown. */
  identify(ids: { iin?: string; bin?: string }): Participant | undefined {
    if (!ids.bin) return undefined;
    const organisation = this.orgs.get(ids.bin);
    if (!organisation) return undefined;
    if (ids.iin) {
      const person = this.people.get(ids.iin);
      if (!person || person.organisation !== organisation.bin) return undefined;
      return { organisation, person, roles: person.roles };
    }
    const role = ORG_ROLES[organisation.kind];
    return role ? { organisation, roles: [role] } : undefined;
  }
}

function parseEncryptionCertificate(o: OrganisationEntry, i: number): X509Certificate {
  const field = `/organisations/${i}/encryptionCertificate`;
  if (o.kind !== 'police') throw new Art50Error('registry.invalid', `organisation ${o.bin} is not a police body; only police bodies have encryption certificates`, { field });
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(o.encryptionCertificate!);
  } catch (e) {
    throw new Art50Error('registry.invalid', `the encryption certificate of ${o.bin} is not a PEM certificate: ${(e as Error).message}`, { field });
  }
  if (ncaSubject(cert).bin !== o.bin) throw new Art50Error('registry.invalid', `the encryption certificate of ${o.bin} names another BIN in its subject`, { field });
  try {
    checkEncryptionCertificate(cert);
  } catch (e) {
    throw new Art50Error('registry.invalid', `the encryption certificate of ${o.bin}: ${(e as Error).message}`, { field });
  }
  return cert;
}

export function parseRegistry(ajv: Ajv2020, json: unknown): Registry {
  const validate = ajv.getSchema('participants') ?? ajv.compile({ ...loadSchema('participants'), $id: 'participants' });
  const file = validateOrThrow<RegistryFile>(validate, json, 'registry.invalid', 'participant registry');
  return new Registry(file);
}

export function loadRegistry(ajv: Ajv2020, path: string): Registry {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Art50Error('config.unreadable', `participant registry ${path} is not readable: ${(e as Error).message}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Art50Error('registry.invalid', `participant registry ${path} is not readable JSON: ${(e as Error).message}`);
  }
  return parseRegistry(ajv, json);
}
