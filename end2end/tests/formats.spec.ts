// Tables other tools wrote in other formats: the demo database `formats` holds one table
// in each (csv, csv.gz, csv.zst, parquet, jsonl). Each is listed with its badge, previewed
// with its rows, and opens on its own page.
import { expect, test } from "@playwright/test";
import { HomePage } from "./fixtures/home-page";
import { TablePage } from "./fixtures/table-page";

const FORMATS: Record<string, string> = {
  visits: "csv",
  events: "csv.gz",
  clicks: "csv.zst",
  facts: "parquet",
  log: "jsonl",
};

test.describe("tables in other formats", () => {
  test("the home page badges every table that is not plain CSV", async ({ page }) => {
    const home = new HomePage(page);
    await home.goto();
    const card = home.card("formats");
    await expect(card.getByTestId("table-count")).toHaveText("5 tables");
    for (const [table, format] of Object.entries(FORMATS)) {
      const chip = home.tableNames("formats").filter({ hasText: table });
      const badge = chip.locator(".badge--format");
      if (format === "csv") {
        await expect(badge).toHaveCount(0);
      } else {
        await expect(badge).toHaveText(format);
        await expect(badge).toHaveAttribute("aria-label", /^Stored as /);
      }
    }
  });

  test("the database page previews a table of each format with its badge and rows", async ({ page }, testInfo) => {
    await page.goto("/db/formats");
    for (const [table, format] of Object.entries(FORMATS)) {
      const preview = page.locator(`section.table-preview[data-table="${table}"]`);
      await expect(preview.locator(".badge--format")).toHaveText(format);
      // Row 1 of every sample table: id 1, name-1.
      await expect(preview.locator("tbody tr").first()).toContainText("name-1");
      await expect(preview.locator(".table-preview__warnings")).toHaveCount(0);
    }
    // Parquet's count is exact from its footer, and so are its columns' figures.
    const facts = page.locator('section.table-preview[data-table="facts"]');
    await expect(facts.getByTestId("row-count")).toHaveText("5,000 rows");
    const summaries = facts.getByTestId("column-summaries");
    await summaries.locator("summary").click();
    await expect(summaries.locator("tbody tr").first()).toHaveText(/id\s*0\s*1\s*5000/);
    await page.screenshot({ path: testInfo.outputPath("formats.png"), fullPage: true });
  });

  test("a Parquet table's page reaches any row", async ({ page }) => {
    const table = new TablePage(page);
    await table.goto("/db/formats/facts");
    await expect(page.locator(".table-page__meta .badge--format")).toHaveText("parquet");
    await expect(table.rowCount).toHaveText("5,000 rows");
    await table.goToRow.fill("4321");
    await table.goToRow.press("Enter");
    await expect(table.rowNumbers().first()).toHaveText("4,321");
    await expect(table.grid.locator("tbody tr").first()).toContainText("name-4321");
  });

  test("a compressed table's page shows its rows", async ({ page }) => {
    const table = new TablePage(page);
    await table.goto("/db/formats/events?row=2501");
    await expect(page.locator(".table-page__meta .badge--format")).toHaveText("csv.gz");
    await expect(table.rowNumbers().first()).toHaveText("2,501");
    await expect(table.grid.locator("tbody tr").first()).toContainText("name-2501");
  });
});
