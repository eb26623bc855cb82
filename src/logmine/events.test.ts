import { describe, expect, it } from "vitest";
import { type LogEvent, createEventAssembler, severityOf, splitHeader } from "./index.js";

function events(text: string): LogEvent[] {
  const asm = createEventAssembler(200, 10_000);
  const out: LogEvent[] = [];
  for (const l of text.split("\n")) {
    const e = asm.push(l);
    if (e !== undefined) out.push(e);
  }
  const last = asm.flush();
  if (last !== undefined) out.push(last);
  return out;
}

describe("splitHeader", () => {
  const cases: [string, string, string | undefined][] = [
    ["2024-05-01T10:00:00.123Z INFO started", "started", "info"],
    ["2015-10-18 18:01:47,978 WARN [main] x: y", "[main] x: y", "warn"],
    ["[2024-01-02 03:04:05] [error] boom", "boom", "error"],
    ["E0501 10:00:00.123456       1 reflector.go:138] failed to list", "failed to list", "error"],
    ['{"level":"warn","msg":"slow query","error":"timeout"}', "slow query error=timeout", "warn"],
    ['{"not":"a log"}', '{"not":"a log"}', undefined],
    ["time=2024 level=error msg=x", "time=2024 level=error msg=x", undefined],
    ["plain message", "plain message", undefined],
  ];
  for (const [line, message, level] of cases) {
    it(line, () => {
      expect(splitHeader(line)).toEqual({ message, level });
    });
  }
});

describe("severityOf", () => {
  it.each([
    ["connection refused", undefined, "error"],
    ["java.lang.NullPointerException", undefined, "error"],
    ["request timed out, retrying", undefined, "warn"],
    ["all good", undefined, "info"],
    ["error count 0", "info", "info"],
  ] as const)("%s", (m, l, want) => {
    expect(severityOf(m, l)).toBe(want);
  });
});

describe("event assembler: multi-line stack traces are one event", () => {
  it("Java", () => {
    const ev = events(
      [
        "2024-05-01 10:00:00 ERROR request failed",
        "java.lang.IllegalStateException: pool exhausted",
        "\tat com.acme.Db.get(Db.java:42)",
        "Caused by: java.io.IOException: reset",
        "\t... 12 more",
        "2024-05-01 10:00:01 INFO next",
      ].join("\n"),
    );
    expect(ev.map((e) => [e.message, e.lines, e.stack, e.severity])).toEqual([
      ["request failed", 5, true, "error"],
      ["next", 1, false, "info"],
    ]);
  });

  it("Python: the exception line names the event", () => {
    const ev = events(
      [
        "Traceback (most recent call last):",
        '  File "app.py", line 3, in <module>',
        "ValueError: bad value 3",
        "done",
      ].join("\n"),
    );
    expect(ev.map((e) => [e.message, e.lines])).toEqual([
      ["ValueError: bad value 3", 3],
      ["done", 1],
    ]);
    expect(ev[0]?.severity).toBe("error");
  });

  it("Go panic with goroutine dump", () => {
    const ev = events(
      [
        "panic: runtime error: index out of range [3] with length 3",
        "",
        "goroutine 1 [running]:",
        "main.main()",
        "\t/app/main.go:10 +0x1d",
        "exit status 2",
      ].join("\n"),
    );
    expect(ev[0]?.message).toBe("panic: runtime error: index out of range [3] with length 3");
    expect(ev[0]?.lines).toBe(5);
  });

  it("bounds an event's lines", () => {
    const asm = createEventAssembler(3, 1000);
    const out = ["boom", "\tat a", "\tat b", "\tat c", "\tat d"]
      .map((l) => asm.push(l))
      .filter((e) => e !== undefined);
    expect(out[0]?.lines).toBe(3);
  });
});
