// Playwright against the real server (started by scripts/e2e.sh, which sets BASE_URL),
// in Debian's Chromium: Playwright's own browser downloads are not reachable here.
import { defineConfig, devices } from "@playwright/test";

const baseURL = process.env.BASE_URL;
if (!baseURL) {
  throw new Error("BASE_URL is not set: run the suite with `make e2e` (scripts/e2e.sh).");
}

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      // Without the networking flags Chromium floods the closed network with connections.
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  // Specs that only read run first; the ones that import and delete run after them, so
  // the counts the first ones check are not changed underneath them.
  projects: [
    { name: "reads", testIgnore: /imports\.spec\.ts/, use: { ...devices["Desktop Chrome"] } },
    {
      name: "writes",
      testMatch: /imports\.spec\.ts/,
      dependencies: ["reads"],
      use: { ...devices["Desktop Chrome"] },
    },
  ],
});
