// Paint times, not pass/fail checks: `make paint-times` (scripts/paint-times.sh) runs this
// against a release server. One worker, so the loads do not compete for the CPU.
import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

export default defineConfig({
  testDir: "./perf",
  outputDir: "./test-results/perf",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 300_000,
  reporter: [["list"]],
  use: { ...base.use, trace: "off", screenshot: "off" },
});
