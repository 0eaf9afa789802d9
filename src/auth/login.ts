import { Art50Error, isArt50Error } from '../errors';
import { verifyCms } from '../cms/verify';
import type { Registry } from '../participants/registry';
import type { ClientIdentity } from '../participants/types';
import type { PathValidator } from '../pki/types';
import type { ChallengeStore } from './challenges';
import type { LoginFailures } from './failures';
import { identifyClient } from './identify-client';
import type { Session, SessionStore } from './sessions';

export interface LoginDeps {
  challenges: ChallengeStore;
  sessions: SessionStore;
  failures: LoginFailures;
  validator: PathValidator;
  registry: Registry;
  clock: () => Date;
  clockSkewSeconds: number;
}

export interface LoginResult {
  session: Session;
  client: ClientIdentity;
}

/** Most a challenge can be: anything longer is not a challenge and is refused before decoding it. */
const MAX_CHALLENGE_BYTES = 64;

/**
 * Sign-in by signature (the Kazakh e-government convention): the person signs the challenge the
 * gateway issued with the AUTH key, as attached CMS. Checked in order: the throttle for the address,
 * the CMS signature, the challenge (used up here, so a replayed login fails even if it would
 * otherwise pass), the throttle for the certificate, then the same path and registry checks as a
 * TLS client certificate. Every refusal counts as a failed login.
 */
export class LoginService {
  constructor(private readonly d: LoginDeps) {}

  async login(der: Buffer, address: string): Promise<LoginResult> {
    await this.throttle(address);
    let fingerprint: string | undefined;
    try {
      if (der.length === 0) throw new Art50Error('http.empty_body', 'the body is empty; post the DER bytes of the CMS that signs the challenge');
      const cms = verifyCms(der, { now: this.d.clock(), clockSkewSeconds: this.d.clockSkewSeconds });
      fingerprint = cms.signer.fingerprint256;
      const challenge = cms.content.length <= MAX_CHALLENGE_BYTES ? cms.content.toString('utf8') : '';
      if (!(await this.d.challenges.consume(challenge))) {
        throw new Art50Error('auth.challenge_invalid', 'the signed content is not a current challenge of this gateway: it is unknown, expired or already used; ask for a new one at GET /v1/auth/challenge');
      }
      await this.throttle(address, fingerprint);
      await this.d.validator.prepare?.(cms.signer, { purpose: 'tls-client', intermediates: cms.certificates });
      const client = identifyClient(this.d.validator, this.d.registry, cms.signer, () => cms.certificates);
      const session = await this.d.sessions.create([cms.signer, ...cms.certificates]);
      return { session, client };
    } catch (e) {
      if (isArt50Error(e) && e.code !== 'auth.login_throttled') await this.d.failures.record(address, fingerprint);
      throw e;
    }
  }

  private async throttle(address: string, fingerprint?: string): Promise<void> {
    const wait = await this.d.failures.blockedFor(address, fingerprint);
    if (wait > 0) {
      throw new Art50Error('auth.login_throttled', `too many failed sign-ins from this ${fingerprint ? 'certificate' : 'address'}; try again in ${wait} s`, { extra: { retryAfter: wait } });
    }
  }
}
