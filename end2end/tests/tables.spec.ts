// A table's own page: any row of the million-row demo table, paging, the URL as the
// position, downloads. (That an import drops the pages the browser kept is in
// imports.spec.ts, with the other writes.)
import { expect, test } from "@playwright/test";
import { HomePage } from "./fixtures/home-page";
import { TablePage } from "./fixtures/table-page";

test.describe("the table page", () => {
  test("opens from its card, goes to row 1,000,000 and pages on", async ({ page }, testInfo) => {
    const home = new HomePage(page);
    const table = new TablePage(page);
    await home.goto();
    await home.waitForHydration();
    await home.card("sales").getByRole("link", { name: "orders", exact: true }).click();

    await expect(page).toHaveURL(/\/db\/sales\/orders$/);
    await expect(page.getByRole("heading", { level: 1, name: "orders" })).toBeVisible();
    await expect(table.rowCount).toHaveText("1,000,000 rows");
    await expect(table.rowNumbers().first()).toHaveText("1");
    await expect(table.rowNumbers()).toHaveCount(100);
    await expect(table.grid.locator("thead th").nth(1)).toContainText("order_id");

    await table.goToRow.fill("1000000");
    await table.goToRow.press("Enter");
    await expect(page).toHaveURL(/\?row=1000000$/);
    await expect(table.rowNumbers()).toHaveCount(1);
    await expect(table.rowNumbers().first()).toHaveText("1,000,000");
    await expect(table.position).toHaveText("Rows 1,000,000–1,000,000 of 1,000,000 rows");
    await page.screenshot({ path: testInfo.outputPath("last-row.png"), fullPage: true });

    await table.pagerLink("First").click();
    await expect(table.rowNumbers().first()).toHaveText("1");
    await table.pagerLink("Next").click();
    await expect(page).toHaveURL(/\?row=101$/);
    await expect(table.rowNumbers().first()).toHaveText("101");
    await expect(table.rowNumbers().last()).toHaveText("200");

    // The keyboard pages too.
    await page.keyboard.press("PageDown");
    await expect(table.rowNumbers().first()).toHaveText("201");
    await page.keyboard.press("PageUp");
    await expect(table.rowNumbers().first()).toHaveText("101");
  });

  test("a position deep-links, and the back button returns to it", async ({ page }) => {
    const table = new TablePage(page);
    await table.goto("/db/sales/orders?row=500001&size=50");
    await expect(table.rowNumbers().first()).toHaveText("500,001");
    await expect(table.rowNumbers()).toHaveCount(50);
    await expect(table.pageSize).toHaveValue("50");

    await table.pagerLink("Next").click();
    await expect(table.rowNumbers().first()).toHaveText("500,051");
    await page.goBack();
    await expect(page).toHaveURL(/\?row=500001&size=50$/);
    await expect(table.rowNumbers().first()).toHaveText("500,001");

    await table.pageSize.selectOption("500");
    await expect(table.rowNumbers()).toHaveCount(500);
    await expect(page).toHaveURL(/\?row=500001&size=500$/);
  });

  test("the download button starts a download of the table", async ({ page }) => {
    const table = new TablePage(page);
    await table.goto("/db/school/students");
    const started = page.waitForEvent("download");
    await table.download.click();
    const download = await started;
    expect(download.suggestedFilename()).toBe("students.csv");
    expect(await download.failure()).toBeNull();
  });

  test("an unknown table shows the API's message", async ({ page }) => {
    const table = new TablePage(page);
    await table.goto("/db/sales/nothing");
    await expect(page.getByRole("alert")).toContainText('There is no table named "nothing"');
  });
});
