/**
 * @module
 * Lazy command registration: a command module (and the SDKs it imports) is loaded only when the command line
 * names it. `vigil --version` loads none, `vigil analyze …` loads analyze alone; help without a command and
 * unknown commands load them all, so the listing and commander's suggestions stay exactly as they were.
 */

/** A command (or `vigil bench` benchmark) whose module is imported on demand. */
export interface LazyEntry<T> {
  readonly name: string;
  readonly load: () => Promise<T>;
}

/**
 * The entries a command line needs. `args` are the tokens after the program (or parent command); every option
 * before the command name must be a flag without a value (true of vigil's global options). `none` is true
 * when no entry is needed if no command is named (e.g. `--version`).
 */
export function neededEntries<T>(
  entries: readonly LazyEntry<T>[],
  args: readonly string[],
  none: (args: readonly string[]) => boolean = () => false,
): readonly LazyEntry<T>[] {
  const operands = args.filter((a) => !a.startsWith("-"));
  let name = operands[0];
  if (name === "help") name = operands[1];
  if (name === undefined) return none(args) ? [] : entries;
  const hit = entries.find((e) => e.name === name);
  return hit !== undefined ? [hit] : entries;
}

/** Loads the needed entries in parallel; the result keeps the registration order of `entries`. */
export async function loadEntries<T>(
  entries: readonly LazyEntry<T>[],
  args: readonly string[],
  none?: (args: readonly string[]) => boolean,
): Promise<readonly T[]> {
  return Promise.all(neededEntries(entries, args, none).map((e) => e.load()));
}
