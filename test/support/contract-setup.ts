import { takeViolations } from './contract-recorder';

/**
 * Runs after every test of the suite (jest setupFilesAfterEnv): any gateway response that did not
 * match docs/openapi.yaml during the test fails it, with the list of mismatches.
 */
afterEach(() => {
  const v = takeViolations();
  if (v.length > 0) throw new Error(`gateway responses that do not match docs/openapi.yaml:\n  ${[...new Set(v)].join('\n  ')}`);
});

afterAll(() => {
  // Responses that finished after the last test's afterEach (e.g. during afterAll) still count.
  const v = takeViolations();
  if (v.length > 0) throw new Error(`gateway responses that do not match docs/openapi.yaml:\n  ${[...new Set(v)].join('\n  ')}`);
});
