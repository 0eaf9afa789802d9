import { decodeInput, verifyCms } from '../../src/cms/verify';
import { expectCode } from '../support/expect-code';
import { sign } from '../support/identities';
import { makeRequest } from '../support/documents';

const MB = 1024 * 1024;
const repeat = (s: string, bytes: number): Buffer => Buffer.from(s.repeat(Math.ceil(bytes / s.length)).slice(0, bytes), 'latin1');

function timed(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Issue 12.1: PEM detection must be linear; a backtracking regex took seconds per megabyte. */
describe('PEM detection is linear', () => {
  it.each([
    ['BEGIN CMS repeated', '-----BEGIN CMS-----'],
    ['BEGIN PKCS7 repeated', '-----BEGIN PKCS7-----\n'],
    ['BEGIN CMS with END of the other label', '-----BEGIN CMS-----AAAA-----END PKCS7-----'],
    ['BEGIN lines of both labels', '-----BEGIN CMS----------BEGIN PKCS7-----'],
  ])('2 MB of %s is refused as cms.malformed in < 200 ms', (_what, unit) => {
    const body = repeat(unit, 2 * MB);
    let ms = 0;
    expectCode(() => {
      ms = timed(() => decodeInput(body));
    }, 'cms.malformed');
    const t = timed(() => expectCode(() => decodeInput(body), 'cms.malformed'));
    expect(Math.max(ms, t)).toBeLessThan(200);
  });

  it('a PEM block whose body is not base64 is malformed', () => {
    expectCode(() => decodeInput(Buffer.from('-----BEGIN CMS-----\n-----BEGIN CMS-----\n-----END CMS-----\n')), 'cms.malformed');
    expectCode(() => decodeInput(Buffer.from('-----BEGIN CMS-----\n\n-----END CMS-----\n')), 'cms.malformed');
  });

  it('a real document in PEM still verifies (CMS and PKCS7 labels, line-wrapped)', () => {
    const der = sign(makeRequest(), 'police/investigator-1');
    const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
    for (const label of ['CMS', 'PKCS7']) {
      const pem = Buffer.from(`-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`);
      expect(decodeInput(pem).equals(der)).toBe(true);
      expect(verifyCms(pem).digest).toHaveLength(64);
    }
  });
});
