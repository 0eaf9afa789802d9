import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { isValidIin } from '../../src/documents/check-digits';
import { startTestGateway, TestGateway } from '../support/gateway';
import { KEYS, sign } from '../support/identities';
import { axeViolations, launchBrowser, screenshot, spkiHash, TestBrowser } from '../support/browser';
import { P12_PASSWORD, startTestNcaLayer, TestNcaLayer } from '../support/ncalayer';
import { delivered, makeStatement } from '../statements/helpers';

/**
 * The console in a real browser (Debian's chromium through playwright-core), signing through a
 * test NCALayer that speaks NCALayer's WebSocket protocol with the keys.example PKCS#12 files.
 */

const TLS_PEM = readFileSync(join(KEYS, 'gateway', 'tls.pem'));
const TLS_KEY = readFileSync(join(KEYS, 'gateway', 'tls.key'));
const SUBJECT_IIN = '920614300911';

// A real browser on a shared 2-core machine: each flow step may take seconds.
jest.setTimeout(90_000);

let t: TestGateway;
let nca: TestNcaLayer;
let browser: TestBrowser;
let base: string;
const cspErrors: string[] = [];
const a11y: Record<string, string[]> = {};

beforeAll(async () => {
  t = await startTestGateway({}, { workers: true });
  nca = await startTestNcaLayer({ cert: TLS_PEM, key: TLS_KEY });
  browser = await launchBrowser([spkiHash(TLS_PEM)]);
  base = `https://127.0.0.1:${t.port}`;
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await nca?.close();
  await t?.stop();
});

/** A fresh page as a new person at the same desk: the previous person's session cookie is gone. */
async function open(): Promise<Page> {
  await browser.context.clearCookies();
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  await page.goto(`${base}/console`);
  await page.evaluate("localStorage.setItem('art50.locale', 'en')");
  await page.reload();
  await page.waitForSelector('#signin');
  return page;
}

/** Screenshot and accessibility check of the view the page shows now. */
async function view(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  a11y[name] = await axeViolations(page);
}

/** The CN of a keys.example person's SIGN certificate: who the console must say signed a document. */
function signCn(person: string): string {
  const subject = new X509Certificate(readFileSync(join(KEYS, `${person}.sign.pem`))).subject;
  return /^CN=(.*)$/m.exec(subject)![1]!;
}

/** The SIGN certificate of a keys.example person: the signer details the prosecutor must see. */
function signCert(person: string): X509Certificate {
  return new X509Certificate(readFileSync(join(KEYS, `${person}.sign.pem`)));
}

async function signInWithNcaLayer(page: Page, person: string): Promise<void> {
  nca.use(person);
  await page.click('#signin');
  await page.waitForSelector('#who, #signin-error');
}

describe('the web console', () => {
  let requestId = '';

  it('serves the page with a strict CSP and no framing', async () => {
    const res = await t.as().get('/console');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.text).not.toMatch(/<script>|<script [^>]*>[^<]/); // no inline script
    expect(res.text).toMatch(/<script src="\/console\/app.js" defer><\/script>/);
  });

  it('investigator signs in with NCALayer and submits a request, the IIN checked as typed', async () => {
    const page = await open();
    await view(page, '01-sign-in');
    await signInWithNcaLayer(page, 'police/investigator-1');
    expect(await page.textContent('#who')).toMatch(/Signed in as .*Police Department of Almaty/);
    expect(nca.requests.at(-1)!.eku).toEqual(['1.3.6.1.5.5.7.3.2']);

    await page.fill('#erdr', '251750031000123');
    await page.fill('#article', '190-2-4');
    await page.fill('#subject-iin', SUBJECT_IIN.slice(0, 11) + String((Number(SUBJECT_IIN[11]) + 1) % 10));
    expect(await page.textContent('#iin-check')).toMatch(/Not a valid IIN/);
    await page.click('#submit-request');
    expect(await page.textContent('#request-error')).toMatch(/subject IIN is not valid \[document\.schema \/subject\/iin\]/);
    expect(nca.requests.length).toBe(1); // refused before anything was signed
    expect(isValidIin(SUBJECT_IIN)).toBe(true);
    await page.fill('#subject-iin', SUBJECT_IIN);
    expect(await page.textContent('#iin-check')).toMatch(/check digit is valid/);
    await page.fill('#subject-name', 'Subject Demo-One');
    await page.check('#bank-ALFAKZKA');
    await page.fill('#scope-from', '2025-02-01');
    await page.fill('#scope-to', '2025-03-13');
    // A deadline over 72 hours and a balance date that has not begun: refused in the page with the
    // code and field the API would answer, before anything is signed.
    await page.fill('#deadline', '73');
    await page.fill('#scope-asof', '2999-01-01');
    await page.click('#submit-request');
    const refusedInPage = await page.textContent('#request-error');
    expect(refusedInPage).toContain('[document.schema /deadlineHours]');
    expect(refusedInPage).toContain('[document.date_in_future /scope/balances/asOf]');
    expect(nca.requests.length).toBe(1);
    await page.fill('#deadline', '72');
    await page.fill('#scope-asof', '2025-03-13');
    await view(page, '02-new-request');
    await page.click('#submit-request');
    await page.waitForSelector('#note, #request-error');
    expect(await page.$eval('#request-error', (e) => e.textContent).catch(() => 'none')).toBe('none');
    // The note says who signed, read from the CMS NCALayer returned (the SIGN certificate).
    const note = /Request ([0-9a-f-]{36}) received, signed by ([^;]+);/.exec((await page.textContent('#note')) ?? '')!;
    requestId = note[1]!;
    expect(note[2]).toBe(signCn('police/investigator-1'));
    expect(nca.requests.at(-1)!.eku).toEqual(['1.3.6.1.5.5.7.3.4']);
    await page.waitForSelector(`article[data-request-id="${requestId}"] .state-awaiting_sanction`);
    await view(page, '03-my-requests');
    await page.close();
  });

  it('a GOST R 34.10-2012 key signs through NCALayer: investigator-gost signs in and submits, the gateway takes the GOST signature', async () => {
    const page = await open();
    await signInWithNcaLayer(page, 'police/investigator-gost');
    expect(await page.textContent('#who')).toMatch(/Nurlan Gostov/);
    await page.fill('#erdr', '251750031000124');
    await page.fill('#article', '190-2-4');
    await page.fill('#subject-iin', SUBJECT_IIN);
    await page.check('#bank-ALFAKZKA');
    await page.fill('#scope-from', '2025-02-01');
    await page.fill('#scope-to', '2025-03-13');
    await page.click('#submit-request');
    await page.waitForSelector('#note, #request-error');
    expect(await page.$eval('#request-error', (e) => e.textContent).catch(() => 'none')).toBe('none');
    const id = /Request ([0-9a-f-]{36}) received/.exec((await page.textContent('#note')) ?? '')![1]!;
    // What the prosecutor receives is the CMS NCALayer made: GOST key (1.2.643.7.1.1.1.1), Streebog-256 digest (1.2.643.7.1.1.2.2).
    const pending = (await t.as('prosecutor/prosecutor-1').get('/v1/sanctions/pending?limit=1000')).body.items as Array<{ requestId: string; request: string }>;
    const der = Buffer.from(pending.find((i) => i.requestId === id)!.request, 'base64');
    expect(der.includes(Buffer.from('06082a85030701010101', 'hex'))).toBe(true);
    expect(der.includes(Buffer.from('06082a85030701010202', 'hex'))).toBe(true);
    // The body's list (from the gateway) has it, with the other investigator's request.
    await page.click('#nav-mine');
    await page.waitForSelector(`article[data-request-id="${id}"]`);
    expect(await page.$(`article[data-request-id="${requestId}"]`)).not.toBeNull();
    await page.close();
  });

  it('a prosecutor of body B signs in with a software key and sees nothing of body A', async () => {
    const page = await open();
    await page.check('#signer-software');
    await page.setInputFiles('#auth-p12', join(KEYS, 'prosecutor', 'prosecutor-2.p12'));
    await page.fill('#p12-password', P12_PASSWORD);
    await page.click('#signin');
    await page.waitForSelector('#who');
    expect(await page.textContent('#who')).toMatch(/Karaganda/);
    await page.waitForSelector('#pending');
    expect(await page.textContent('#pending')).toMatch(/Nothing awaits your sanction/);
    expect(await page.$(`li[data-request-id="${requestId}"]`)).toBeNull();
    await view(page, '04-pending-other-body');
    // Directly, too: the session gets body B's authorisation, not more.
    const status = await page.evaluate(async (id) => (await fetch(`/v1/requests/${id}`)).status, requestId);
    expect(status).toBe(404);
    await page.close();
  });

  /**
   * Signs in as prosecutor-1 with the queue the gateway answers altered on its way to the page by
   * `alter` (for this test's request), and opens that request until the page has its verdict.
   */
  async function openAlteredAsProsecutor(page: Page, alter: (item: { requestId: string; request: string; digest: string }) => void): Promise<void> {
    await page.route('**/v1/sanctions/pending*', async (route) => {
      const body = (await t.as('prosecutor/prosecutor-1').get('/v1/sanctions/pending?limit=1000')).body as { items: Array<{ requestId: string; request: string; digest: string }> };
      for (const i of body.items.filter((x) => x.requestId === requestId)) alter(i);
      await route.fulfill({ json: body });
    });
    await signInWithNcaLayer(page, 'prosecutor/prosecutor-1');
    await page.waitForSelector(`li[data-request-id="${requestId}"]`);
    await page.click(`li[data-request-id="${requestId}"] button.open`);
    await page.waitForSelector('#verdict:not([data-verdict="checking"])');
  }

  it('the prosecutor\'s verdict is computed in the page: an altered request is NOT valid, a GOST one is not checked here and says so', async () => {
    const page = await open();
    try {
      // The page receives the queue (as the gateway answers it to this prosecutor) with one byte of
      // the request's signed content changed: the article.
      await openAlteredAsProsecutor(page, (i) => {
        const der = Buffer.from(i.request, 'base64');
        const at = der.indexOf(Buffer.from('"article":"190-2-4"'));
        if (at < 0) throw new Error('the request has no article 190-2-4');
        der[at + 17] = 0x35; // "190-2-5"
        i.request = der.toString('base64');
      });
      expect(await page.getAttribute('#verdict', 'data-verdict')).toBe('invalid');
      expect(await page.textContent('#verdict')).toMatch(/^signature NOT valid: it does not verify in this browser \(cms\.digest_mismatch\)/);
      expect(await page.textContent('#request-detail h2')).toContain('190-2-5'); // what is shown is what failed
      // Not decided on: neither button can be used.
      expect([await page.isDisabled('#grant'), await page.isDisabled('#refuse')]).toEqual([true, true]);
      await view(page, '06c-request-detail-altered');
      await page.unroute('**/v1/sanctions/pending*');
      // The GOST R 34.10-2012 request: WebCrypto has no GOST, so the page says what it did not check.
      await page.click('#request-detail button');
      const gost = page.locator('#pending li', { hasText: '251750031000124' });
      await gost.locator('button.open').click();
      await page.waitForSelector('#verdict:not([data-verdict="checking"])');
      expect(await page.getAttribute('#verdict', 'data-verdict')).toBe('unsupported');
      expect(await page.textContent('#verdict')).toMatch(/^not checked in this browser: .*GOST.*the gateway verified the signature/);
      expect(await page.textContent('#cert-serial')).toBe(signCert('police/investigator-gost').serialNumber.toUpperCase());
    } finally {
      await page.close(); // the route must not outlive the test
    }
  });

  it('a queue naming another digest than the verified content (what would be sanctioned) is NOT valid and cannot be decided', async () => {
    const page = await open();
    try {
      await openAlteredAsProsecutor(page, (i) => {
        i.digest = 'ab'.repeat(32);
      });
      expect(await page.getAttribute('#verdict', 'data-verdict')).toBe('invalid');
      expect(await page.textContent('#verdict')).toContain('(sanction.digest_mismatch)');
      expect([await page.isDisabled('#grant'), await page.isDisabled('#refuse')]).toEqual([true, true]);
    } finally {
      await page.close();
    }
  });

  it('the prosecutor of body A sees the request, reveals the IIN and grants it with NCALayer', async () => {
    const page = await open();
    await signInWithNcaLayer(page, 'prosecutor/prosecutor-1');
    await page.waitForSelector(`li[data-request-id="${requestId}"]`);
    await view(page, '05-pending');
    await page.click(`li[data-request-id="${requestId}"] button.open`);
    await page.waitForSelector('#request-detail');
    const masked = await page.textContent('#subject-iin-shown');
    expect(masked).not.toContain(SUBJECT_IIN);
    expect(masked).toMatch(/^92•+11$/);
    // The signer certificate read from the CMS, and the signature verified in this page.
    const cert = signCert('police/investigator-1');
    expect(await page.textContent('#cert-subject')).toBe(signCn('police/investigator-1'));
    expect(await page.textContent('#cert-serial')).toBe(cert.serialNumber.toUpperCase());
    expect(await page.textContent('#cert-issuer')).toBe(/^CN=(.*)$/m.exec(cert.issuer)![1]);
    const validity = await page.$$eval('#cert-validity time', (ts) => ts.map((e) => e.getAttribute('datetime')));
    expect(validity).toEqual([new Date(cert.validFrom).toISOString(), new Date(cert.validTo).toISOString()]);
    expect(await page.textContent('#cert-validity')).toMatch(/\(Almaty\) — .*\(Almaty\)/);
    await page.waitForSelector('#verdict:not([data-verdict="checking"])');
    expect(await page.getAttribute('#verdict', 'data-verdict')).toBe('valid');
    expect(await page.textContent('#verdict')).toBe('signature valid — verified in this browser; the certificate path and revocation were checked by the gateway at receipt');
    await view(page, '06-request-detail');
    await page.click('#reveal');
    expect(await page.textContent('#subject-iin-shown')).toBe(SUBJECT_IIN);
    await page.click('#grant');
    await page.waitForSelector('#decision-note');
    expect(await page.textContent('#decision-note')).toMatch(/granted/);
    expect(await page.textContent('#decision-note')).toContain(`signed by ${signCn('prosecutor/prosecutor-1')}`);
    // My decisions come from the gateway (GET /v1/sanctions/decided), not from this browser.
    await page.click('#nav-decisions');
    await page.waitForSelector('#decisions li');
    expect(await page.textContent('#decisions')).toContain(requestId);
    await view(page, '06b-decisions');
    await page.close();
  });

  it('a bank answers over the API; the investigator sees "answered" and downloads the CSV', async () => {
    const status = await t.as('police/investigator-1').get(`/v1/requests/${requestId}`);
    const item = await delivered(t, 'ALFAKZKA', requestId);
    expect((await t.as('banks/ALFAKZKA').post(`/v1/inbox/${item.deliveryId}/ack`)).status).toBe(200);
    const doc = { requestId, case: { erdrNumber: '251750031000123' }, subject: { iin: SUBJECT_IIN }, scope: { accountList: true, balances: { asOf: '2025-03-13' }, movements: { from: '2025-02-01', to: '2025-03-13' } } };
    const posted = await t.as('banks/ALFAKZKA').post('/v1/statements', sign(makeStatement(doc, status.body.digest, 'ALFAKZKA'), 'banks/ALFAKZKA'));
    expect(posted.status).toBe(201);

    const page = await open();
    await page.check('#signer-software');
    await page.setInputFiles('#auth-p12', join(KEYS, 'police', 'investigator-1.p12'));
    await page.fill('#p12-password', P12_PASSWORD);
    await page.click('#signin');
    await page.waitForSelector('#who');
    await page.click('#nav-mine');
    await page.waitForSelector(`article[data-request-id="${requestId}"] td.state-answered`, { timeout: 15_000 });
    expect(await page.textContent(`article[data-request-id="${requestId}"] tr[data-bic="ALFAKZKA"]`)).toMatch(/answered/);
    await view(page, '07-answered');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`article[data-request-id="${requestId}"] button.csv`)]);
    const csv = readFileSync((await download.path())!, 'utf8');
    // The same file as art50 police fetch writes (src/client/csv.ts): BOM, the CLI's columns, one row per movement.
    expect(csv.split('\r\n')[0]).toBe('\uFEFFiban,bookedAt,amount,currency,counterparty name,counterparty iin/bin,counterparty iban,counterparty bic,purpose,channel,counterparty card');
    expect(csv).toMatch(/\r\nKZ\d{2}111/);
    // Opened in the page: the bank's signature verified there, the movements in pages.
    await page.click(`article[data-request-id="${requestId}"] button.open-statement`);
    await page.waitForSelector('#statement-verdict, #statement-error');
    expect(await page.textContent('#statement-verdict')).toMatch(/The bank's signature is valid: .*Alfa/);
    expect(await page.textContent('#statement-result')).toMatch(/accounts found/);
    await view(page, '07b-statement-plain');
    await page.close();
  });

  it('a challenge signed through the page\'s NCALayer path signs in once; the same CMS posted again is auth.challenge_invalid', async () => {
    const page = await open();
    nca.use('police/investigator-1');
    // The page's own sign-in: challenge, NCALayer, CMS. Its POST is held back here (aborted), so the
    // challenge is still unused when the page posts the very same bytes twice below.
    const captured: { cms?: Buffer } = {};
    await page.route('**/v1/auth/login', async (route) => {
      captured.cms = route.request().postDataBuffer() ?? undefined;
      await route.abort();
    });
    const before = nca.requests.length;
    await page.click('#signin');
    await page.waitForSelector('#signin-error');
    await page.unroute('**/v1/auth/login');
    expect(nca.requests.length).toBe(before + 1);
    expect(nca.requests.at(-1)!.eku).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(captured.cms).toBeDefined();
    const answers = await page.evaluate(async (b64: string) => {
      const body = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const post = async (): Promise<[number, string | null]> => {
        const res = await fetch('/v1/auth/login', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/pkcs7-mime' }, body });
        return [res.status, ((await res.json()) as { code?: string }).code ?? null];
      };
      return [await post(), await post()];
    }, captured.cms!.toString('base64'));
    expect(answers).toEqual([[200, null], [401, 'auth.challenge_invalid']]);
    await page.close();
  });

  it('a revoked certificate cannot sign in; a cancelled or absent NCALayer says so', async () => {
    const page = await open();
    await signInWithNcaLayer(page, 'police/investigator-revoked');
    expect(await page.textContent('#signin-error')).toMatch(/auth\.client_cert_revoked/);
    await view(page, '08-revoked');
    nca.cancelNext();
    await page.click('#signin');
    await page.locator('#signin-error', { hasText: 'cancelled' }).waitFor();
    await nca.close();
    await page.click('#signin');
    await page.locator('#signin-error', { hasText: 'NCALayer is not running' }).waitFor({ timeout: 10_000 });
    await view(page, '09-ncalayer-absent');
    await page.close();
  });

  it('had no CSP violation and no serious or critical accessibility violation on any view', () => {
    expect(cspErrors).toEqual([]);
    expect(Object.keys(a11y).length).toBeGreaterThanOrEqual(8);
    expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
  });
});
