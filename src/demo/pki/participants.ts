import { completeKzId } from '../../documents/check-digits';
import type { RegistryFile } from '../../participants/types';

/**
 * Who is who in the demo world: the invented BINs and IINs of its organisations and people, its
 * banks, and the participant registry that gives them roles. Identifiers are invented but carry
 * valid control digits. The certificates are written by world.ts.
 */

// Invented identifiers: birth dates / registration months + a running number, completed with a valid control digit.
export const DEMO_BIN = {
  gateway: completeKzId('26014000001'),
  bodyA: completeKzId('99044000012'),
  bodyB: completeKzId('99054000023'),
  officeA: completeKzId('97064000034'),
  officeB: completeKzId('97074000045'),
  auditor: completeKzId('98084000056'),
  bankA: completeKzId('93104000067'),
  bankB: completeKzId('94114000078'),
  bankC: completeKzId('95124000089'),
};

export const DEMO_IIN = {
  investigator1: completeKzId('85031530012'),
  head1: completeKzId('72110230023'),
  deputyHead1: completeKzId('76051730112'),
  investigatorGost: completeKzId('91020330123'),
  investigator2: completeKzId('90072040034'),
  prosecutor1: completeKzId('78042130045'),
  prosecutor2: completeKzId('81091940056'),
  auditor1: completeKzId('83121230067'),
  revoked: completeKzId('88060530078'),
  expired: completeKzId('86022840089'),
};

export const DEMO_BANKS = [
  { key: 'bankA', bic: 'ALFAKZKA', name: 'Demo Alfa Bank JSC', ibanCode: '111' },
  { key: 'bankB', bic: 'BETAKZKA', name: 'Demo Beta Bank JSC', ibanCode: '222' },
  { key: 'bankC', bic: 'GAMMKZKA', name: 'Demo Gamma Bank JSC', ibanCode: '333' },
] as const;

/** Password of every .p12 in the demo world (stated in its README). */
export const DEMO_P12_PASSWORD = 'art50-demo';

/** `encryption`: PEM of each police body's encryption certificate, by BIN (written by writeDemoWorld). */
export function demoRegistry(encryption: Record<string, string> = {}): RegistryFile {
  const enc = (bin: string): { encryptionCertificate?: string } => (encryption[bin] ? { encryptionCertificate: encryption[bin] } : {});
  return {
    version: 1,
    organisations: [
      { bin: DEMO_BIN.gateway, kind: 'gateway', name: 'art50 gateway operator (demo)' },
      { bin: DEMO_BIN.bodyA, kind: 'police', name: 'Police Department of Almaty (demo)', region: 'Almaty', ...enc(DEMO_BIN.bodyA) },
      { bin: DEMO_BIN.bodyB, kind: 'police', name: 'Police Department of Karaganda Region (demo)', region: 'Karaganda', ...enc(DEMO_BIN.bodyB) },
      { bin: DEMO_BIN.officeA, kind: 'prosecutor_office', name: 'Prosecutor\'s Office of Almaty (demo)', region: 'Almaty', supervises: [DEMO_BIN.bodyA] },
      { bin: DEMO_BIN.officeB, kind: 'prosecutor_office', name: 'Prosecutor\'s Office of Karaganda Region (demo)', region: 'Karaganda', supervises: [DEMO_BIN.bodyB] },
      { bin: DEMO_BIN.auditor, kind: 'auditor', name: 'Committee on Legal Statistics (demo)' },
      ...DEMO_BANKS.map((b) => ({ bin: DEMO_BIN[b.key], kind: 'bank' as const, name: b.name, bic: b.bic, ibanCode: b.ibanCode, delivery: { mode: 'pull' as const } })),
    ],
    people: [
      { iin: DEMO_IIN.investigator1, name: 'Aibek Nurlanov', organisation: DEMO_BIN.bodyA, roles: ['investigator'], position: 'Senior investigator' },
      { iin: DEMO_IIN.head1, name: 'Saule Zhaksybekova', organisation: DEMO_BIN.bodyA, roles: ['first_head'], position: 'Head of the Police Department' },
      { iin: DEMO_IIN.deputyHead1, name: 'Timur Abenov', organisation: DEMO_BIN.bodyA, roles: ['head'], position: 'Head of the investigation department' },
      { iin: DEMO_IIN.investigatorGost, name: 'Nurlan Gostov', organisation: DEMO_BIN.bodyA, roles: ['investigator'], position: 'Investigator' },
      { iin: DEMO_IIN.investigator2, name: 'Daniyar Omarov', organisation: DEMO_BIN.bodyB, roles: ['investigator'], position: 'Investigator' },
      { iin: DEMO_IIN.revoked, name: 'Yerlan Revokedov', organisation: DEMO_BIN.bodyA, roles: ['investigator'], position: 'Investigator' },
      { iin: DEMO_IIN.expired, name: 'Marat Expiredov', organisation: DEMO_BIN.bodyA, roles: ['investigator'], position: 'Investigator' },
      { iin: DEMO_IIN.prosecutor1, name: 'Gulnara Sadykova', organisation: DEMO_BIN.officeA, roles: ['prosecutor'], position: 'Supervising prosecutor' },
      { iin: DEMO_IIN.prosecutor2, name: 'Bolat Tulegenov', organisation: DEMO_BIN.officeB, roles: ['prosecutor'], position: 'Supervising prosecutor' },
      { iin: DEMO_IIN.auditor1, name: 'Asel Karimova', organisation: DEMO_BIN.auditor, roles: ['auditor'], position: 'Auditor' },
    ],
  };
}
