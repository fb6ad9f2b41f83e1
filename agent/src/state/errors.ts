/** A store that cannot be used: unreachable, refused, or of a newer schema. Commands exit 2 with its message. */
export class StoreError extends Error {}
