import { signCms } from '../../src/cms/sign';
import type { TestGateway } from './gateway';
import { identity } from './identities';

export interface ConsoleSession {
  /** The Cookie header value to send. */
  cookie: string;
  csrf: string;
  body: Record<string, unknown>;
}

/** The challenge of `t`, signed as attached CMS with the AUTH key of `who` (what NCALayer does in the browser). */
export async function signedChallenge(t: TestGateway, who: string): Promise<{ challenge: string; cms: Buffer }> {
  const res = await t.as().get('/v1/auth/challenge');
  if (res.status !== 200) throw new Error(`challenge: ${res.status} ${res.text}`);
  const challenge = res.body.challenge as string;
  return { challenge, cms: signCms(Buffer.from(challenge, 'utf8'), identity(who)) };
}

/** Signs in as a keys.example person over HTTPS without a client certificate, as the console does. */
export async function signIn(t: TestGateway, who: string): Promise<ConsoleSession> {
  const { cms } = await signedChallenge(t, who);
  const res = await t.as().post('/v1/auth/login', cms);
  if (res.status !== 200) throw new Error(`login as ${who}: ${res.status} ${res.text}`);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = setCookie[0]!.split(';')[0]!;
  return { cookie, csrf: res.body.csrf as string, body: res.body };
}
