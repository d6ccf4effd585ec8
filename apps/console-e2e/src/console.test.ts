import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { waitFor } from '@dja/test-infra';
import { startStack, type Stack } from '@dja/stack';
import { launchChromium, type Browser } from './browser';
import { ARTIFACTS, ConsolePage } from './console-page';

// One walkthrough in a real browser against a real stack (PostgreSQL, RabbitMQ, every service,
// nginx serving the built console). The steps run in order on one page, as a person would use
// it: each `it` starts where the previous one left the page.

const ADMIN_EMAIL = 'console-admin@example.com';
const ADMIN_PASSWORD = randomBytes(12).toString('base64url');
const USER = {
  email: `ada-${randomBytes(4).toString('hex')}@example.com`,
  password: 'correct horse battery staple',
  name: 'Ada',
};
const SERVICES = ['orders', 'profile', 'notifications', 'auth'] as const;

let stack: Stack;
let browser: Browser;
let ui: ConsolePage;
let userId: string;

beforeAll(async () => {
  await rm(ARTIFACTS, { recursive: true, force: true });
  [stack, browser] = await Promise.all([
    startStack({
      port: 0,
      // Two orders replicas make the balancing visible; one of the rest keeps the load small.
      replicas: { auth: 1, orders: 2, profile: 1, notifications: 1 },
      env: { ...process.env, ADMIN_EMAIL, ADMIN_PASSWORD },
    }),
    launchChromium(),
  ]);
  ui = new ConsolePage(await browser.context.newPage());
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const colourOf = (selector: string) =>
  ui.page
    .getByLabel('Encoded access token')
    .locator(selector)
    .evaluate((node) => getComputedStyle(node).color);

/** The JSON the page shows under a label. */
const shownJson = async (label: string) =>
  JSON.parse(await ui.page.getByLabel(label, { exact: true }).innerText()) as Record<
    string,
    unknown
  >;

describe('the console, served by the gateway at /', () => {
  it('loads from the gateway with nothing fetched from elsewhere', async () => {
    const outside: string[] = [];
    ui.page.on('request', (request) => {
      if (!request.url().startsWith(stack.gatewayUrl)) outside.push(request.url());
    });
    const response = await ui.page.goto(`${stack.gatewayUrl}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await ui.page.getByRole('heading', { name: 'distributed-jwt-auth console' }).waitFor();
    expect(outside.filter((url) => !url.startsWith('data:'))).toEqual([]);
    await ui.screenshot('start');
  });

  it('registers and logs in from the keyboard alone', async () => {
    await ui.field('Email').focus();
    await ui.page.keyboard.type(USER.email);
    await ui.page.keyboard.press('Tab');
    await ui.page.keyboard.type(USER.password);
    await ui.page.keyboard.press('Tab');
    await ui.page.keyboard.type(USER.name);
    await ui.page.keyboard.press('Tab');
    expect(await ui.page.evaluate(() => document.activeElement?.textContent)).toBe('Register');
    await ui.page.keyboard.press('Enter');
    await waitFor(async () => (await ui.status()).includes('Registered'), {
      description: 'registration',
    });
    expect(await ui.newestLog(/^201 POST \/auth\/register/)).toMatch(/auth-service-1/);

    // Enter in a field submits the form: log in.
    await ui.field('Password').focus();
    await ui.page.keyboard.press('Enter');
    await ui.page.getByRole('heading', { name: 'Access token' }).waitFor();
    expect(await ui.newestLog(/^200 POST \/auth\/login/)).toMatch(/ms auth-service-1/);
  });

  it('shows the token in three coloured parts and decodes header and payload without a key', async () => {
    const encoded = ui.page.getByLabel('Encoded access token');
    expect((await encoded.innerText()).split('.')).toHaveLength(3);
    const colours = await Promise.all(
      ['.jwt-header', '.jwt-payload', '.jwt-signature'].map(colourOf),
    );
    expect(colours).toEqual(['rgb(183, 28, 28)', 'rgb(106, 27, 154)', 'rgb(13, 71, 161)']);

    const header = await shownJson('Decoded header');
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const payload = await shownJson('Decoded payload');
    // The token names the user and the client, never personal data (ADR 10).
    expect(payload).toMatchObject({ roles: ['user'], client_id: expect.any(String) });
    expect(payload).not.toHaveProperty('email');
    userId = String(payload.sub);
    expect(await ui.page.getByRole('heading', { name: 'Admin' }).isVisible()).toBe(false);

    const countdown = ui.page.getByRole('timer');
    const first = await countdown.innerText();
    expect(first).toMatch(/^[45]:\d\d$/);
    await waitFor(async () => (await countdown.innerText()) !== first, {
      timeoutMs: 5_000,
      description: 'the countdown to tick',
    });

    // Memory only: nothing in storage a script injected into the page could read later.
    expect(
      await ui.page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie]),
    ).toEqual([0, 0, '']);
    await ui.screenshot('token-decoded');
  });

  it('calls every service and shows status, latency and the replica that answered', async () => {
    await ui.click('Create order');
    expect(await ui.newestLog(/^201 POST \/orders /)).toMatch(/\d+\.\d ms orders-service-\d/);
    for (let i = 0; i < 4; i++) await ui.click('List orders');
    const ordersReplicas = new Set(
      (await ui.logLines())
        .filter((line) => / \/orders /.test(line))
        .map((line) => /orders-service-\d+/.exec(line)?.[0]),
    );
    expect(ordersReplicas).toEqual(new Set(['orders-service-1', 'orders-service-2']));

    // The profile appears once profile-service has handled user.registered from the broker.
    await waitFor(
      async () => {
        await ui.click('Get profile');
        return /^200 GET \/profile\/me .* profile-service-1/.test((await ui.logLines())[0] ?? '');
      },
      { timeoutMs: 20_000, intervalMs: 300, description: 'the profile to exist' },
    );
    await ui.field('Display name').fill('Ada Lovelace');
    await ui.click('Update profile');
    await ui.newestLog(/^200 PUT \/profile\/me .* profile-service-1/);
    await ui.click('List notifications');
    await ui.newestLog(/^200 GET \/notifications .* notifications-service-1/);
    await ui.screenshot('services-called');
  });

  it('sends a token with one payload character changed to every service, and each refuses it', async () => {
    await ui.click('Tamper with the token and call every service');
    const tampered = ui.page.getByLabel('Tampered token');
    expect(await tampered.innerText()).toMatch(/Payload character \d+ changed from/);
    await waitFor(async () => (await ui.status()).includes('4 of 4 services refused'), {
      description: 'every service to refuse the tampered token',
    });
    const lines = (await ui.logLines()).filter((line) => line.includes('tampered token to'));
    expect(lines).toHaveLength(4);
    for (const service of SERVICES) {
      const line = lines.find((l) => l.includes(`tampered token to ${service}`));
      expect(line).toMatch(new RegExp(`^401 .* ${service}-service-\\d+ — invalid_token: .+`));
    }
    await ui.screenshot('tampered');
  });

  it('rotates the refresh token on refresh, visibly', async () => {
    const before = await ui.page.locator('#refresh-current').innerText();
    const tokenBefore = await ui.page.getByLabel('Encoded access token').innerText();
    await ui.click('Refresh tokens');
    await ui.newestLog(/^200 POST \/auth\/token /);
    expect(await ui.page.locator('#refresh-previous').innerText()).toBe(before);
    expect(await ui.page.locator('#refresh-current').innerText()).not.toBe(before);
    expect(await ui.page.locator('#refresh-changed').innerText()).toMatch(/^yes/);
    expect(await ui.page.getByLabel('Encoded access token').innerText()).not.toBe(tokenBefore);
    await ui.screenshot('refreshed');
  });

  it('ends the session when the spent refresh token is presented again', async () => {
    await ui.click('Reuse old refresh token');
    const lines = await ui.logLines();
    expect(lines.find((l) => l.includes('spent refresh token presented again'))).toMatch(
      /^400 POST \/auth\/token .* invalid_grant/,
    );
    const table = ui.page.getByRole('table', { name: /After refresh token reuse/ });
    await expectRefusedEverywhere(table);
    expect(await ui.status()).toContain('4 of 4 services refuse');
    await ui.screenshot('refresh-token-reused');
  });

  it('logs out, and the old access token is refused by every service', async () => {
    await ui.click('Log in');
    await ui.newestLog(/^200 POST \/auth\/login/);
    await ui.click('Log out');
    const table = ui.page.getByRole('table', { name: /After logout/ });
    await expectRefusedEverywhere(table);
    expect((await ui.logLines()).find((l) => l.includes('/auth/logout'))).toMatch(/^204 /);
    await ui.page.getByText(/^Logged out\. This access token still decodes/).waitFor();
    await ui.screenshot('logged-out');
  });

  it('shows the admin the signing keys and starts a staged rotation', async () => {
    await ui.field('Email').fill(ADMIN_EMAIL);
    await ui.field('Password').fill(ADMIN_PASSWORD);
    await ui.click('Log in');
    await ui.page.getByRole('heading', { name: 'Admin' }).waitFor();
    expect((await shownJson('Decoded payload')).roles).toContain('admin');

    const keys = ui.page.getByRole('table', { name: 'Signing keys' });
    await ui.click('Load signing keys');
    await ui.newestLog(/^200 GET \/auth\/admin\/keys/);
    const states = async () => (await ui.tableRows(keys)).map((cells) => cells[1]);
    expect(await states()).toContain('current');
    expect(await states()).not.toContain('next');

    await ui.click('Rotate keys');
    await ui.newestLog(/^201 POST \/auth\/admin\/keys\/rotate/);
    expect(await states()).toEqual(expect.arrayContaining(['current', 'next']));
    await ui.screenshot('admin-keys-rotated');
  });

  it('suspends and unsuspends a user by id', async () => {
    // A second tab: its memory, and so its session, is its own.
    const userTab = new ConsolePage(await browser.context.newPage());
    await userTab.page.goto(`${stack.gatewayUrl}/`);
    await userTab.field('Email').fill(USER.email);
    await userTab.field('Password').fill(USER.password);

    await ui.field('User id').fill(userId);
    await ui.click('Suspend user');
    await ui.newestLog(new RegExp(`^200 POST /auth/admin/users/${userId}/suspend`));
    await userTab.click('Log in');
    expect(await userTab.newestLog(/^403 POST \/auth\/login/)).toMatch(/Account suspended/);
    await userTab.screenshot('suspended-user-refused');

    await ui.click('Unsuspend user');
    await ui.newestLog(new RegExp(`^200 POST /auth/admin/users/${userId}/unsuspend`));
    await ui.screenshot('admin-unsuspended');
    await userTab.click('Log in');
    await userTab.newestLog(/^200 POST \/auth\/login/);
    await userTab.page.close();
  });

  it('walks the key compromise drill: withdraw, every service answers 401, one refresh, every service accepts again', async () => {
    const kidBefore = (await shownJson('Decoded header')).kid;
    const adminId = (await shownJson('Decoded payload')).sub;
    expect(await ui.page.locator('#sessions-survive').innerText()).toMatch(
      /^Why sessions survive: a refresh token is an opaque random string .* not a token signed with the key/,
    );

    await ui.click('Withdraw the key that signed this token');
    const lines = await ui.logLines();
    expect(lines.find((l) => l.includes('/withdraw'))).toMatch(
      new RegExp(`^200 POST /auth/admin/keys/${kidBefore}/withdraw .* auth-service-1`),
    );
    const table = ui.page.getByRole('table', { name: /After the withdrawal/ });
    await expectRefusedEverywhere(table);
    for (const [, , , reason] of await ui.tableRows(table)) {
      expect(reason).toBe('invalid_token: The access token signing key has been withdrawn');
    }
    expect(await ui.status()).toBe(
      'After the withdrawal, 4 of 4 services refuse the access token. Refresh once: the session survives.',
    );
    const audit = ui.page.getByLabel('Withdrawal', { exact: true });
    expect(await audit.locator('#withdrawn-kid').innerText()).toBe(kidBefore);
    expect(await audit.locator('#withdrawn-by').innerText()).toBe(adminId);
    expect(await audit.locator('#withdrawn-at').innerText()).toMatch(/^\d{4}-\d\d-\d\dT/);
    const activeKid = await ui.page.locator('#active-kid').innerText();
    expect(activeKid).not.toBe(kidBefore);
    await ui.screenshot('key-withdrawn');

    // One refresh, no new login: the refresh token was never signed with the withdrawn key.
    await ui.click('Refresh tokens');
    await ui.newestLog(/^200 POST \/auth\/token /);
    expect((await shownJson('Decoded header')).kid).toBe(activeKid);
    await ui.click('Call every service');
    const calls = (await ui.logLines()).filter((line) => line.includes('(every service: '));
    expect(calls).toHaveLength(4);
    expect(calls.filter((line) => /^(401|5\d\d|ERR) /.test(line))).toEqual([]);
    expect(await ui.status()).toBe('4 of 4 services accepted the access token.');
    await ui.screenshot('key-withdrawn-refreshed');
  });
});

/** Every service's row shows a first 401 and every later call refused too. */
async function expectRefusedEverywhere(table: ReturnType<ConsolePage['page']['getByRole']>) {
  await table.waitFor();
  await waitFor(async () => (await ui.rowHeaders(table)).length === SERVICES.length, {
    description: 'a row per service',
  });
  expect(new Set(await ui.rowHeaders(table))).toEqual(new Set(SERVICES));
  for (const [firstRefusal, servedBy, confirmed, reason] of await ui.tableRows(table)) {
    expect(firstRefusal).toMatch(/^\d+ ms$/);
    expect(servedBy).toMatch(/-service-\d+$/);
    expect(confirmed).toBe('4 of 4 calls');
    expect(reason).toMatch(/^invalid_token: /);
  }
  const times = await ui.tableRows(table);
  process.stderr.write(
    `console-e2e: ${await table.locator('caption').innerText()}: ${JSON.stringify(times)}\n`,
  );
}
