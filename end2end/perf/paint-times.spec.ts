// Perceived speed of the home page: first contentful paint and hydration, on a cold cache
// (a new browser context per load, the HTTP cache disabled), without throttling and with
// DevTools' "Fast 3G" profile. Prints a table of medians and the bytes the browser
// received; it measures, it does not judge (timings never fail a run).
import { test, type Browser } from "@playwright/test";
import { PASSWORD, uniqueName } from "../tests/fixtures/accounts";

const LOADS = Number(process.env.PAINT_LOADS ?? 5);

/** Chromium DevTools' presets (bytes per second, milliseconds). */
const networks = [
  { name: "no throttling", conditions: null },
  {
    name: "fast 3G",
    conditions: { latency: 562.5, downloadThroughput: 180_000, uploadThroughput: 84_375 },
  },
] as const;

const pages = [
  { name: "home (signed in)", path: "/", signedIn: true },
  { name: "sign-in", path: "/sign-in", signedIn: false },
];

interface Load {
  fcp: number;
  hydrated: number;
  wasmBytes: number;
  totalBytes: number;
}

/** Records when the app marks <body data-hydrated>, as the page sees it. */
const watchHydration = () => {
  new MutationObserver((_, observer) => {
    if (document.body?.dataset.hydrated) {
      performance.mark("hydrated");
      observer.disconnect();
    }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-hydrated"] });
};

async function coldLoad(
  browser: Browser,
  baseURL: string,
  path: string,
  session: string | undefined,
  conditions: (typeof networks)[number]["conditions"],
): Promise<Load> {
  const context = await browser.newContext({ baseURL, storageState: session });
  try {
    const page = await context.newPage();
    await page.addInitScript(watchHydration);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    if (conditions) {
      await cdp.send("Network.emulateNetworkConditions", { offline: false, ...conditions });
    }
    await page.goto(path);
    await page.waitForFunction(() => performance.getEntriesByName("hydrated").length > 0, null, {
      timeout: 120_000,
    });
    return await page.evaluate(() => {
      const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN;
      const hydrated = performance.getEntriesByName("hydrated")[0].startTime;
      const navigation = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const resources = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
      const wasmBytes = resources
        .filter((entry) => entry.name.endsWith(".wasm"))
        .reduce((sum, entry) => sum + entry.encodedBodySize, 0);
      const totalBytes = resources.reduce((sum, entry) => sum + entry.transferSize, navigation.transferSize);
      return { fcp, hydrated, wasmBytes, totalBytes };
    });
  } finally {
    await context.close();
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

test("paint times of a cold load", async ({ browser, baseURL, playwright }, testInfo) => {
  // A user with a session, signed up through the API like the suite's setup does.
  const session = testInfo.outputPath("session.json");
  const request = await playwright.request.newContext({ baseURL });
  await request.post("/api/sign_up", { form: { username: uniqueName("paint"), password: PASSWORD } });
  await request.storageState({ path: session });
  await request.dispose();

  const rows: string[][] = [];
  for (const { name, path, signedIn } of pages) {
    for (const network of networks) {
      const loads: Load[] = [];
      for (let run = 0; run < LOADS; run++) {
        loads.push(
          await coldLoad(browser, baseURL!, path, signedIn ? session : undefined, network.conditions),
        );
      }
      rows.push([
        name,
        network.name,
        `${Math.round(median(loads.map((load) => load.fcp)))} ms`,
        `${Math.round(median(loads.map((load) => load.hydrated)))} ms`,
        `${Math.round(median(loads.map((load) => load.wasmBytes)) / 1024)} KB`,
        `${Math.round(median(loads.map((load) => load.totalBytes)) / 1024)} KB`,
      ]);
    }
  }
  const header = ["page", "network", "first paint", "hydrated", "wasm received", "all received"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join("  ");
  console.log(`\nCold loads in Chromium, median of ${LOADS} (a new context each, cache disabled):`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
});
