// Accounts in the browser: signing up and in, each user seeing only their own databases,
// signing out leaving nothing behind, the generic sign-in error, and API tokens.
import { expect, test, type ConsoleMessage } from "@playwright/test";
import { AccountPages, PASSWORD, uniqueName } from "./fixtures/accounts";
import { HomePage } from "./fixtures/home-page";
import { ImportPanel } from "./fixtures/import-panel";

test.describe("accounts", () => {
  test("what one user imports, another never sees, and signing out leaves nothing behind", async ({ page, request }) => {
    const problems: string[] = [];
    // Errors in the console (a script the Content-Security-Policy refused, a panic), apart
    // from the 404 Bob is meant to get for Alice's database.
    page.on("console", (message: ConsoleMessage) => {
      if (message.type() === "error" && !message.text().includes("status of 404")) {
        problems.push(message.text());
      }
    });
    page.on("pageerror", (error) => problems.push(error.message));
    const accounts = new AccountPages(page);
    const home = new HomePage(page);
    const panel = new ImportPanel(page);
    const alice = uniqueName("alice");
    const bob = uniqueName("bob");
    // Bob already has an account (made through the API, in a context of its own).
    expect((await request.post("/api/sign_up", { form: { username: bob, password: PASSWORD } })).status()).toBe(200);

    await accounts.signUp(alice);
    await expect(home.heading).toBeVisible();
    await panel.importInto("private_notes", [{ name: "diary.csv", content: "day,entry\n1,alice-secret\n" }]);
    await expect(panel.results).toHaveCount(1);
    await expect(home.card("private_notes")).toBeVisible();
    await home.previewToggle("private_notes").click();
    await expect(home.tablePreview("private_notes", "diary")).toContainText("alice-secret");

    await accounts.signOut();
    // The browser's history and caches hold nothing of Alice's: going back lands on sign-in.
    await page.goBack();
    await expect(page).toHaveURL(/\/sign-in/);
    await expect(page.getByText("alice-secret")).toHaveCount(0);

    await accounts.signInAndWait(bob);
    await expect(home.cards).toHaveCount(3);
    await expect(home.card("private_notes")).toHaveCount(0);
    await page.goto("/db/private_notes");
    await expect(page.getByText("There is no database named")).toBeVisible();
    await expect(page.getByText("alice-secret")).toHaveCount(0);

    await accounts.signOut();
    await accounts.signInAndWait(alice);
    await expect(home.card("private_notes")).toBeVisible();
    expect(problems).toEqual([]);
  });

  test("a wrong password and an unknown user get the same single message", async ({ page }, testInfo) => {
    const accounts = new AccountPages(page);
    const name = uniqueName("carol");
    await accounts.signUp(name);
    await accounts.signOut();

    await accounts.signIn(name, "not the right password");
    await expect(accounts.problem).toHaveText("Wrong username or password.");
    await accounts.signIn(uniqueName("nobody"), PASSWORD);
    await expect(accounts.problem).toHaveText("Wrong username or password.");
    await expect(page).toHaveURL(/\/sign-in$/);
    await page.screenshot({ path: testInfo.outputPath("sign-in.png") });
  });

  test("a page opened signed out comes back after signing in", async ({ page }) => {
    const accounts = new AccountPages(page);
    const name = uniqueName("dave");
    await accounts.signUp(name);
    await accounts.signOut();
    await page.goto("/db/school");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fdb%2Fschool$/);
    await accounts.waitForHydration();
    await accounts.username.fill(name);
    await accounts.password.fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/db\/school$/);
    await expect(page.getByRole("heading", { level: 1, name: "school" })).toBeVisible();
  });

  test("sign-up checks the name and password as they are typed", async ({ page }) => {
    const accounts = new AccountPages(page);
    await page.goto("/sign-up");
    await accounts.waitForHydration();
    await accounts.username.fill("bad name");
    await expect(page.locator("#username-hint")).toContainText("contains ' '");
    await accounts.password.fill("short");
    await expect(page.locator("#password-hint")).toContainText("at least 10");
  });

  test("an API token is shown once, works for scripts, and stops working when revoked", async ({ page, request }, testInfo) => {
    const accounts = new AccountPages(page);
    const name = uniqueName("erin");
    await accounts.signUp(name);
    await page.getByRole("link", { name: "Settings" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
    await expect(page.getByTestId("no-tokens")).toBeVisible();

    await page.getByLabel("Token name").fill("nightly import");
    await page.getByRole("button", { name: "Create token" }).click();
    const shown = page.getByLabel("The new token");
    await expect(shown).toHaveValue(/^dbm_/);
    const token = await shown.inputValue();
    const row = page.getByRole("table", { name: "Your API tokens" }).getByRole("row", { name: /nightly import/ });
    await expect(row).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("settings.png"), fullPage: true });

    const asScript = { headers: { Authorization: `Bearer ${token}` } };
    const me = await request.get("/api/me", asScript);
    expect(me.status()).toBe(200);
    expect(await me.json()).toEqual({ user: name });

    await row.getByRole("button", { name: "Revoke nightly import" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText("Revoke the token “nightly import”?");
    await dialog.getByRole("button", { name: "Revoke", exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("no-tokens")).toBeVisible();
    expect((await request.get("/api/databases", asScript)).status()).toBe(401);
    // After a reload the token is listed nowhere and shown nowhere.
    await page.reload();
    await expect(page.getByTestId("no-tokens")).toBeVisible();
    await expect(page.getByLabel("The new token")).toHaveCount(0);
  });

  test("a password change signs the other browser out, and signing out everywhere signs out this one", async ({ page, browser }) => {
    const accounts = new AccountPages(page);
    const name = uniqueName("fay");
    await accounts.signUp(name);
    // The same account in another browser.
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    const elsewhere = new AccountPages(otherPage);
    await elsewhere.signInAndWait(name);

    await page.getByRole("link", { name: "Settings" }).click();
    await expect(page.getByRole("heading", { level: 2, name: "Password" })).toBeVisible();
    const newPassword = "a new and longer password";
    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByLabel("New password").fill(newPassword);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByTestId("password-changed")).toContainText("Password changed");
    await expect(page.getByLabel("Current password")).toHaveValue("");

    // The other browser is signed out; this one is not.
    await otherPage.reload();
    await expect(otherPage).toHaveURL(/\/sign-in/);
    await page.reload();
    await expect(accounts.signedInUser).toHaveText(name);

    await accounts.waitForHydration();
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText("Sign out of every browser and device");
    await dialog.getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    // The new password signs in again.
    await elsewhere.signInAndWait(name, newPassword);
    await other.close();
  });
});
