/**
 * Expected failures are values: a function that can fail in a way the user must hear about
 * returns one of these (the one Result shape of the project). Where callers branch on why,
 * `E` is a union tagged by `kind`, and they switch on it with `unreachable` as the default.
 */
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

/** For `switch` statements over tagged unions: a compile error when a case is missing. */
export function unreachable(x: never): never {
  throw new Error(`unreachable: ${JSON.stringify(x)}`);
}
