/**
 * @module
 * kubectl-style output: `-o table|json|yaml`, tables with upper-case headers and two-space gaps.
 */
import { stringify } from "yaml";
import { z } from "zod";

export const OutputFormat = z.enum(["table", "json", "yaml"]);
export type OutputFormat = z.infer<typeof OutputFormat>;

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("   ")
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join("\n") + "\n";
}

export function renderData(format: Exclude<OutputFormat, "table">, data: unknown): string {
  return format === "json" ? JSON.stringify(data, undefined, 2) + "\n" : stringify(data);
}
