/**
 * @module
 * Where tests and benchmarks find the shared datasets (Loghub, NAB, crane traces): `$VIGIL_SHARED_DATA`,
 * else `../shared/data` next to the checkout, else `/work/shared/data`. The data is never copied into
 * the repository; tests that need it skip when it is absent.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));

export const SHARED_DATA: string =
  [process.env["VIGIL_SHARED_DATA"], resolve(root, "../shared/data"), "/work/shared/data"].find(
    (d): d is string => d !== undefined && existsSync(d),
  ) ?? resolve(root, "../shared/data");
