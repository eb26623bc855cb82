/**
 * A slim LimitRange: the memory bounds a raised limit must respect. The snapshot has no LimitRanges, so the
 * caller lists them and passes them through this schema.
 */
import { z } from "zod";

const Quantities = z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).default({});

export const LimitRange = z.object({
  metadata: z.object({ name: z.string(), namespace: z.string().default("") }),
  spec: z
    .object({
      limits: z
        .array(z.object({ type: z.string(), max: Quantities, maxLimitRequestRatio: Quantities }))
        .default([]),
    })
    .default({ limits: [] }),
});
export type LimitRange = z.output<typeof LimitRange>;
