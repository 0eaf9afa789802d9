import { randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { signCms } from '../../src/cms/sign';
import { encodeCheckpointBody } from '../../src/log/checkpoint';
import { TrailBuilder, TrailStatement, withoutCardNumbers } from '../../src/trail/build';
import { axeViolations, launchBrowser, screenshot, spkiHash, TestBrowser } from '../support/browser';
import { fileDemoCase, FiledCase, statementUpload } from '../support/demo-case';
import { makeRequest, makeSanction } from '../support/documents';
import { INV, PROS, waitFor } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { ENCRYPTED_REGISTRY, identity, KEYS, sign } from '../support/identities';
import { P12_PASSWORD } from '../support/ncalayer';
import { signedChallenge } from '../support/session';
import { delivered, refusal } from '../statements/helpers';

/**
 * The oversight console (/console/oversight) in a real browser: the figures equal /v1/stats, the
 * log's checkpoint is verified in the page and a forged one raises the alarm, and the demo case's
 * money trail is drawn with the victim, the seven mules in two banks and the second hop.
 */

const TLS_PEM = readFileSync(join(KEYS, 'gateway', 'tls.pem'));
const ERDR = '251750031000555';
const AUD = 'auditor/auditor-1';
/** Body A's encryption certificate: with the registry of keys.example, as in the demo, banks encrypt every statement to it. */
const CERT_A = new X509Certificate(readFileSync(join(KEYS, 'police', 'encryption-A.pem')));

jest.setTimeout(120_000);

let t: TestGateway;
let browser: TestBrowser;
let base: string;
let filed: FiledCase;
let overdueRequestId = '';
const cspErrors: string[] = [];
const a11y: Record<string, string[]> = {};

beforeAll(async () => {
  // One deadline hour lasts 400 ms: a 1-hour deadline passes while the test runs, 72 hours do not.
  t = await startTestGateway({ ART50_REGISTRY: ENCRYPTED_REGISTRY, ART50_DEADLINE_HOUR_MS: '400', ART50_CHECKPOINT_INTERVAL_MS: '100' }, { workers: true });
  browser = await launchBrowser([spkiHash(TLS_PEM)]);
  base = `https://127.0.0.1:${t.port}`;
  filed = await fileDemoCase(t, ERDR, { sealTo: CERT_A });
  // A delivery GAMMKZKA leaves unanswered past its 1-hour deadline.
  const doc = makeRequest({ banks: ['GAMMKZKA'], deadlineHours: 1 });
  const res = await t.as(INV).post('/v1/requests', sign(doc, INV));
  await t.as(PROS).post(`/v1/requests/${doc.requestId}/sanction`, sign(makeSanction(doc, res.body.digest), PROS));
  await delivered(t, 'GAMMKZKA', doc.requestId);
  overdueRequestId = String(doc.requestId);
  // A bank's refusal, for the refusals table.
  const refused = makeRequest({ banks: ['BETAKZKA'] });
  const r2 = await t.as(INV).post('/v1/requests', sign(refused, INV));
  await t.as(PROS).post(`/v1/requests/${refused.requestId}/sanction`, sign(makeSanction(refused, r2.body.digest), PROS));
  await delivered(t, 'BETAKZKA', refused.requestId);
  expect((await t.as('banks/BETAKZKA').post('/v1/statements', statementUpload(refusal(refused, r2.body.digest, 'BETAKZKA'), 'BETAKZKA', CERT_A))).status).toBe(201);
  await waitFor(async () => (await t.as(AUD).get('/v1/stats')).body.overdue?.some((o: { requestId: string }) => o.requestId === overdueRequestId), 'the overdue mark in the statistics', 30_000);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

/** A fresh page signed in as `who`: the challenge is signed as NCALayer would, the page posts it and keeps the session cookie. */
async function openAs(who: string): Promise<Page> {
  await browser.context.clearCookies();
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  await page.goto(`${base}/console/oversight`);
  await page.evaluate("localStorage.setItem('art50.locale', 'en')");
  const { cms } = await signedChallenge(t, who);
  const status = await page.evaluate(async (b64) => {
    const body = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return (await fetch('/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/pkcs7-mime' }, body })).status;
  }, cms.toString('base64'));
  expect(status).toBe(200);
  await page.reload();
  await page.waitForSelector('#who');
  return page;
}

async function view(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  a11y[name] = await axeViolations(page);
}

const cells = async (page: Page, table: string): Promise<Array<Record<string, string>>> =>
  page.$$eval(`table#${table} tbody tr`, (rows) => rows.map((r) => Object.fromEntries([...r.querySelectorAll('td')].map((td) => [td.dataset.col ?? '', td.textContent ?? '']))));

describe('the oversight console', () => {
  it('is served with the console\'s strict CSP, its own script and no inline script', async () => {
    const res = await t.as().get('/console/oversight');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.text).toMatch(/<script type="module" src="\/console\/oversight.js"><\/script>/);
    expect(res.text).not.toMatch(/<script>|<script [^>]*>[^<]/);
  });

  it('shows the auditor the figures of /v1/stats: per bank, overdue with ages, refusals, form 1-M; tables export as CSV', async () => {
    const page = await openAs(AUD);
    await page.waitForSelector('body[data-ready="stats"] table#banks');
    const api = (await page.evaluate(async () => (await fetch('/v1/stats')).json())) as {
      byBank: Record<string, { delivered: number; answered: number; answeredInTime: number; answeredInTimeShare: number | null; overdueNow: number; found: number; notFound: number; refusedStatements: number; responseTime: { p50Ms: number | null; p90Ms: number | null }; refusalsByReason: Record<string, number> }>;
      monthly: Array<{ month: string; region: string; article: string; body: string; requests: number }>;
      overdue: Array<{ requestId: string; bank: string }>;
    };
    const banks = await cells(page, 'banks');
    expect(banks.map((r) => r.bank)).toEqual(Object.keys(api.byBank).sort());
    const h = (ms: number | null): string => {
      if (ms === null) return '—';
      const sec = Math.floor(ms / 1000);
      return `${Math.floor(sec / 3600)}:${String(Math.floor((sec % 3600) / 60)).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}`;
    };
    for (const row of banks) {
      const b = api.byBank[row.bank!]!;
      expect(row).toEqual({
        bank: row.bank, delivered: String(b.delivered), answered: String(b.answered), answeredInTime: String(b.answeredInTime),
        answeredInTimeShare: b.answeredInTimeShare === null ? '—' : `${(b.answeredInTimeShare * 100).toFixed(1)}%`,
        p50: h(b.responseTime.p50Ms), p90: h(b.responseTime.p90Ms), overdueNow: String(b.overdueNow),
        found: String(b.found), notFound: String(b.notFound), refusedStatements: String(b.refusedStatements),
      });
    }
    expect(api.byBank.BETAKZKA!).toMatchObject({ found: 4, refusedStatements: 1 });
    const overdue = await cells(page, 'overdue');
    expect(overdue.map((r) => r.requestId)).toEqual(api.overdue.map((o) => o.requestId));
    expect(overdue.find((r) => r.requestId === overdueRequestId)).toMatchObject({ bank: 'GAMMKZKA', age: expect.stringMatching(/^\d+:\d\d:\d\d$/) });
    const monthly = await cells(page, 'monthly');
    expect(monthly).toEqual(api.monthly.map((r) => ({ month: r.month, region: r.region, article: r.article, body: r.body, requests: String(r.requests) })));
    expect(monthly.reduce((a, r) => a + Number(r.requests), 0)).toBe(10);
    const refusals = await cells(page, 'refusals');
    expect(refusals).toEqual(Object.entries(api.byBank).flatMap(([bic, b]) => Object.entries(b.refusalsByReason).map(([reason, n]) => ({ bank: bic, reason: reason === 'refused_by_bank' ? 'refused by the bank (reason in the statement)' : reason, count: String(n) }))));
    expect(refusals).toContainEqual({ bank: 'BETAKZKA', reason: 'refused by the bank (reason in the statement)', count: '1' });
    expect(await page.$$('#chart-in-time canvas, #chart-response canvas, #chart-monthly canvas')).toHaveLength(3);
    await view(page, '10-oversight-stats');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#banks-csv')]);
    const lines = readFileSync((await csv.path())!, 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe('"bank","delivered","answered","answeredInTime","answeredInTimeShare","p50","p90","overdueNow","found","notFound","refusedStatements"');
    expect(lines).toHaveLength(banks.length + 1);
    await page.close();
  });

  it('verifies the checkpoint\'s seal in the page and proves the log consistent with the tree it saw before', async () => {
    const page = await openAs(AUD);
    await page.click('#nav-log');
    await page.waitForSelector('#log-health, #log-alarm, #log-error');
    expect(await page.getAttribute('#log-health', 'data-consistency')).toMatch(/^(first|same|proved)$/);
    const first = Number(await page.textContent('#log-size'));
    // The log grows (a statement download is logged); the next check proves the new tree extends the old.
    await t.as(INV).get(`/v1/statements/${filed.statementIds[0]}`);
    await waitFor(async () => (await t.as(AUD).get('/v1/log/checkpoint')).body.treeSize > first, 'a newer checkpoint');
    await page.click('#log-recheck');
    await page.waitForSelector('#log-health[data-consistency="proved"]');
    expect(Number(await page.textContent('#log-size'))).toBeGreaterThan(first);
    expect(await page.textContent('#log-signature')).toMatch(/verified in this browser/);
    await view(page, '11-oversight-log');
    await page.close();
  });

  it('raises the alarm, naming both tree sizes and roots, for a checkpoint whose signature does not verify', async () => {
    const page = await openAs(AUD);
    await page.click('#nav-log');
    await page.waitForSelector('#log-health');
    const seenSize = await page.textContent('#log-size');
    const seenRoot = await page.textContent('#log-root');
    // The root in lowercase hex, as `art50 audit verify` and `audit prove` print it.
    expect(seenRoot).toMatch(/^[0-9a-f]{64}$/);
    const forgedRoot = randomBytes(32).toString('base64');
    const forgedHex = Buffer.from(forgedRoot, 'base64').toString('hex');
    await page.route('**/v1/log/checkpoint', async (route) => {
      const real = (await t.as(AUD).get('/v1/log/checkpoint')).body as { rootHash: string; checkpoint: string };
      // The signed body with another root, the gateway's signature left as it was.
      const der = Buffer.from(real.checkpoint, 'base64');
      const at = der.indexOf(Buffer.from(real.rootHash));
      Buffer.from(forgedRoot).copy(der, at);
      await route.fulfill({ json: { ...real, rootHash: forgedRoot, checkpoint: der.toString('base64') } });
    });
    await page.click('#log-recheck');
    await page.waitForSelector('#log-alarm');
    expect(await page.getAttribute('#log-alarm', 'data-reason')).toBe('signature');
    expect(await page.getAttribute('#alarm-current', 'data-root')).toBe(forgedHex);
    expect(await page.getAttribute('#alarm-previous', 'data-size')).toBe(seenSize);
    expect(await page.getAttribute('#alarm-previous', 'data-root')).toBe(seenRoot);
    expect(await page.textContent('#log-alarm')).toContain(forgedHex);
    expect(await page.textContent('#log-alarm')).not.toContain(forgedRoot);
    await view(page, '12-oversight-log-alarm-signature');
    await page.close();
  });

  it('raises the alarm for a correctly sealed checkpoint that does not extend the tree seen before', async () => {
    const page = await openAs(AUD);
    await page.click('#nav-log');
    await page.waitForSelector('#log-health');
    const seenSize = Number(await page.textContent('#log-size'));
    await t.as(INV).get(`/v1/statements/${filed.statementIds[1]}`);
    const real = await waitFor(async () => {
      const c = (await t.as(AUD).get('/v1/log/checkpoint')).body as { origin: string; treeSize: number };
      return c.treeSize > seenSize ? c : undefined;
    }, 'a newer checkpoint');
    // A lying gateway with its real seal key: a bigger tree whose root is not an extension.
    const body = { origin: real.origin, treeSize: real.treeSize, rootHash: randomBytes(32).toString('base64'), time: new Date().toISOString() };
    const forged = signCms(encodeCheckpointBody(body), identity('gateway/seal'));
    await page.route('**/v1/log/checkpoint', (route) => route.fulfill({ json: { ...body, checkpoint: forged.toString('base64') } }));
    await page.click('#log-recheck');
    await page.waitForSelector('#log-alarm');
    expect(await page.getAttribute('#log-alarm', 'data-reason')).toBe('inconsistent');
    expect(await page.getAttribute('#alarm-current', 'data-size')).toBe(String(body.treeSize));
    expect(await page.getAttribute('#alarm-current', 'data-root')).toBe(Buffer.from(body.rootHash, 'base64').toString('hex'));
    expect(await page.getAttribute('#alarm-previous', 'data-size')).toBe(String(seenSize));
    await view(page, '13-oversight-log-alarm-inconsistent');
    await page.close();
  });

  /** A fresh page on the log view that has checked the current checkpoint: the tree this browser saw, as it shows it. */
  async function seenTree(): Promise<{ page: Page; size: number; root: string }> {
    const page = await openAs(AUD);
    await page.click('#nav-log');
    await page.waitForSelector('#log-health');
    return { page, size: Number(await page.textContent('#log-size')), root: (await page.textContent('#log-root'))! };
  }
  const hex = (b64: string): string => Buffer.from(b64, 'base64').toString('hex');
  const alarmTree = async (page: Page, which: 'current' | 'signed' | 'previous'): Promise<{ size: string | null; root: string | null }> => ({
    size: await page.getAttribute(`#alarm-${which}`, 'data-size'),
    root: await page.getAttribute(`#alarm-${which}`, 'data-root'),
  });

  it('raises the alarm for a served tree that differs from the signed one, naming the served, the signed and the previously seen tree', async () => {
    const { page, size: seenSize, root: seenRoot } = await seenTree();
    // The log grows first, so the three trees differ: seen before, signed now, claimed now.
    await t.as(INV).get(`/v1/statements/${filed.statementIds[2]}`);
    const real = await waitFor(async () => {
      const c = (await t.as(AUD).get('/v1/log/checkpoint')).body as { origin: string; treeSize: number; rootHash: string; time: string; checkpoint: string };
      return c.treeSize > seenSize ? c : undefined;
    }, 'a newer checkpoint');
    // The gateway's real, correctly sealed checkpoint, with other figures in the JSON around it.
    const claimed = { treeSize: real.treeSize + 5, rootHash: randomBytes(32).toString('base64') };
    await page.route('**/v1/log/checkpoint', (route) => route.fulfill({ json: { ...real, ...claimed } }));
    await page.click('#log-recheck');
    await page.waitForSelector('#log-alarm');
    expect(await page.getAttribute('#log-alarm', 'data-reason')).toBe('served_mismatch');
    expect(await alarmTree(page, 'current')).toEqual({ size: String(claimed.treeSize), root: hex(claimed.rootHash) });
    expect(await alarmTree(page, 'signed')).toEqual({ size: String(real.treeSize), root: hex(real.rootHash) });
    // What this browser really saw before, not the signed tree in its place.
    expect(await alarmTree(page, 'previous')).toEqual({ size: String(seenSize), root: seenRoot });
    const text = await page.textContent('#log-alarm');
    for (const root of [hex(claimed.rootHash), hex(real.rootHash), seenRoot]) expect(text).toContain(root);
    await view(page, '16-oversight-log-alarm-served-mismatch');
    await page.close();
  });

  it('raises the alarm for a checkpoint sealed with another key than the one this browser pinned', async () => {
    const { page, size: seenSize, root: seenRoot } = await seenTree();
    const real = (await t.as(AUD).get('/v1/log/checkpoint')).body as { origin: string; treeSize: number; rootHash: string; time: string };
    // The same tree, signed and served consistently, but by a bank's key instead of the gateway's seal.
    const body = { origin: real.origin, treeSize: real.treeSize, rootHash: real.rootHash, time: real.time };
    const other = identity('banks/ALFAKZKA');
    const forged = signCms(encodeCheckpointBody(body), other);
    await page.route('**/v1/log/checkpoint', (route) => route.fulfill({ json: { ...body, checkpoint: forged.toString('base64') } }));
    await page.click('#log-recheck');
    await page.waitForSelector('#log-alarm');
    expect(await page.getAttribute('#log-alarm', 'data-reason')).toBe('seal_key');
    expect(await alarmTree(page, 'current')).toEqual({ size: String(body.treeSize), root: hex(body.rootHash) });
    expect(await alarmTree(page, 'previous')).toEqual({ size: String(seenSize), root: seenRoot });
    expect(await page.$('#alarm-signed')).toBeNull();
    // Both keys named: the pinned seal key and the one that signed now.
    expect(await page.textContent('#log-alarm')).toContain(`${spkiHash(identity('gateway/seal').certPem)} → ${spkiHash(other.certPem)}`);
    await view(page, '17-oversight-log-alarm-seal-key');
    await page.close();
  });

  it('raises the alarm for a correctly sealed checkpoint of a smaller tree than the one seen before', async () => {
    const { page, size: seenSize, root: seenRoot } = await seenTree();
    const real = (await t.as(AUD).get('/v1/log/checkpoint')).body as { origin: string };
    const body = { origin: real.origin, treeSize: seenSize - 3, rootHash: randomBytes(32).toString('base64'), time: new Date().toISOString() };
    const forged = signCms(encodeCheckpointBody(body), identity('gateway/seal'));
    await page.route('**/v1/log/checkpoint', (route) => route.fulfill({ json: { ...body, checkpoint: forged.toString('base64') } }));
    await page.click('#log-recheck');
    await page.waitForSelector('#log-alarm');
    expect(await page.getAttribute('#log-alarm', 'data-reason')).toBe('shrunk');
    expect(await alarmTree(page, 'current')).toEqual({ size: String(seenSize - 3), root: hex(body.rootHash) });
    expect(await alarmTree(page, 'previous')).toEqual({ size: String(seenSize), root: seenRoot });
    expect(await page.$('#alarm-signed')).toBeNull();
    await view(page, '18-oversight-log-alarm-shrunk');
    // None of the alarms replaced the tree this browser remembers: the real log still proves itself.
    await page.unroute('**/v1/log/checkpoint');
    await page.click('#log-recheck');
    await page.waitForSelector('#log-health');
    expect(await page.getAttribute('#log-health', 'data-consistency')).toMatch(/^(same|proved)$/);
    await page.close();
  });

  it('draws the demo case\'s money trail: the statements encrypted to the body opened in the page with its key; the victim, seven mule accounts in two banks, the second hop; an edge opens its signed statement; JSON and GraphML export', async () => {
    const page = await openAs(INV);
    await page.waitForSelector('#trail-erdr');
    await page.fill('#trail-erdr', ERDR);
    await page.click('#trail-show');
    // The gateway holds ciphertext only: it lists the statements, the page decrypts them.
    await page.waitForSelector('#trail-encrypted');
    expect(await page.textContent('#trail-summary')).toMatch(/^0 accounts, 0 movements from 8 requests/);
    await page.setInputFiles('#trail-key-p12', join(KEYS, 'police', 'encryption-A.p12'));
    await page.fill('#trail-key-password', P12_PASSWORD);
    await page.click('#trail-decrypt');
    await page.waitForSelector('#trail-decrypted');
    expect(await page.textContent('#trail-decrypted')).toMatch(/^8 encrypted statements opened/);
    await page.waitForSelector('#trail-graph canvas');
    const iban = (iin: string): string => filed.trail.parties.find((p) => p.iin === iin)!.iban;
    const victim = iban(filed.trail.subjectIin);
    const hop1 = await page.$$eval('section[data-hop="1"] tbody tr', (rows) => rows.map((r) => ({ text: r.textContent ?? '', to: r.getAttribute('data-to-bank') ?? '', from: r.getAttribute('data-from-bank') ?? '' })));
    expect(hop1).toHaveLength(7);
    expect(hop1.every((r) => r.text.includes(victim) && r.from === 'ALFAKZKA')).toBe(true);
    expect(hop1.map((r) => r.to).sort()).toEqual(['BETAKZKA', 'BETAKZKA', 'BETAKZKA', 'BETAKZKA', 'GAMMKZKA', 'GAMMKZKA', 'GAMMKZKA']);
    for (const m of filed.trail.muleIins) expect(hop1.some((r) => r.text.includes(iban(m)))).toBe(true);
    // Every movements table exports CSV, exactly the rows shown (like every table of the page).
    const [hopCsv] = await Promise.all([page.waitForEvent('download'), page.click('#trail-hop-1-csv')]);
    expect(hopCsv.suggestedFilename()).toBe(`trail-${ERDR}-hop-1.csv`);
    const csvLines = readFileSync((await hopCsv.path())!, 'utf8').split('\r\n');
    expect(csvLines.pop()).toBe('');
    expect(csvLines[0]).toBe('"from","to","amount","currency","time","statementId"');
    const shown = await cells(page, 'trail-hop-1');
    expect(csvLines.slice(1)).toEqual(shown.map((r) => ['from', 'to', 'amount', 'currency', 'time', 'statementId'].map((k) => `"${r[k]!.replace(/"/g, '""')}"`).join(',')));
    expect(csvLines.slice(1).every((l) => l.includes(victim))).toBe(true);
    // Times in Asia/Almaty, as everywhere in the console, not the raw ISO of the statement.
    const edgeIds = await page.$$eval('section[data-hop="1"] tbody tr', (rows) => rows.map((r) => r.getAttribute('data-edge') ?? ''));
    const trailTimes = new Map(filed.statements.flatMap((st) => ((st as unknown as TrailStatement).accounts ?? []).flatMap((a) => (a.movements ?? []).map((m) => [`${st.statementId}/${m.id}`, m.bookedAt] as const))));
    const isoTimes = edgeIds.map((id) => trailTimes.get(id));
    expect(isoTimes.every((x) => typeof x === 'string')).toBe(true);
    const almatyTimes = await page.evaluate((isos) => isos.map((iso) => `${new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Almaty', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(new Date(iso))} (Almaty)`), isoTimes as string[]);
    expect(shown.map((r) => r.time)).toEqual(almatyTimes);
    const hop2 = await page.$$eval('section[data-hop="2"] tbody tr', (rows) => rows.map((r) => r.textContent ?? ''));
    expect(hop2).toHaveLength(7);
    for (const m of filed.trail.muleIins) expect(hop2.some((r) => r.includes(iban(m)))).toBe(true);
    expect(await page.$$eval('#trail-legend li', (li) => li.map((l) => l.getAttribute('data-bank')))).toEqual(['ALFAKZKA', 'BETAKZKA', 'GAMMKZKA']);
    await view(page, '14-oversight-trail');

    await page.click('section[data-hop="2"] tbody tr:first-child button.open-edge');
    await page.click('#open-statement');
    await page.waitForSelector('#statement-opened, #statement-error');
    expect(await page.textContent('#edge-detail')).toMatch(/Signed by .*(Beta|Gamma)/);
    expect(await page.textContent('#edge-time')).toMatch(/^\d\d\/\d\d\/\d{4}, \d\d:\d\d \(Almaty\)$/);
    await view(page, '15-oversight-trail-statement');

    // The page's graph is the one the gateway's builder makes from the same statements.
    const expected = new TrailBuilder();
    for (const s of filed.statements) expected.add(s as unknown as TrailStatement, { root: s.requestId === filed.requestIds[0] });
    // Export JSON is the trail without full card numbers (only masked ones), like the GraphML.
    const want = withoutCardNumbers(expected.build());
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('#trail-json')]);
    const exported = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { nodes: unknown[]; edges: unknown[]; encrypted: unknown[] };
    expect(exported.nodes).toEqual(want.nodes);
    expect(exported.edges).toEqual(want.edges);
    expect(exported.encrypted).toEqual([]);
    const [graphml] = await Promise.all([page.waitForEvent('download'), page.click('#trail-graphml')]);
    const xml = readFileSync((await graphml.path())!, 'utf8');
    expect(xml.match(/<node /g)).toHaveLength(want.nodes.length);
    expect(xml.match(/<edge /g)).toHaveLength(want.edges.length);
    await page.close();
  });

  it('shows the supervising prosecutor the case, with the encrypted statements listed but no key to open them', async () => {
    const page = await openAs(PROS);
    await page.click('#nav-trail');
    await page.fill('#trail-erdr', ERDR);
    await page.click('#trail-show');
    await page.waitForSelector('#trail-encrypted');
    expect(await page.textContent('#trail-summary')).toMatch(/from 8 requests/);
    expect(await page.$('#trail-key-p12')).toBeNull();
    await page.close();
  });

  it('tells another body\'s investigator the case does not exist', async () => {
    const page = await openAs('police/investigator-2');
    await page.fill('#trail-erdr', ERDR);
    await page.click('#trail-show');
    await page.waitForSelector('#trail-error');
    expect(await page.textContent('#trail-error')).toMatch(/case\.not_found/);
    await page.close();
  });

  it('had no CSP violation and no serious or critical accessibility violation on any view', () => {
    expect(cspErrors).toEqual([]);
    expect(Object.keys(a11y).length).toBeGreaterThanOrEqual(6);
    expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
  });
});
