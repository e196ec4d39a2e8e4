// The home page: the database list, rendered on the server and hydrated in the browser.
import { expect, test, type ConsoleMessage } from "@playwright/test";
import { HomePage } from "./fixtures/home-page";

test.describe("the home page", () => {
  test("the server-rendered HTML already lists the demo databases", async ({ request }) => {
    const response = await request.get("/");
    expect(response.status()).toBe(200);
    const html = await response.text();
    expect(html).toContain('data-database="school"');
    expect(html).toContain('data-database="sales"');
    expect(html).toContain("enrollments");
  });

  test.describe("without JavaScript", () => {
    test.use({ javaScriptEnabled: false });

    test("the list, counts and badges are readable", async ({ page }) => {
      const home = new HomePage(page);
      await home.goto();
      await expect(home.card("school")).toBeVisible();
      await expect(home.card("school").getByTestId("table-count")).toHaveText("3 tables");
      await expect(home.tableNames("school")).toHaveText(["courses", "enrollments", "students"]);
      await expect(home.defaultBadge("sales")).toHaveText("default");
    });
  });

  test("after hydration it shows every database with its tables and no console errors", async ({ page }, testInfo) => {
    const problems: string[] = [];
    page.on("console", (message: ConsoleMessage) => {
      if (message.type() === "error" || message.type() === "warning") {
        problems.push(`${message.type()}: ${message.text()}`);
      }
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));

    const home = new HomePage(page);
    await home.goto();
    await home.waitForHydration();

    await expect(home.heading).toBeVisible();
    await expect(home.summary).toHaveText("3 databases · 9 tables");
    await expect(home.cards).toHaveCount(3);
    await expect(home.card("sales").getByTestId("table-count")).toHaveText("1 table");
    await expect(home.tableNames("sales")).toHaveText(["orders"]);
    await expect(home.tableNames("school")).toHaveText(["courses", "enrollments", "students"]);
    await expect(home.defaultBadge("school")).toBeVisible();
    await expect(page).toHaveTitle("Databases · Database Manager");

    const screenshot = await page.screenshot({ path: testInfo.outputPath("home.png"), fullPage: true });
    await testInfo.attach("home page", { body: screenshot, contentType: "image/png" });
    expect(problems).toEqual([]);
  });

  test("the filter narrows the list by name as you type, and the address keeps it", async ({ page }) => {
    const home = new HomePage(page);
    await home.goto();
    await home.waitForHydration();
    await home.filter.fill("SCH");
    await expect(home.cards).toHaveCount(1);
    await expect(home.card("school")).toBeVisible();
    await expect(home.summary).toHaveText("1 of 3 databases match “SCH”");
    await expect(page).toHaveURL(/\?q=SCH$/);

    // The narrowed list is rendered on the server too: a reload shows the same.
    await page.reload();
    await expect(home.cards).toHaveCount(1);
    await expect(home.filter).toHaveValue("SCH");

    await home.waitForHydration();
    await home.filter.fill("");
    await expect(home.cards).toHaveCount(3);
    await expect(page).toHaveURL(/\/$/);
  });

  test("the page is usable from the keyboard: skip link first, then the header", async ({ page }) => {
    const home = new HomePage(page);
    await home.goto();
    await home.waitForHydration();
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/#main$/);
  });

  test.describe("in the dark theme", () => {
    test.use({ colorScheme: "dark" });

    test("the page follows prefers-color-scheme", async ({ page }, testInfo) => {
      const home = new HomePage(page);
      await home.goto();
      await home.waitForHydration();
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background).toBe("rgb(14, 17, 22)");
      await page.screenshot({ path: testInfo.outputPath("home-dark.png"), fullPage: true });
    });
  });

  test.describe("on a phone", () => {
    test.use({ viewport: { width: 375, height: 740 } });

    test("cards stack in one column without horizontal scrolling", async ({ page }) => {
      const home = new HomePage(page);
      await home.goto();
      const [first, second] = await Promise.all([
        home.card("sales").boundingBox(),
        home.card("school").boundingBox(),
      ]);
      expect(first && second).toBeTruthy();
      expect(second!.y).toBeGreaterThan(first!.y + first!.height - 1);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    });
  });

  test("an unknown address shows a not-found page with a way back", async ({ page }) => {
    const response = await page.goto("/no/such/page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await page.getByRole("link", { name: "See all databases" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Databases" })).toBeVisible();
  });
});
