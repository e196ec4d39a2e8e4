// A table's profile view (/db/NAME/TABLE?view=profile): one card per column with its
// charts, rendered on the server and hydrated, readable on a phone and in both themes.
import { expect, test } from "@playwright/test";
import { TablePage } from "./fixtures/table-page";

const studentColumns = [
  "student_id",
  "first_name",
  "last_name",
  "email",
  "birth_date",
  "enrolled_at",
  "is_active",
  "gpa",
  "notes",
];

test.describe("the profile view", () => {
  test("school.students shows a card and a chart for every column", async ({ page }, testInfo) => {
    const table = new TablePage(page);
    await table.goto("/db/school/students");
    await page.getByRole("link", { name: "Profile", exact: true }).click();
    await expect(page).toHaveURL(/\/db\/school\/students\?view=profile$/);
    await expect(page.getByRole("link", { name: "Profile", exact: true })).toHaveAttribute("aria-current", "page");

    const profile = page.getByTestId("profile");
    await expect(profile).toContainText("Every one of its 240 rows");
    const cards = profile.locator(".profile-card");
    await expect(cards).toHaveCount(studentColumns.length);
    for (const [index, name] of studentColumns.entries()) {
      await expect(cards.nth(index).getByRole("heading", { level: 3 })).toHaveText(name);
    }
    // Numbers and dates get a histogram; text and booleans their most frequent values.
    const card = (name: string) => profile.locator(`.profile-card[data-column="${name}"]`);
    for (const name of ["gpa", "birth_date"]) {
      const chart = card(name).getByRole("img");
      await expect(chart).toHaveAttribute("aria-label", new RegExp(`^Histogram of ${name}: \\d+ bins from `));
      expect(await card(name).locator("rect.histogram__bar").count()).toBeGreaterThan(1);
    }
    await expect(card("is_active").getByRole("list", { name: /Most frequent values of is_active/ }).getByRole("listitem")).toHaveCount(2);
    await expect(card("is_active")).toContainText("True / false");
    await expect(card("first_name").getByTestId("top-values").getByRole("listitem").first()).toBeVisible();
    await expect(card("student_id").getByTestId("distinct")).toHaveText("240");
    await expect(card("email").getByTestId("all-different")).toHaveText("Every value is different.");
    await expect(card("student_id").getByTestId("empty")).toHaveText("0 empty (0.0%)");
    await page.screenshot({ path: testInfo.outputPath("students-profile.png"), fullPage: true });

    // Back to the rows.
    await page.getByRole("link", { name: "Rows", exact: true }).click();
    await expect(page).toHaveURL(/\/db\/school\/students$/);
    await expect(table.rowNumbers().first()).toHaveText("1");
  });

  test("sales.orders shows a histogram for a numeric column, from the HTML the server sent", async ({ page, request }) => {
    // Rendered on the server: the cards and their charts are in the first response.
    const html = await (await request.get("/db/sales/orders?view=profile")).text();
    expect(html).toContain('data-column="total"');
    expect(html).toContain('aria-label="Histogram of total: ');

    const table = new TablePage(page);
    await table.goto("/db/sales/orders?view=profile");
    const profile = page.getByTestId("profile");
    await expect(profile).toContainText("Every one of its 1,000,000 rows");
    const total = profile.locator('.profile-card[data-column="total"]');
    await expect(total.locator(".type-badge")).toHaveText("float");
    const histogram = total.getByTestId("histogram");
    await expect(histogram.getByRole("img")).toHaveAttribute("aria-label", /^Histogram of total: \d+ bins from /);
    expect(await histogram.locator("rect.histogram__bar").count()).toBeGreaterThanOrEqual(10);
    await expect(total).toContainText("Mean");
    // A column of a million distinct ids says its distinct count is an estimate.
    await expect(profile.locator('.profile-card[data-column="order_id"]').getByTestId("distinct")).toHaveText(/^≈ /);
  });

  for (const colorScheme of ["light", "dark"] as const) {
    test(`fits a 375 px phone screen in the ${colorScheme} theme`, async ({ browser }, testInfo) => {
      const context = await browser.newContext({
        viewport: { width: 375, height: 812 },
        colorScheme,
        storageState: testInfo.project.use.storageState,
      });
      const page = await context.newPage();
      await new TablePage(page).goto("/db/sales/orders?view=profile");
      await expect(page.getByTestId("profile").locator(".profile-card")).toHaveCount(9);
      const overflowing = await page.evaluate(
        () => document.documentElement.scrollWidth > window.innerWidth,
      );
      expect(overflowing).toBe(false);
      await page.screenshot({ path: testInfo.outputPath(`orders-profile-375-${colorScheme}.png`), fullPage: true });
      await context.close();
    });
  }
});
