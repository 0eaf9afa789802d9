import { completeCardNumber, completeKzId, makeKzIban } from '../../documents/check-digits';
import type { Counterparty, MovementChannel } from '../../documents/types';
import { digits, int, pick, type Rng } from './random';
import type { CoreBankIdentity, PeerBank } from './types';
import { pad2 } from './values';

/** Invented people, companies, merchants and identifiers (valid IIN, BIN, KZ IBAN and card check digits). */

export const FIRST = ['Aigerim', 'Nursultan', 'Dana', 'Yerzhan', 'Madina', 'Arman', 'Zhanna', 'Timur', 'Aliya', 'Serik', 'Kamila', 'Ruslan', 'Asem', 'Dias', 'Togzhan', 'Alibek'];
export const LAST = ['Demo-Abenov', 'Demo-Seitkali', 'Demo-Kassymova', 'Demo-Ospanov', 'Demo-Bekova', 'Demo-Tokayev', 'Demo-Iskakova', 'Demo-Mukanov', 'Demo-Zhumabay', 'Demo-Rakhimova'];
export const COMPANY = ['TOO Demo Trade', 'TOO Demo Logistics', 'IP Demo Market', 'TOO Demo Telecom', 'TOO Demo Energy Sbyt', 'AO Demo Insurance', 'TOO Demo Crypto Exchange', 'TOO Demo Realty'];
export const MERCHANTS = ['Demo Supermarket', 'Demo Fuel Station', 'Demo Pharmacy', 'Demo Electronics', 'Demo Cafe', 'Demo Taxi'];

export function inventIin(rng: Rng): string {
  const year = int(rng, 1960, 2005);
  const century = year >= 2000 ? int(rng, 5, 6) : int(rng, 3, 4);
  return completeKzId(`${pad2(year % 100)}${pad2(int(rng, 1, 12))}${pad2(int(rng, 1, 28))}${century}${digits(rng, 4)}`);
}

export function inventBin(rng: Rng): string {
  return completeKzId(`${pad2(int(rng, 0, 24))}${pad2(int(rng, 1, 12))}${int(rng, 4, 6)}0${digits(rng, 5)}`);
}

export function inventIban(rng: Rng, ibanCode: string): string {
  return makeKzIban(ibanCode, digits(rng, 13));
}

/** A 16-digit demo card number (issuer prefix 440043, Luhn check digit). */
export function inventCard(rng: Rng): string {
  return completeCardNumber(`440043${digits(rng, 9)}`);
}

export const PURPOSES: Record<MovementChannel, readonly string[]> = {
  transfer: ['Payment under contract', 'Return of loan', 'Payment for goods', 'Salary'],
  mobile: ['Transfer to a card', 'Transfer by phone number', 'Family support'],
  internet: ['Transfer to a card', 'Online purchase', 'Utility payment'],
  pos: ['Card purchase'],
  atm: ['Cash withdrawal', 'Cash deposit'],
  branch: ['Cash deposit at branch', 'Cash withdrawal at branch'],
  other: ['Bank fee', 'Interest'],
};

export interface PoolEntry {
  counterparty: Counterparty;
  channel: MovementChannel;
}

export function counterpartyPool(rng: Rng, bank: CoreBankIdentity, peers: readonly PeerBank[], size: number): PoolEntry[] {
  const banks: readonly PeerBank[] = peers.length > 0 ? peers : [bank];
  const pool: PoolEntry[] = [];
  for (let i = 0; i < size; i++) {
    const at = pick(rng, banks);
    const r = rng();
    if (r < 0.6) {
      pool.push({
        counterparty: { name: `${pick(rng, FIRST)} ${pick(rng, LAST)}`, iin: inventIin(rng), iban: inventIban(rng, at.ibanCode), bic: at.bic },
        channel: pick(rng, ['mobile', 'mobile', 'internet', 'transfer'] as const),
      });
    } else if (r < 0.85) {
      pool.push({
        counterparty: { name: `${pick(rng, COMPANY)}-${int(rng, 1, 99)}`, bin: inventBin(rng), iban: inventIban(rng, at.ibanCode), bic: at.bic },
        channel: pick(rng, ['transfer', 'internet'] as const),
      });
    } else if (r < 0.95) {
      pool.push({ counterparty: { name: pick(rng, MERCHANTS) }, channel: 'pos' });
    } else {
      pool.push({ counterparty: {}, channel: pick(rng, ['atm', 'branch'] as const) });
    }
  }
  return pool;
}
