/** Stable action ids: FNV-1a (64 bit) of a readable key, so the same finding, action and target generation
 * always give the same id, across replicas and restarts. */

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;

export function fnv1a64(s: string): string {
  let h = OFFSET;
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i));
    h = (h * PRIME) & MASK;
  }
  return h.toString(16).padStart(16, "0");
}

/** `<kind>-<16 hex digits>`: at most 35 characters, valid as a label value and an annotation. */
export function actionId(kind: string, key: string): string {
  return `${kind.toLowerCase()}-${fnv1a64(key)}`;
}
