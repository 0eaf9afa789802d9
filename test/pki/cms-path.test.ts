import { signCms } from '../../src/cms/sign';
import { verifyCms } from '../../src/cms/verify';
import { ChainValidator } from '../../src/pki/chain';
import { StaticCrlSource } from '../../src/pki/crl-source';
import { openssl, tmpFile } from '../cms/openssl';
import { expectCode } from '../support/expect-code';
import { buildWorld, NOW, World } from './fixtures';

let w: World;
let v: ChainValidator;
beforeAll(async () => {
  w = await buildWorld();
  v = new ChainValidator([w.root.cert], new StaticCrlSource([w.crls.root, w.crls.inter]), { now: () => NOW });
});

const DOC = Buffer.from('{"type":"statement","version":1}');

test('a document signed under an intermediate (chain included) verifies end to end', () => {
  const cms = verifyCms(signCms(DOC, { cert: w.leaf.cert, key: w.leaf.key, chain: [w.inter.cert] }));
  const checked = v.validate(cms.signer, { purpose: 'signature', at: cms.signingTime, intermediates: cms.certificates });
  expect(checked.chain).toHaveLength(3);
  expect(checked.subject.cn).toBe('Leaf Person');
});

test('ECDSA P-384: ours verifies, and stock OpenSSL gets identical bytes out', () => {
  const der = signCms(DOC, { cert: w.p384Leaf.cert, key: w.p384Leaf.key });
  const cms = verifyCms(der);
  expect(v.validate(cms.signer, { purpose: 'signature', at: cms.signingTime }).chain).toHaveLength(2);
  const out = openssl(['cms', '-verify', '-inform', 'DER', '-in', tmpFile(der), '-CAfile', tmpFile(w.root.cert.toString(), 'pem'), '-binary', '-purpose', 'any']);
  expect(out.equals(DOC)).toBe(true);
});

test('signed while valid, verified after expiry: refused (validity at signing time AND now)', () => {
  const cms = verifyCms(signCms(DOC, { cert: w.expired.cert, key: w.expired.key }, { signingTime: new Date(NOW.getTime() - 5 * 24 * 3600 * 1000) }));
  expectCode(() => v.validate(cms.signer, { purpose: 'signature', at: cms.signingTime }), 'cert.expired');
});

test('a document from a foreign CA passes verifyCms but not the path', () => {
  const cms = verifyCms(signCms(DOC, { cert: w.foreignLeaf.cert, key: w.foreignLeaf.key }));
  expectCode(() => v.validate(cms.signer, { purpose: 'signature', at: cms.signingTime }), 'cert.untrusted');
});
