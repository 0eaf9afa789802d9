/** Test helpers: edit parsed JSON by JSON pointer without `any`. */

export const DELETE = Symbol('delete');
export type Edit = [pointer: string, value: unknown];

function container(doc: unknown, parts: string[]): Record<string, unknown> | unknown[] {
  let cur: unknown = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (cur !== null && typeof cur === 'object') cur = (cur as Record<string, unknown>)[p];
    else throw new Error(`no container at ${p}`);
  }
  if (cur === null || typeof cur !== 'object') throw new Error('pointer does not lead to a container');
  return cur as Record<string, unknown> | unknown[];
}

/** Applies `[pointer, value]` edits in place; value DELETE removes the member. Returns `doc`. */
export function applyEdits<T>(doc: T, edits: Edit[]): T {
  for (const [pointer, value] of edits) {
    const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop();
    if (last === undefined) throw new Error('empty pointer');
    const c = container(doc, parts);
    if (Array.isArray(c)) {
      if (value === DELETE) c.splice(Number(last), 1);
      else c[Number(last)] = value;
    } else if (value === DELETE) delete c[last];
    else c[last] = value;
  }
  return doc;
}
