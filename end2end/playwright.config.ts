// Playwright against the real server (started by scripts/e2e.sh, which sets BASE_URL),
// in Debian's Chromium: Playwright's own browser downloads are not reachable here.
import { defineConfig, devices } from "@playwright/test";
import { sessionFile } from "./tests/fixtures/accounts";

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
  timeout: 60_000,
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
  // `setup` signs up a reader and a writer. Specs that only read run as the reader; the
  // ones that import and delete run as the writer, after the reads. The accounts spec
  // signs up its own users in the browser and needs no saved session.
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    {
      name: "reads",
      testIgnore: /(imports|accounts)\.spec\.ts|auth\.setup\.ts/,
      dependencies: ["setup"],
      use: { ...devices["Desktop Chrome"], storageState: sessionFile("reader") },
    },
    {
      name: "writes",
      testMatch: /imports\.spec\.ts/,
      dependencies: ["reads"],
      use: { ...devices["Desktop Chrome"], storageState: sessionFile("writer") },
    },
    { name: "accounts", testMatch: /accounts\.spec\.ts/, use: { ...devices["Desktop Chrome"] } },
  ],
});
