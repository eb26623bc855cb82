/**
 * @module
 * Turns the zod schemas into CustomResourceDefinition objects (structural OpenAPI v3 schemas).
 */
import { z } from "zod";
import { HealingPolicySpec, HealingPolicyStatus } from "./v1alpha1/healingpolicy.js";
import { IncidentSpec, IncidentStatus } from "./v1alpha1/incident.js";
import { PredictiveScalerSpec, PredictiveScalerStatus } from "./v1alpha1/predictivescaler.js";

export const GROUP = "vigil.dev";
export const VERSION = "v1alpha1";

export interface CrdDefinition {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly scope: "Namespaced" | "Cluster";
  readonly spec: z.ZodType;
  readonly status: z.ZodType;
  readonly printerColumns: readonly { name: string; type: string; jsonPath: string }[];
}

export const CRDS: readonly CrdDefinition[] = [
  {
    kind: "HealingPolicy",
    plural: "healingpolicies",
    singular: "healingpolicy",
    shortNames: ["hp", "vhp"],
    scope: "Namespaced",
    spec: HealingPolicySpec,
    status: HealingPolicyStatus,
    printerColumns: [
      { name: "Mode", type: "string", jsonPath: ".spec.mode" },
      { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    ],
  },
  {
    kind: "Incident",
    plural: "incidents",
    singular: "incident",
    shortNames: ["inc"],
    scope: "Namespaced",
    spec: IncidentSpec,
    status: IncidentStatus,
    printerColumns: [
      { name: "Target", type: "string", jsonPath: ".spec.target.name" },
      { name: "Severity", type: "string", jsonPath: ".spec.severity" },
      { name: "Phase", type: "string", jsonPath: ".status.phase" },
      { name: "MTTR", type: "number", jsonPath: ".status.mttrSeconds" },
      { name: "Reason", type: "string", jsonPath: ".spec.reason", priority: 1 } as never,
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    ],
  },
  {
    kind: "PredictiveScaler",
    plural: "predictivescalers",
    singular: "predictivescaler",
    shortNames: ["ps"],
    scope: "Namespaced",
    spec: PredictiveScalerSpec,
    status: PredictiveScalerStatus,
    printerColumns: [
      { name: "Target", type: "string", jsonPath: ".spec.target.name" },
      { name: "Mode", type: "string", jsonPath: ".spec.mode" },
      { name: "Desired", type: "integer", jsonPath: ".status.desiredReplicas" },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    ],
  },
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Removes what a structural CRD schema may not carry ($schema, additionalProperties on records we keep). */
function structural(node: Json): Json {
  if (Array.isArray(node)) return node.map(structural);
  if (node === null || typeof node !== "object") return node;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "$schema" || k === "$id") continue;
    if (k === "additionalProperties" && v === false) continue;
    if (k === "propertyNames") continue;
    out[k] = structural(v);
  }
  return out;
}

function schemaOf(t: z.ZodType): Json {
  return structural(
    z.toJSONSchema(t, { target: "openapi-3.0", io: "input", unrepresentable: "any" }) as Json,
  );
}

export function crdManifest(def: CrdDefinition): Record<string, unknown> {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${def.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: def.kind,
        plural: def.plural,
        singular: def.singular,
        shortNames: [...def.shortNames],
        listKind: `${def.kind}List`,
      },
      scope: def.scope,
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.printerColumns,
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                apiVersion: { type: "string" },
                kind: { type: "string" },
                metadata: { type: "object" },
                spec: schemaOf(def.spec),
                status: schemaOf(def.status),
              },
              required: ["spec"],
            },
          },
        },
      ],
    },
  };
}
