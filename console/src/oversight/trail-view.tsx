import cytoscape from 'cytoscape';
import { useEffect, useRef, useState } from 'preact/hooks';
import { accountLabel, Trail, TrailBuilder, TrailEdge, TrailNode, TrailStatement, withoutCardNumbers } from '../../../src/trail/build';
import { trailGraphml } from '../../../src/trail/graphml';
import { ApiError, getJson } from '../api';
import { almaty, Locale } from '../i18n';
import { messageOf } from '../shared';
import { openDecryptionKey } from '../software-key';
import { DecryptionKey, fetchStatement, openStatement } from '../statement-open';
import { download } from './csv';
import { DataTable } from './table';
import type { T } from './types';

interface CaseTrail extends Trail {
  erdrNumber: string;
  requests: Array<{ requestId: string; receivedAt: string; state: string }>;
  encrypted: Array<{ statementId: string; requestId: string; bank: string }>;
  expired: Array<{ statementId: string; requestId: string; bank: string }>;
}

const BANK_COLOURS = ['#0b5394', '#b45f06', '#38761d', '#741b47', '#134f5c', '#7f6000'];
const UNKNOWN_BANK = '#777777';

export function bankColours(t: Trail): Map<string, string> {
  const banks = [...new Set(t.nodes.map((n) => n.bank).filter((b): b is string => b !== undefined))].sort();
  return new Map(banks.map((b, i) => [b, BANK_COLOURS[i % BANK_COLOURS.length]!]));
}

/** An IBAN shortened for the graph; a card is already masked. */
const short = (n: TrailNode): string => (n.iban !== undefined ? `${n.iban.slice(0, 4)}…${n.iban.slice(-4)}` : accountLabel(n));

/** The graph: one column per hop, left to right, accounts coloured by bank; a click on an edge opens it. */
function Graph({ trail, onEdge }: { trail: Trail; onEdge: (id: string) => void }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return undefined;
    const colours = bankColours(trail);
    const rowOf = new Map<number, number>();
    const cy = cytoscape({
      container: host.current,
      elements: [
        ...trail.nodes.map((n) => {
          const col = n.hop ?? -1;
          const row = rowOf.get(col) ?? 0;
          rowOf.set(col, row + 1);
          return {
            group: 'nodes' as const,
            data: { id: n.id, label: `${n.holder?.name ?? n.holder?.iin ?? n.holder?.bin ?? ''}\n${short(n)} · ${n.bank ?? '?'}`, colour: n.bank ? colours.get(n.bank) ?? UNKNOWN_BANK : UNKNOWN_BANK },
            position: { x: (col + 1) * 280, y: row * 80 },
          };
        }),
        ...trail.edges.map((e) => ({ group: 'edges' as const, data: { id: e.id, source: e.from, target: e.to, label: `${e.amount} ${e.currency}` } })),
      ],
      layout: { name: 'preset' },
      style: [
        { selector: 'node', style: { 'background-color': 'data(colour)', label: 'data(label)', 'text-wrap': 'wrap', 'font-size': 10, 'text-valign': 'bottom', width: 22, height: 22 } },
        { selector: 'edge', style: { 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', label: 'data(label)', 'font-size': 9, width: 2, 'line-color': '#888', 'target-arrow-color': '#888', 'text-background-color': '#fff', 'text-background-opacity': 1 } },
        { selector: 'edge:selected', style: { 'line-color': '#a00000', 'target-arrow-color': '#a00000', width: 4 } },
      ],
      wheelSensitivity: 0.3,
    });
    cy.on('tap', 'edge', (ev) => onEdge(String(ev.target.id())));
    cy.fit(undefined, 20);
    return () => cy.destroy();
  }, [trail]);
  return <div ref={host} id="trail-graph" class="graph" role="img" aria-label={`${trail.nodes.length} accounts, ${trail.edges.length} movements`} />;
}

/**
 * What one edge's statement says, as the bank signed it: downloaded (the requesting body only),
 * decrypted with the body's key when it came encrypted, and the bank's signature verified in the page.
 */
function EdgeDetail({ t, locale, edge, keyring }: { t: T; locale: Locale; edge: TrailEdge; keyring: DecryptionKey | undefined }) {
  const [opened, setOpened] = useState<{ signer: string; movement?: unknown; der: Uint8Array } | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    setOpened(undefined);
    setError('');
  }, [edge.id]);
  const open = async (): Promise<void> => {
    try {
      const o = await openStatement(await fetchStatement(edge.statementId), keyring);
      const doc = o.doc as { accounts?: Array<{ movements?: Array<{ id: string }> }> };
      const movement = (doc.accounts ?? []).flatMap((a) => a.movements ?? []).find((m) => m.id === edge.movementId);
      setOpened({ signer: o.signer.subject.cn, movement, der: o.signed });
    } catch (e) {
      setError(e instanceof ApiError && e.problem.status === 404 ? t('ov.trail.statementForBody') : messageOf(e, t));
    }
  };
  return (
    <section class="card" id="edge-detail" aria-live="polite">
      <h3>{t('ov.trail.movement')}</h3>
      <dl>
        <dt>{t('ov.trail.from')}</dt><dd>{edge.from}</dd>
        <dt>{t('ov.trail.to')}</dt><dd>{edge.to}</dd>
        <dt>{t('ov.trail.amount')}</dt><dd>{edge.amount} {edge.currency}</dd>
        <dt>{t('ov.trail.time')}</dt><dd id="edge-time">{almaty(edge.time, locale)}</dd>
        <dt>{t('ov.trail.purpose')}</dt><dd>{edge.purpose ?? '—'}</dd>
        <dt>{t('ov.trail.statement')}</dt><dd id="edge-statement">{edge.statementId}</dd>
      </dl>
      <button type="button" id="open-statement" onClick={() => void open()}>{t('ov.trail.openStatement')}</button>
      {error && <p class="error" role="alert" id="statement-error">{error}</p>}
      {opened && (
        <div id="statement-opened">
          <p class="ok">{t('ov.trail.signedBy', { cn: opened.signer })}</p>
          <pre>{JSON.stringify(opened.movement ?? {}, null, 2)}</pre>
          <button type="button" onClick={() => download(`${edge.statementId}.p7s`, opened.der, 'application/pkcs7-mime')}>{t('ov.trail.downloadP7s')}</button>
        </div>
      )}
    </section>
  );
}

/**
 * Statements encrypted to the body: the gateway cannot read them, so the page opens each with the
 * body's key (as the statement view does), and adds it to the trail with the gateway's own builder.
 */
async function decryptInto(trail: CaseTrail, key: DecryptionKey): Promise<CaseTrail> {
  const builder = TrailBuilder.extend(trail);
  const first = trail.requests[0]?.requestId;
  for (const item of trail.encrypted) {
    const o = await openStatement(await fetchStatement(item.statementId), key);
    const doc = o.doc as unknown as TrailStatement;
    builder.add(doc, { root: doc.requestId === first });
  }
  return { ...trail, ...builder.build(), encrypted: [] };
}

function KeyPicker({ t, onKey }: { t: T; onKey: (k: DecryptionKey) => Promise<void> }) {
  const [file, setFile] = useState<File | undefined>();
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const go = async (): Promise<void> => {
    if (!file) return;
    setBusy(true);
    setError('');
    try {
      await onKey(await openDecryptionKey(new Uint8Array(await file.arrayBuffer()), password));
    } catch (e) {
      setError(messageOf(e, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div id="trail-key">
      <label>{t('ov.trail.keyFile')} <input id="trail-key-p12" type="file" accept=".p12,.pfx" onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0])} /></label>
      <label>{t('ov.trail.keyPassword')} <input id="trail-key-password" type="password" autocomplete="off" value={password} onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} /></label>
      <button type="button" id="trail-decrypt" disabled={!file || busy} onClick={() => void go()}>{t('ov.trail.decrypt')}</button>
      {error && <p class="error" role="alert" id="trail-key-error">{error}</p>}
    </div>
  );
}

/** An account as the movements table shows it: holder, account (IBAN, masked IBAN or masked card) and bank. */
const party = (n: TrailNode | undefined, id: string): string =>
  `${n?.holder?.name ?? n?.holder?.iin ?? ''} ${n ? accountLabel(n) : id} (${n?.bank ?? '?'})`.trim();

/**
 * The movements of one hop, a DataTable like every table of the page, so it exports CSV (exactly
 * the rows shown, times in Almaty as on the page); Open shows the movement and its signed statement.
 */
function HopTable({ t, locale, trail, hop, onOpen }: { t: T; locale: Locale; trail: CaseTrail; hop: number; onOpen: (id: string) => void }) {
  const nodes = new Map(trail.nodes.map((n) => [n.id, n]));
  const edges = trail.edges.filter((e) => e.hop === hop);
  return (
    <DataTable t={t} id={`trail-hop-${hop}`} file={`trail-${trail.erdrNumber}-hop-${hop}.csv`} attrs={{ 'data-hop': hop }}
      caption={hop === 0 ? t('ov.trail.hop0') : t('ov.trail.hop', { n: hop })}
      cols={['from', 'to', 'amount', 'currency', 'time', 'statementId']}
      header={[t('ov.trail.from'), t('ov.trail.to'), t('ov.trail.amount'), t('ov.trail.currency'), t('ov.trail.time'), t('ov.trail.statement')]}
      rows={edges.map((e) => [party(nodes.get(e.from), e.from), party(nodes.get(e.to), e.to), e.amount, e.currency, almaty(e.time, locale), e.statementId])}
      rowAttrs={(i) => ({ 'data-edge': edges[i]!.id, 'data-from-bank': nodes.get(edges[i]!.from)?.bank ?? '', 'data-to-bank': nodes.get(edges[i]!.to)?.bank ?? '' })}
      action={{ header: t('ov.trail.movement'), cell: (i) => <button type="button" class="open-edge" onClick={() => onOpen(edges[i]!.id)}>{t('ov.trail.open')}</button> }} />
  );
}

/** The money trail of a case (GET /v1/cases/{erdrNumber}/trail): graph, movements by hop, exports. */
/** `canDecrypt`: the requesting body's people, who download statements (a prosecutor cannot). */
export function TrailView({ t, locale, canDecrypt }: { t: T; locale: Locale; canDecrypt: boolean }) {
  const [erdr, setErdr] = useState('');
  const [trail, setTrail] = useState<CaseTrail | undefined>();
  const [error, setError] = useState('');
  const [selected, setSelected] = useState<string | undefined>();
  const [keyring, setKeyring] = useState<DecryptionKey | undefined>();
  const [decrypted, setDecrypted] = useState(0);
  const load = async (): Promise<void> => {
    setError('');
    setTrail(undefined);
    setSelected(undefined);
    try {
      const got = await getJson<CaseTrail>(`/v1/cases/${encodeURIComponent(erdr.trim())}/trail`);
      setDecrypted(0);
      setTrail(keyring && got.encrypted.length > 0 ? await decryptInto(got, keyring) : got);
    } catch (e) {
      setError(e instanceof ApiError ? t('problem', { detail: e.problem.detail, code: e.problem.code }) : String(e));
    }
  };
  const colours = trail ? bankColours(trail) : new Map<string, string>();
  const edge = trail?.edges.find((e) => e.id === selected);
  const hops = trail ? [...new Set(trail.edges.map((e) => e.hop))].sort((a, b) => a - b) : [];
  return (
    <div id="trail">
      <section class="card">
        <label>{t('ov.trail.erdr')}
          <input id="trail-erdr" inputMode="numeric" value={erdr} onInput={(e) => setErdr((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <button type="button" id="trail-show" onClick={() => void load()}>{t('ov.trail.show')}</button>
        {error && <p class="error" role="alert" id="trail-error">{error}</p>}
      </section>
      {trail && (
        <>
          <section class="card">
            <p id="trail-summary">{t('ov.trail.summary', { accounts: trail.nodes.length, movements: trail.edges.length, requests: trail.requests.length })}</p>
            <ul class="legend" id="trail-legend">
              {[...colours].map(([bank, colour]) => <li data-bank={bank}><span class="swatch" style={{ backgroundColor: colour }} aria-hidden="true" />{bank}</li>)}
            </ul>
            <button type="button" id="trail-json" onClick={() => download(`trail-${trail.erdrNumber}.json`, JSON.stringify(withoutCardNumbers(trail), null, 2), 'application/json')}>{t('ov.trail.json')}</button>{' '}
            <button type="button" id="trail-graphml" onClick={() => download(`trail-${trail.erdrNumber}.graphml`, trailGraphml(trail, `case-${trail.erdrNumber}`), 'application/graphml+xml')}>{t('ov.trail.graphml')}</button>
            {trail.encrypted.length > 0 && (
              <div id="trail-encrypted">
                <p>{t('ov.trail.encrypted', { n: trail.encrypted.length })}</p>
                {canDecrypt && <KeyPicker t={t} onKey={async (k) => {
                  const n = trail.encrypted.length;
                  setTrail(await decryptInto(trail, k));
                  setKeyring(k);
                  setDecrypted(n);
                }} />}
              </div>
            )}
            {decrypted > 0 && <p class="ok" id="trail-decrypted">{t('ov.trail.decrypted', { n: decrypted })}</p>}
            {trail.expired.length > 0 && <p id="trail-expired">{t('ov.trail.expired', { n: trail.expired.length })}</p>}
          </section>
          <Graph trail={trail} onEdge={setSelected} />
          {edge && <EdgeDetail t={t} locale={locale} edge={edge} keyring={keyring} />}
          {hops.map((h) => <HopTable t={t} locale={locale} trail={trail} hop={h} onOpen={setSelected} />)}
        </>
      )}
    </div>
  );
}
