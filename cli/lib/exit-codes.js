// Exit codes scripts can rely on (docs/cli.md lists them). One table, one error type: a command
// throws CliError and efn.js prints it and exits with its code.

export const EXIT = Object.freeze({
  OK: 0,
  /** The command ran but did not succeed: a function failed, a push or deploy was refused (400/409). */
  FAILED: 1,
  /** Bad command line: unknown command or flag, missing argument, not inside an lpf project. */
  USAGE: 2,
  /** Not logged in, or the platform refused the credentials (401). */
  AUTH: 3,
  /** Logged in, but the role may not do this (403). */
  FORBIDDEN: 4,
  /** The function, or whatever was named, does not exist (404). */
  NOT_FOUND: 5,
  /** The platform failed or could not be reached (5xx, network error). */
  SERVER: 6,
  /** A deploy or undeploy did not settle, or logs --follow / a request ran out of time. */
  TIMEOUT: 7,
});

export class CliError extends Error {
  /**
   * @param {number} code one of EXIT
   * @param {string} message what to tell the user (never a secret)
   * @param {Record<string, unknown>} [details] extra fields for --json (errorCode, status, ...)
   */
  constructor(code, message, details = {}) {
    super(message);
    this.code = code;
    this.details = details;
    /** @type {unknown} the answer's body, when an HTTP call failed */
    this.body = undefined;
  }
}

/** The exit code for an HTTP error status. */
export function exitCodeForStatus(/** @type {number} */ status) {
  if (status === 401) return EXIT.AUTH;
  if (status === 403) return EXIT.FORBIDDEN;
  if (status === 404) return EXIT.NOT_FOUND;
  if (status >= 500 && status !== 901) return EXIT.SERVER;
  return EXIT.FAILED;
}
