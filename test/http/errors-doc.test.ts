import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG } from '../../src/errors';

/** docs/errors.md is what clients read: every code of the catalogue is listed there with its status. */
describe('docs/errors.md', () => {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'errors.md'), 'utf8');
  it.each(Object.entries(CATALOG).map(([code, v]) => [code, v.status]))('lists %s (HTTP %s)', (code, status) => {
    const line = doc.split('\n').find((l) => l.includes(`\`${code}\``));
    expect(line).toBeDefined();
    expect(line).toContain(String(status));
  });
});
