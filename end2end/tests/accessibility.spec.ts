// Accessibility: axe-core (4.x) on every page, in the light and the dark theme. The suite
// fails on any violation axe rates serious or critical, and lists each with the elements
// it found, so a failure says what to fix.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { waitForHydration } from "./fixtures/hydration";

type Check = { name: string; path: string; ready: (page: Page) => Promise<void> };

const hydrated = async (page: Page) => waitForHydration(page);

/** Pages a signed-in user sees, each once it has what it shows. */
const signedIn: Check[] = [
  { name: "home", path: "/", ready: hydrated },
  {
    name: "home with previews",
    path: "/",
    ready: async (page) => {
      await waitForHydration(page);
      await page.locator('article.database-card[data-database="school"]').getByRole("button", { name: /table previews/ }).click();
      await expect(page.locator('article.database-card[data-database="school"] section.table-preview')).toHaveCount(3);
    },
  },
  {
    name: "database page",
    path: "/db/formats",
    ready: async (page) => {
      await waitForHydration(page);
      await expect(page.locator("section.table-preview")).toHaveCount(5);
    },
  },
  {
    name: "table page",
    path: "/db/sales/orders",
    ready: async (page) => {
      await waitForHydration(page);
      await expect(page.getByTestId("row-grid")).toBeVisible();
    },
  },
  {
    name: "profile view",
    path: "/db/school/students?view=profile",
    ready: async (page) => {
      await waitForHydration(page);
      await expect(page.getByTestId("profile").locator(".profile-card").first()).toBeVisible();
    },
  },
  { name: "settings", path: "/settings", ready: hydrated },
];

/** Pages anyone sees before signing in. */
const signedOut: Check[] = [
  { name: "sign-in", path: "/sign-in", ready: hydrated },
  { name: "sign-up", path: "/sign-up", ready: hydrated },
];

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} — ` +
        violation.nodes.map((node) => node.target.join(" ")).join(", "),
    );
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`accessibility, ${colorScheme} theme`, () => {
    test.use({ colorScheme });

    for (const check of signedIn) {
      test(`${check.name} has no serious or critical violations`, async ({ page }) => {
        await page.goto(check.path);
        await check.ready(page);
        expect(await seriousViolations(page)).toEqual([]);
      });
    }

    test.describe("signed out", () => {
      test.use({ storageState: { cookies: [], origins: [] } });
      for (const check of signedOut) {
        test(`${check.name} has no serious or critical violations`, async ({ page }) => {
          await page.goto(check.path);
          await check.ready(page);
          expect(await seriousViolations(page)).toEqual([]);
        });
      }
    });
  });
}
