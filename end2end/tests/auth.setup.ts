// Signs up the two users the other suites browse as: `reader` (read-only checks; owns
// nothing, so it sees exactly the default databases) and `writer` (imports and deletes).
// Each gets its own saved session, which the projects in playwright.config.ts load.
import { expect, test as setup } from "@playwright/test";
import { PASSWORD, sessionFile, uniqueName } from "./fixtures/accounts";

for (const role of ["reader", "writer"] as const) {
  setup(`sign up the ${role}`, async ({ request }) => {
    const response = await request.post("/api/sign_up", {
      form: { username: uniqueName(role), password: PASSWORD },
    });
    expect(response.status()).toBe(200);
    await request.storageState({ path: sessionFile(role) });
  });
}
