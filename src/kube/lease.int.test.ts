// Integration: two candidates on one real Lease never lead at the same time, and the second takes over
// when the first releases or stops renewing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSandbox, type TestSandbox } from "../../test/harness.js";
import { LeaderElector } from "./index.js";

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startSandbox("lease", 1);
});
afterAll(async () => {
  await sb.down();
});

describe("LeaderElector on a real apiserver", () => {
  it("one leader at a time; failover after release", async () => {
    const leading = new Set<string>();
    let overlap = false;
    const log: string[] = [];
    const candidate = (id: string, stop: AbortController) =>
      new LeaderElector(sb.kc, {
        namespace: "default",
        name: "vigil-test",
        identity: id,
        retryMs: 300,
        leaseSeconds: 3,
      }).run(stop.signal, async (leader) => {
        if (leading.size > 0) overlap = true;
        leading.add(id);
        log.push(`${id} leads`);
        await new Promise<void>((r) => {
          leader.addEventListener(
            "abort",
            () => {
              r();
            },
            { once: true },
          );
        });
        leading.delete(id);
        log.push(`${id} stops`);
      });
    const a = new AbortController();
    const b = new AbortController();
    const ra = candidate("a", a);
    await eventually("a leads", 10_000, () => Promise.resolve(leading.has("a") ? true : undefined));
    const rb = candidate("b", b);
    await new Promise((r) => setTimeout(r, 2_000));
    expect([...leading]).toEqual(["a"]);
    a.abort(); // releases the lease
    await ra;
    await eventually("b leads", 10_000, () => Promise.resolve(leading.has("b") ? true : undefined));
    b.abort();
    await rb;
    expect(overlap).toBe(false);
    expect(log).toEqual(["a leads", "a stops", "b leads", "b stops"]);
    const holder = await sb.kubectl(
      "get",
      "lease",
      "vigil-test",
      "-n",
      "default",
      "-o",
      "jsonpath={.spec.holderIdentity}",
    );
    expect(holder).toBe("");
  });

  it("a candidate takes over an expired lease whose holder vanished", async () => {
    const ghost = new LeaderElector(sb.kc, {
      namespace: "default",
      name: "vigil-expire",
      identity: "ghost",
      leaseSeconds: 2,
    });
    expect(await ghost.tryAcquireOrRenew()).toBe(true);
    const other = new LeaderElector(sb.kc, {
      namespace: "default",
      name: "vigil-expire",
      identity: "heir",
      leaseSeconds: 2,
    });
    expect(await other.tryAcquireOrRenew()).toBe(false);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await other.tryAcquireOrRenew()).toBe(true);
    expect(await ghost.tryAcquireOrRenew()).toBe(false);
  });
});
