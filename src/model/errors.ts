/**
 * @module
 * The one error base class. Edges throw subclasses with a stable `code` and a `cause`;
 * the CLI maps codes to exit statuses and one line on stderr.
 */
export class VigilError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  constructor(code: string, message: string, options?: ErrorOptions & { hint?: string }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.hint = options?.hint;
  }
}

/** A broken invariant is a programmer error, never an expected outcome. */
export function invariant(cond: unknown, message: string): asserts cond {
  if (!cond) throw new VigilError("Invariant", message);
}
