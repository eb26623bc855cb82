/**
 * @module
 * Plain data shared by the core and the edges: errors, object references, the clock port.
 */
export { VigilError, invariant } from "./errors.js";
export type { ObjectRef, Clock } from "./types.js";
export { objectRef, refKey } from "./types.js";
export { parseQuantity } from "./quantity.js";
export { selectorMatches, type LabelSelectorLike } from "./selector.js";
