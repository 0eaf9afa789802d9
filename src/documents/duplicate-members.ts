/**
 * Finds the first member name that occurs twice in one object of a JSON text. JSON.parse keeps the
 * last one silently, so a signed document with two `subject` members would say one thing to this
 * gateway and another to a bank's parser (RFC 8259 §4; I-JSON, RFC 7493 §2.3, forbids them).
 *
 * Runs after JSON.parse accepted `text`, so the text is known to be valid JSON and the scan only
 * tracks strings and brackets: one linear pass, one Set of names per open object. Names are
 * compared decoded ("a" and "\u0061" are the same name, as for JSON.parse).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

type Frame = { object: true; names: Set<string>; expectName: boolean; current: string } | { object: false; index: number };

/** Reference tokens of the duplicate member (parents first), or undefined when every name is unique. */
export function firstDuplicateMember(text: string): (string | number)[] | undefined {
  const stack: Frame[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top?.object && top.expectName) {
        const raw = text.slice(i + 1, end);
        const name = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (top.names.has(name)) return [...path(stack), name];
        top.names.add(name);
        top.current = name;
        top.expectName = false;
      }
      i = end + 1;
      continue;
    }
    switch (c) {
      case 0x7b: // {
        stack.push({ object: true, names: new Set(), expectName: true, current: '' });
        break;
      case 0x5b: // [
        stack.push({ object: false, index: 0 });
        break;
      case 0x7d: // }
      case 0x5d: // ]
        stack.pop();
        break;
      case 0x2c: {
        // ,
        const top = stack[stack.length - 1];
        if (top?.object) top.expectName = true;
        else if (top) top.index++;
        break;
      }
      default:
        break;
    }
    i++;
  }
  return undefined;
}

/** Index of the closing quote of the string opening at `start` (an odd run of backslashes escapes it). */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q < 0) return text.length; // not reached for valid JSON
    let k = q - 1;
    while (text.charCodeAt(k) === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q;
    from = q + 1;
  }
}

function path(stack: readonly Frame[]): (string | number)[] {
  return stack.slice(0, -1).map((f) => (f.object ? f.current : f.index));
}
