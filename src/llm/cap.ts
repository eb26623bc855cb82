/**
 * Output caps: no tool result reaches a model (or an MCP client) unbounded. A capped result says what
 * was cut and how to narrow the query, so the model asks again with a selector instead of guessing.
 */

/** Cuts `s` to at most `maxBytes` UTF-8 bytes (on a character boundary) and appends a narrowing hint. */
export function capText(s: string, maxBytes: number, hint: string): string {
  const total = Buffer.byteLength(s, "utf8");
  if (total <= maxBytes) return s;
  const note = `\n…[truncated: showed about ${maxBytes} of ${total} bytes. ${hint}]`;
  const budget = Math.max(0, maxBytes - Buffer.byteLength(note, "utf8"));
  let cut = Buffer.from(s, "utf8").subarray(0, budget).toString("utf8");
  // A cut through a multi-byte character decodes to U+FFFD; drop it.
  if (cut.endsWith("\uFFFD")) cut = cut.slice(0, -1);
  return cut + note;
}

/** Keeps the first `limit` items and says how many were left out. */
export function capList<T>(
  items: readonly T[],
  limit: number,
): { readonly items: readonly T[]; readonly total: number; readonly truncated: boolean } {
  return { items: items.slice(0, limit), total: items.length, truncated: items.length > limit };
}
