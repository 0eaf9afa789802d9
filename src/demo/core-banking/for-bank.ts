import type { X509Certificate } from 'node:crypto';
import { bankOrganisation } from '../../bank/delivery-check';
import type { Registry } from '../../participants/registry';
import { createCoreBanking } from './core';
import { demoMoneyTrail } from './trail';
import type { CoreBanking, PeerBank } from './types';

/** Demo core banking for the bank behind `cert`: its BIC/BIN/IBAN code from the registry, the other banks as peers, the demo money trail planted. */
export function demoCoreFor(registry: Registry, cert: X509Certificate, opts: { seed?: number; trail?: boolean } = {}): CoreBanking {
  const org = bankOrganisation(registry, cert);
  const peers: PeerBank[] = registry.banks().filter((b) => b.bic !== org.bic && b.ibanCode).map((b) => ({ bic: b.bic!, ibanCode: b.ibanCode! }));
  const core = createCoreBanking({ seed: opts.seed ?? 50, bank: { bic: org.bic!, bin: org.bin, ibanCode: org.ibanCode ?? '000' }, peers });
  if (opts.trail !== false) core.seedCase(demoMoneyTrail());
  return core;
}
