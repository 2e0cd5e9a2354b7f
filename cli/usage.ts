// Errors that mean "the command line or the project setup is wrong": exit code 2 with a one-line reason.
export class UsageError extends Error {}

declare const PGMIG_VERSION: string | undefined;
export const VERSION: string = typeof PGMIG_VERSION === 'string' ? PGMIG_VERSION : '0.0.0-dev';
