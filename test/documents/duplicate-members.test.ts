import { firstDuplicateMember } from '../../src/documents/duplicate-members';
import { parseJsonDocument } from '../../src/documents/validators';
import { expectCode } from '../support/expect-code';

const parse = (text: string): unknown => parseJsonDocument(Buffer.from(text, 'utf8'), 1 << 20);

/** Issue 12.3: JSON.parse keeps the last of two equal member names; a signed document must not. */
describe('duplicate member names', () => {
  it.each([
    ['top level', '{"subject":{"iin":"1"},"subject":{"iin":"2"}}', '/subject'],
    ['result not_found then found', '{"result":"not_found","accounts":[],"result":"found"}', '/result'],
    ['nested object', '{"a":{"b":1,"c":2,"b":3}}', '/a/b'],
    ['inside an array item', '{"banks":["X"],"list":[{"x":1},{"y":1,"y":2}]}', '/list/1/y'],
    ['spelled with an escape', '{"requestId":"a","request\\u0049d":"b"}', '/requestId'],
    ['after strings holding quotes, braces and backslashes', '{"a":"x\\"}{[,\\\\","b":"\\\\","a":1}', '/a'],
    ['a name with / and ~ (escaped in the pointer)', '{"x/y~":1,"x/y~":2}', '/x~1y~0'],
    ['empty names', '{"":1,"":2}', '/'],
  ])('%s → document.duplicate_key with the pointer', (_what, text, field) => {
    const e = expectCode(() => parse(text), 'document.duplicate_key');
    expect(e.field).toBe(field);
    expect(e.status).toBe(422);
  });

  it.each([
    ['the same name in sibling objects', '{"a":{"x":1},"b":{"x":2},"c":[{"x":1},{"x":2}]}'],
    ['a name equal to a string value', '{"a":"b","b":"a"}'],
    ['names that differ only in case', '{"Result":1,"result":2}'],
    ['a string value containing "\\"a\\":"', '{"a":"\\"a\\":1","b":2}'],
    ['nested arrays of scalars', '{"a":[[1,2],[3,[4,{"a":1}]]],"b":{"a":{"a":{}}}}'],
  ])('%s is accepted', (_what, text) => {
    expect(parse(text)).toEqual(JSON.parse(text));
  });

  it('a 500 kB member name given twice is answered with a bounded pointer', () => {
    const name = 'n'.repeat(500_000);
    const e = expectCode(() => parse(`{"${name}":1,"${name}":2}`), 'document.duplicate_key');
    expect(e.field!.length).toBeLessThan(100);
    expect(e.detail.length).toBeLessThan(1100);
  });

  it('costs the order of JSON.parse itself (one linear pass), measured on 200,000 objects', () => {
    const text = JSON.stringify({ items: Array.from({ length: 200_000 }, (_, i) => ({ id: i, name: `n${i}`, v: 'x"y\\z' })) });
    // Best of three of each, so a busy machine slows both alike.
    const best = (fn: () => unknown): number => Math.min(...[0, 1, 2].map(() => {
      const t0 = process.hrtime.bigint();
      fn();
      return Number(process.hrtime.bigint() - t0);
    }));
    expect(firstDuplicateMember(text)).toBeUndefined();
    expect(best(() => firstDuplicateMember(text))).toBeLessThan(3 * best(() => JSON.parse(text)));
  });
});
