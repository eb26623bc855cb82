import { describe, expect, it } from "vitest";
import { loadEntries, neededEntries, type LazyEntry } from "./lazy.js";

const loaded: string[] = [];
const entries: LazyEntry<string>[] = ["analyze", "bench", "version"].map((name) => ({
  name,
  load: () => {
    loaded.push(name);
    return Promise.resolve(name);
  },
}));
const names = (args: string[], none?: (a: readonly string[]) => boolean) =>
  neededEntries(entries, args, none).map((e) => e.name);

describe("neededEntries", () => {
  it.each([
    [["analyze", "-n", "shop"], ["analyze"]],
    [["-v", "bench", "detect", "--runs", "1"], ["bench"]],
    [["help", "version"], ["version"]],
    [["--help"], ["analyze", "bench", "version"]],
    [[], ["analyze", "bench", "version"]],
    [["nope"], ["analyze", "bench", "version"]],
    [["help"], ["analyze", "bench", "version"]],
  ])("%j loads %j", (args, want) => {
    expect(names(args)).toEqual(want);
  });

  it("loads nothing when no command is named and `none` says so (--version)", () => {
    const none = (a: readonly string[]) => a.includes("--version");
    expect(names(["--version"], none)).toEqual([]);
    expect(names(["--help"], none)).toEqual(["analyze", "bench", "version"]);
  });

  it("imports only the needed modules, in registration order", async () => {
    loaded.length = 0;
    expect(await loadEntries(entries, ["bench", "detect"])).toEqual(["bench"]);
    expect(loaded).toEqual(["bench"]);
  });
});
