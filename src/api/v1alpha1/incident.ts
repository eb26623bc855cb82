/**
 * @module
 * Incident: Vigil's audit record of one problem, from detection to resolution, with the actions taken.
 */
import { z } from "zod";
import { Condition, ObjectReference } from "./common.js";

export const Severity = z.enum(["critical", "high", "medium", "low"]);

export const TimelineEntry = z.object({
  time: z.string(),
  kind: z.enum(["Detected", "Planned", "Acted", "Verified", "Undone", "Escalated", "Resolved", "Note"]),
  message: z.string().max(4096),
  action: z.string().max(128).optional(),
  patch: z
    .string()
    .max(32768)
    .optional()
    .describe("The exact patch applied (or that a dry run would apply)."),
});
export type TimelineEntry = z.output<typeof TimelineEntry>;

export const IncidentSpec = z.object({
  target: ObjectReference.describe("The workload or node the incident is about."),
  findingId: z.string().max(253),
  reason: z.string().max(1024),
  severity: Severity,
});
export type IncidentSpec = z.output<typeof IncidentSpec>;

/** One action Vigil took (or planned) for the incident: the planner reads these back as its history. */
export const IncidentAction = z.object({
  id: z.string().max(64),
  kind: z.string().max(64),
  findingId: z.string().max(512),
  target: ObjectReference,
  scope: ObjectReference,
  mode: z.enum(["Off", "DryRun", "Recommend", "Auto"]),
  at: z.string(),
  outcome: z.enum(["pending", "verified", "worse", "timedOut", "undone", "failed"]),
  signature: z.string().max(1024).optional(),
});
export type IncidentAction = z.output<typeof IncidentAction>;

export const IncidentStatus = z.object({
  phase: z.enum(["Open", "Acting", "Verifying", "Resolved", "Escalated"]).optional(),
  detectedAt: z.string().optional(),
  resolvedAt: z.string().optional(),
  mttrSeconds: z.number().min(0).max(31_536_000).optional(),
  timeline: z.array(TimelineEntry).max(200).optional(),
  actions: z.array(IncidentAction).max(50).optional(),
  conditions: z.array(Condition).max(16).optional(),
});
export type IncidentStatus = z.output<typeof IncidentStatus>;
