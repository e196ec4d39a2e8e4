// Table previews: loaded only when asked for, cached per database in the browser.
import { expect, test } from "@playwright/test";
import { HomePage } from "./fixtures/home-page";
import { SchemaRequests } from "./fixtures/schema-requests";

test.describe("table previews", () => {
  test("the first load of the home page requests no preview", async ({ page }) => {
    const requests = new SchemaRequests(page);
    const home = new HomePage(page);
    await home.goto();
    await home.waitForHydration();
    await page.waitForLoadState("networkidle");
    expect(requests.count).toBe(0);
    await expect(page.locator("section.table-preview")).toHaveCount(0);
  });

  test("loading one database shows its tables, types and exact row counts", async ({ page }, testInfo) => {
    const requests = new SchemaRequests(page);
    const home = new HomePage(page);
    await home.goto();
    await home.waitForHydration();

    await home.previewToggle("school").click();
    const students = home.tablePreview("school", "students");
    await expect(students).toBeVisible();
    await expect(home.card("school").locator("section.table-preview")).toHaveCount(3);
    await expect(students.getByTestId("row-count")).toHaveText("240 rows");
    const headers = students.locator("thead th");
    await expect(headers.first()).toContainText("student_id");
    await expect(headers.first().locator(".type-badge")).toHaveText("text");
    await expect(students.locator("thead th", { hasText: "gpa" }).locator(".type-badge")).toHaveText("float");
    await expect(students.locator("tbody tr")).toHaveCount(5);
    await expect(students.locator("tbody tr").first().locator("td").first()).toHaveText("000001");
    await expect(students.locator("tbody")).toContainText("Transferred from Lyon, France");
    expect(requests.for("school")).toBe(1);
    expect(requests.for("sales")).toBe(0);

    // Wide tables scroll inside their box; the page itself never scrolls sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    await page.screenshot({ path: testInfo.outputPath("previews.png"), fullPage: true });
  });

  test("the million-row demo table shows its exact count from its statistics", async ({ page }) => {
    const home = new HomePage(page);
    await home.goto();
    await home.waitForHydration();
    await home.previewToggle("sales").click();
    const orders = home.tablePreview("sales", "orders");
    await expect(orders.getByTestId("row-count")).toHaveText("1,000,000 rows");
    await expect(orders.locator("tbody tr")).toHaveCount(5);
  });

  test("collapsing and reopening shows the previews again without a request; Refresh makes exactly one", async ({ page }) => {
    const requests = new SchemaRequests(page);
    const home = new HomePage(page);
    await home.goto();
    await home.waitForHydration();

    const toggle = home.previewToggle("school");
    await toggle.click();
    await expect(home.tablePreview("school", "courses")).toBeVisible();
    await expect(toggle).toHaveAttribute("aria-expanded", "true");
    expect(requests.for("school")).toBe(1);

    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-expanded", "false");
    await expect(home.tablePreview("school", "courses")).toHaveCount(0);
    await toggle.click();
    await expect(home.tablePreview("school", "courses")).toBeVisible();
    await page.waitForLoadState("networkidle");
    expect(requests.for("school")).toBe(1);

    const answered = page.waitForResponse((r) => r.url().includes("/api/database_schema"));
    await home.refreshButton("school").click();
    await answered;
    await expect(home.tablePreview("school", "courses")).toBeVisible();
    await page.waitForLoadState("networkidle");
    expect(requests.for("school")).toBe(2);
  });

  test("a database page deep-links to its previews and shares the browser cache", async ({ page }) => {
    const requests = new SchemaRequests(page);
    await page.goto("/db/school");
    await new HomePage(page).waitForHydration();
    await expect(page.getByRole("heading", { level: 1, name: "school" })).toBeVisible();
    await expect(page.locator('section.table-preview[data-table="enrollments"]')).toBeVisible();
    expect(requests.for("school")).toBe(1);

    // Away to the list and back through the card's link: the cached previews are shown.
    await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Databases" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Databases" })).toBeVisible();
    await page.getByRole("link", { name: "school", exact: true }).click();
    await expect(page.locator('section.table-preview[data-table="enrollments"]')).toBeVisible();
    await page.waitForLoadState("networkidle");
    expect(requests.for("school")).toBe(1);
  });

  test("an unknown database shows the API's message", async ({ page }) => {
    await page.goto("/db/nope");
    await new HomePage(page).waitForHydration();
    await expect(page.getByRole("alert")).toContainText('There is no database named "nope".');
  });
});
