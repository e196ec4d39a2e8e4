// Phones and desktops: at 375 px and 1280 px, in both themes, no page is wider than the
// screen (tables scroll inside their cards), and on a phone the header is one line. The
// screenshots are saved with the test results for review.
import { expect, test, type Page } from "@playwright/test";
import { waitForHydration } from "./fixtures/hydration";

const pages = [
  { name: "home", path: "/" },
  { name: "database", path: "/db/school" },
  { name: "table", path: "/db/sales/orders" },
  { name: "profile", path: "/db/school/students?view=profile" },
  { name: "settings", path: "/settings" },
];

/** Elements that stick out past the right edge of the screen, outside scrolling boxes. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (element: Element | null): boolean => {
      for (let node = element?.parentElement; node; node = node.parentElement) {
        const style = getComputedStyle(node);
        if (["auto", "scroll", "hidden"].includes(style.overflowX)) return true;
      }
      return false;
    };
    return Array.from(document.querySelectorAll("body *"))
      .filter((element) => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.right > width + 1 && !scrolls(element);
      })
      .map((element) => `${element.tagName.toLowerCase()}.${element.className}`);
  });
}

for (const colorScheme of ["light", "dark"] as const) {
  for (const width of [375, 1280]) {
    test.describe(`${width} px, ${colorScheme} theme`, () => {
      test.use({ colorScheme, viewport: { width, height: width === 375 ? 740 : 900 } });

      for (const { name, path } of pages) {
        test(`the ${name} page fits the screen`, async ({ page }, testInfo) => {
          await page.goto(path);
          await waitForHydration(page);
          expect(await overflowing(page)).toEqual([]);
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
          if (width === 375) {
            // One line: the logo, the navigation and the account menu.
            const header = await page.locator(".site-header").boundingBox();
            expect(header?.height ?? 0).toBeLessThanOrEqual(64);
          }
          await page.screenshot({ path: testInfo.outputPath(`${name}-${width}-${colorScheme}.png`), fullPage: true });
        });
      }
    });
  }
}

test.describe("the account menu on a phone", () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test("opens from the keyboard and names who is signed in", async ({ page }) => {
    await page.goto("/");
    await waitForHydration(page);
    const menu = page.getByRole("group").filter({ has: page.locator(".account-menu__button") });
    const button = page.locator(".account-menu__button");
    await expect(button).toBeVisible();
    await expect(page.getByRole("button", { name: "Sign out" })).toBeHidden();
    await button.focus();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
    await expect(menu).toContainText("Signed in as");
  });
});
