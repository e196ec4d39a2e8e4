// Importing CSV files from the browser and deleting what was imported, without reloads.
import { gzipSync } from "node:zlib";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { HomePage } from "./fixtures/home-page";
import { ImportPanel } from "./fixtures/import-panel";
import { SchemaRequests } from "./fixtures/schema-requests";
import { RowRequests, TablePage } from "./fixtures/table-page";

test.describe("imports and deletes", () => {
  test("two files chosen through the picker become a new database, shown with its previews", async ({ page }, testInfo) => {
    const home = new HomePage(page);
    const panel = new ImportPanel(page);
    await home.goto();
    await home.waitForHydration();
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));

    await panel.database.fill("e2e_shop");
    await panel.choose([
      { name: "Order Lines.csv", content: "id,qty,price\n1,2,9.99\n2,5,1.50\n3,1,20\n" },
      { name: "customers.csv", content: "id;name;vip\n1;Ada;true\n2;Bo;false\n" },
    ]);
    await expect(panel.tableNameFor("Order Lines.csv")).toHaveValue("Order_Lines");
    await panel.tableNameFor("Order Lines.csv").fill("orders");
    await panel.importButton.click();

    await expect(panel.results).toHaveCount(2);
    await expect(panel.results.first()).toContainText("3 rows, 3 columns");
    await expect(home.card("e2e_shop")).toBeVisible();
    await expect(home.card("e2e_shop").getByTestId("table-count")).toHaveText("2 tables");
    await home.previewToggle("e2e_shop").click();
    await expect(home.tablePreview("e2e_shop", "orders").getByTestId("row-count")).toHaveText("3 rows");
    await expect(home.tablePreview("e2e_shop", "customers").locator("thead th").nth(2)).toContainText("boolean");
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    await page.screenshot({ path: testInfo.outputPath("imported.png"), fullPage: true });
  });

  test("a file imported into an open database appears at once, and deletes confirm what they remove", async ({ page }) => {
    const home = new HomePage(page);
    const panel = new ImportPanel(page);
    const requests = new SchemaRequests(page);
    await home.goto();
    await home.waitForHydration();

    await panel.importInto("e2e_more", [{ name: "first.csv", content: "a,b\n1,2\n" }]);
    await expect(panel.results).toHaveCount(1);
    await home.previewToggle("e2e_more").click();
    await expect(home.tablePreview("e2e_more", "first")).toBeVisible();
    expect(requests.for("e2e_more")).toBe(1);

    // A third file into the open database: its cached previews are dropped and refetched.
    await panel.importInto("e2e_more", [{ name: "extra.csv", content: "x\n1\n2\n" }]);
    await expect(home.tablePreview("e2e_more", "extra")).toBeVisible();
    await expect(home.tablePreview("e2e_more", "extra").getByTestId("row-count")).toHaveText("2 rows");
    expect(requests.for("e2e_more")).toBe(2);
    expect(requests.for("school")).toBe(0);

    await panel.deleteThrough(
      home.tablePreview("e2e_more", "extra").getByRole("button", { name: "Delete table extra" }),
      "Delete the table “extra” from “e2e_more”?",
    );
    await expect(home.tablePreview("e2e_more", "extra")).toHaveCount(0);
    await expect(home.card("e2e_more").getByTestId("table-count")).toHaveText("1 table");

    await panel.deleteThrough(
      home.card("e2e_more").getByRole("button", { name: "Delete database e2e_more" }),
      "Delete the database “e2e_more” and its 1 table?",
    );
    await expect(home.card("e2e_more")).toHaveCount(0);
  });

  test("an import and a delete by keyboard alone, with a visible focus ring at every stop", async ({ page }) => {
    const home = new HomePage(page);
    const panel = new ImportPanel(page);
    await home.goto();
    await home.waitForHydration();

    await tabTo(page, panel.database);
    await page.keyboard.type("e2e_keys");
    await tabTo(page, panel.fileInput);
    const chooser = page.waitForEvent("filechooser");
    await page.keyboard.press("Space");
    await (await chooser).setFiles({ name: "keys.csv", mimeType: "text/csv", buffer: Buffer.from("k,v\n1,a\n2,b\n") });
    // As a user would, wait until the file is listed: until then the Import button is
    // disabled, and Tab passes it by.
    await expect(panel.tableNameFor("keys.csv")).toHaveValue("keys");
    await expect(panel.importButton).toBeEnabled();
    await tabTo(page, panel.importButton);
    await page.keyboard.press("Enter");
    await expect(panel.results).toHaveCount(1);
    await expect(home.card("e2e_keys")).toBeVisible();

    const remove = home.card("e2e_keys").getByRole("button", { name: "Delete database e2e_keys" });
    await tabTo(page, remove);
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText("Delete the database “e2e_keys” and its 1 table?");
    await tabTo(page, dialog.getByRole("button", { name: "Delete", exact: true }));
    await page.keyboard.press("Enter");
    await expect(dialog).toBeHidden();
    await expect(home.card("e2e_keys")).toHaveCount(0);
  });

  test("a file that is not CSV shows the server's message and creates nothing", async ({ page }) => {
    const home = new HomePage(page);
    const panel = new ImportPanel(page);
    await home.goto();
    await home.waitForHydration();
    await panel.importInto("e2e_bad", [
      { name: "photo.csv", content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]) },
    ]);
    await expect(panel.errors).toContainText("This is not a CSV file: it looks like a PNG image");
    await expect(home.card("e2e_bad")).toHaveCount(0);
  });

  test("names are checked as they are typed and default databases cannot be deleted", async ({ page }) => {
    const home = new HomePage(page);
    const panel = new ImportPanel(page);
    await home.goto();
    await home.waitForHydration();
    await panel.database.fill("../etc");
    await panel.choose([{ name: "t.csv", content: "a\n1\n" }]);
    await expect(page.getByRole("status").filter({ hasText: "contains '.'" })).toBeVisible();
    await expect(panel.importButton).toBeDisabled();
    await expect(home.card("school").getByRole("button", { name: /Delete/ })).toHaveCount(0);
  });
});

test.describe("pages of rows after writes", () => {
  test("an import into a database drops the pages the browser kept of it", async ({ page }) => {
    const home = new HomePage(page);
    const panel = new ImportPanel(page);
    const rows = new RowRequests(page);
    await home.goto();
    await home.waitForHydration();
    await panel.importInto("e2e_pages", [{ name: "t.csv", content: "id,name\n1,Ada\n2,Grace\n" }]);
    await expect(panel.results).toHaveCount(1);

    const openTable = async () => {
      await home.card("e2e_pages").getByRole("link", { name: "t", exact: true }).click();
      await expect(page.getByRole("heading", { level: 1, name: "t" })).toBeVisible();
      await expect(new TablePage(page).rowNumbers()).toHaveCount(2);
    };
    const backHome = async () => {
      await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Databases" }).click();
      await expect(home.heading).toBeVisible();
    };
    await openTable();
    expect(rows.for("e2e_pages", "t")).toBe(1);
    await backHome();
    await openTable();
    expect(rows.for("e2e_pages", "t")).toBe(1); // from the browser's cache

    await backHome();
    await panel.importInto("e2e_pages", [{ name: "u.csv", content: "x\n1\n" }]);
    await expect(home.card("e2e_pages").getByTestId("table-count")).toHaveText("2 tables");
    await openTable();
    expect(rows.for("e2e_pages", "t")).toBe(2); // fetched again: the database changed
  });

  test("a gzip-compressed CSV file imports as the plain CSV it holds, and the report says so", async ({ page }) => {
    const home = new HomePage(page);
    const panel = new ImportPanel(page);
    await home.goto();
    await home.waitForHydration();
    const csv = "id,city\n1,Oslo\n2,Lima\n3,Pune\n";
    await panel.database.fill("e2e_zipped");
    await panel.choose([{ name: "cities.csv.gz", content: gzipSync(csv), mimeType: "application/gzip" }]);
    await expect(panel.tableNameFor("cities.csv.gz")).toHaveValue("cities");
    await panel.importButton.click();
    await expect(panel.results).toHaveCount(1);
    await expect(panel.results.first()).toContainText("3 rows, 2 columns");
    await expect(panel.results.first()).toContainText("gzip-compressed; it was decompressed and saved as plain CSV");
    await home.previewToggle("e2e_zipped").click();
    const preview = home.tablePreview("e2e_zipped", "cities");
    await expect(preview.locator(".badge--format")).toHaveText("csv");
    await expect(preview.locator("tbody tr").nth(1)).toContainText("Lima");
  });
});

/** Presses Tab until `target` has the focus (at most 80 times), checking that each element
 * the focus lands on shows a focus ring (an outline or a box shadow). */
async function tabTo(page: Page, target: Locator) {
  for (let presses = 0; presses < 80; presses++) {
    if (await target.evaluate((element) => element === document.activeElement)) {
      return;
    }
    await page.keyboard.press("Tab");
    const { ring, what } = await page.evaluate(() => {
      const focused = document.activeElement;
      if (!focused || focused === document.body) return { ring: "none", what: "body" };
      // A hidden file input shows its ring on the label around it.
      const shown = focused.matches('input[type="file"]') ? (focused.closest("label") ?? focused) : focused;
      const style = getComputedStyle(shown);
      const ring = style.outlineStyle !== "none" ? style.outlineStyle : style.boxShadow;
      return { ring, what: `${focused.tagName.toLowerCase()}.${focused.className} ${focused.textContent?.slice(0, 40)}` };
    });
    if (what === "body") {
      throw new Error("Tab left the page before reaching the element: is it disabled or hidden?");
    }
    expect(ring, `the focused ${what} shows a focus ring`).not.toBe("none");
  }
  throw new Error("Tab never reached the element");
}
