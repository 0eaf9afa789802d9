/**
 * Exit codes of every art50 command (docs/cli.md):
 *   0  success (verified, proven, accepted)
 *   1  refused by the gateway (problem+json), or the gateway could not be reached
 *   2  a document, receipt or log does not verify locally (nothing was written or sent for it)
 *   3  not yet integrated into a signed checkpoint (audit prove: retry later)
 *  64  usage error: bad or missing options, unreadable files, a wrong key password (sysexits EX_USAGE)
 */
export const EXIT = { ok: 0, refused: 1, invalid: 2, notIntegrated: 3, usage: 64 } as const;
