/**
 * @module
 * Vigil's custom resources (vigil.dev/v1alpha1) as zod schemas: the types, the runtime validation and,
 * through scripts/gen-crds.ts, the CRDs in deploy/crds/.
 */
export * from "./v1alpha1/common.js";
export * from "./v1alpha1/healingpolicy.js";
export * from "./v1alpha1/incident.js";
export * from "./v1alpha1/predictivescaler.js";
export { CRDS, crdManifest, type CrdDefinition } from "./crds.js";
