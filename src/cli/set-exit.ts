/** Commands report their exit code through this instead of calling process.exit. */
export type SetExit = (code: number) => void;
