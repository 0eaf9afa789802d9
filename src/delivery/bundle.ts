import type { Registry } from '../participants/registry';

/** What a bank receives for one delivery, by pull (inbox item) or by push (POST body). */
export interface DeliveryBundle {
  deliveryId: string;
  requestId: string;
  /** base64 DER of the request CMS, exactly as the investigator signed it. */
  request: string;
  /** base64 DER of the sanction CMS, exactly as the prosecutor signed it. */
  sanction: string;
  /** RFC 3339: the bank must answer by then (CPC Art. 34 part 5). */
  deadline: string;
  /** base64 DER of the gateway-sealed delivery receipt. */
  receipt: string;
  /**
   * base64 DER of the requesting body's encryption certificate, from the participant registry: the
   * bank encrypts its signed statement to it (docs/statements.md). Absent for a body that has none.
   */
  encryptionCertificate?: string;
}

/** The bundle field naming the requesting body's encryption certificate, when the registry lists one. */
export function encryptionCertificateField(registry: Registry, bodyBin: string | undefined): Pick<DeliveryBundle, 'encryptionCertificate'> {
  const cert = bodyBin ? registry.encryptionCertificate(bodyBin) : undefined;
  return cert ? { encryptionCertificate: cert.raw.toString('base64') } : {};
}
