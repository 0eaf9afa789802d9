import type { ValidatedCertificate } from '../pki/types';

/** The participant registry file (schemas/participants.schema.json) and the identities derived from it. */

export type OrgKind = 'police' | 'prosecutor_office' | 'bank' | 'auditor' | 'gateway';
/**
 * 'first_head': the first head of a criminal prosecution body, who may sign requests (Art. 50 para 7 b)
 * when the certificate also says so; 'head': any other head (of a department), who may read the
 * body's requests but not sign them.
 */
export type Role = 'investigator' | 'first_head' | 'head' | 'prosecutor' | 'bank' | 'bank_officer' | 'auditor' | 'gateway';

export interface DeliveryConfig {
  mode: 'pull' | 'push';
  /** HTTPS URL the gateway POSTs deliveries to, for mode push. */
  url?: string;
}

export interface OrganisationEntry {
  bin: string;
  kind: OrgKind;
  name: string;
  region?: string;
  /** Banks only. */
  bic?: string;
  ibanCode?: string;
  delivery?: DeliveryConfig;
  /** Prosecutor offices only: BINs of the bodies this office supervises. */
  supervises?: string[];
  /** Police bodies: PEM of the encryption certificate banks encrypt statements to. */
  encryptionCertificate?: string;
}

export interface PersonEntry {
  iin: string;
  name: string;
  organisation: string;
  roles: Role[];
  position?: string;
}

export interface RegistryFile {
  version: 1;
  organisations: OrganisationEntry[];
  people: PersonEntry[];
}

/** Who a certificate belongs to, after looking it up in the registry. */
export interface Participant {
  organisation: OrganisationEntry;
  /** Absent for an organisation's system certificate (a bank back-office, the gateway). */
  person?: PersonEntry;
  roles: readonly Role[];
}

/** An authenticated TLS client: its validated certificate and who it is in the registry. */
export interface ClientIdentity {
  certificate: ValidatedCertificate;
  participant: Participant;
}
