import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatUsageCsv, parseUsageCsv } from "./csv.js";

describe("parseUsageCsv", () => {
  it.each([
    ["ts,cpu,mem\n1,0.5,100\n2,0.6,200\n", 2, false],
    ["1,0.5,100\r\n2,0.6,200", 2, false],
    ["ts,cpu,mem,cpu_request,mem_request\n1,0.5,100,1,1000\n2,0.6,200,,\n", 2, true],
    ["\n\n1,0,0\n\n", 1, false],
  ])("accepts %j", (text, n, req) => {
    const r = parseUsageCsv(text);
    expect(r.kind).toBe("ok");
    if (r.kind === "ok") {
      expect(r.samples).toHaveLength(n);
      expect(r.hasRequests).toBe(req);
    }
  });
  it.each([
    ["ts,cpu,mem\n1,0.5\n", 2, "expected 3 or 5 columns"],
    ["ts,cpu,mem\n1,x,100\n", 2, "cpu is not"],
    ["1,0.5,-1\n", 1, "mem is not"],
    ["1,0.5,1\n1,0.5,1\n", 2, "is not after"],
    ["1,0.5,1,0,5\n", 1, "cpu_request"],
    ["ts,cpu\n", 1, "header"],
    ["", 1, "no data rows"],
    ["1,0.5,1e999\n", 1, "mem is not"],
  ])("rejects %j at line %d", (text, line, msg) => {
    const r = parseUsageCsv(text);
    expect(r.kind).toBe("error");
    if (r.kind === "error") {
      expect(r.line).toBe(line);
      expect(r.message).toContain(msg);
      expect(r.message).not.toContain("\n");
    }
  });
  it("round-trips formatted samples (property)", () => {
    const sample = fc.record({
      dt: fc.integer({ min: 1, max: 3600 }),
      cpu: fc.double({ min: 0, max: 64, noNaN: true }),
      mem: fc.integer({ min: 0, max: 2 ** 40 }),
      req: fc.option(
        fc.record({
          cpu: fc.double({ min: 0.001, max: 64, noNaN: true }),
          mem: fc.integer({ min: 1, max: 2 ** 40 }),
        }),
      ),
    });
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 30 }), (rows) => {
        let t = 1_700_000_000;
        const samples = rows.map((r) => {
          t += r.dt;
          return { t, cpu: r.cpu, mem: r.mem, cpuRequest: r.req?.cpu, memRequest: r.req?.mem };
        });
        const back = parseUsageCsv(formatUsageCsv(samples));
        expect(back.kind).toBe("ok");
        if (back.kind !== "ok") return;
        expect(back.samples.map((s) => [s.t, s.cpu, s.mem])).toEqual(samples.map((s) => [s.t, s.cpu, s.mem]));
      }),
      { numRuns: 100 },
    );
  });
  it("never throws, and any error names a line inside the text (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("1", "2", ",", ".", "-", "e", "\n", "x", " ", "t", "s") }),
        (text) => {
          const r = parseUsageCsv(text);
          if (r.kind === "error") {
            expect(r.line).toBeGreaterThanOrEqual(1);
            expect(r.line).toBeLessThanOrEqual(Math.max(1, text.split("\n").length));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
