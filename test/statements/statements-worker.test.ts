/**
 * Every statement test again, with every statement (not only large ones) verified, parsed and
 * checked in the worker thread: both paths must accept and refuse exactly the same documents.
 */
process.env.ART50_STATEMENT_WORKER_THRESHOLD = '0';
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('./statements.test');
