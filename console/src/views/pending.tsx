import { useEffect, useState } from 'preact/hooks';
import { getJson, postCms } from '../api';
import { openCms } from '../cms';
import { unb64 } from '../der';
import { almaty, duration, Locale } from '../i18n';
import { Json, messageOf, SessionInfo, SignerChoice, signWith, T, utf8 } from '../shared';
import { checkSignature, SignatureVerdict, signerDetails } from '../signer-certificate';
import { describeSubject } from '../../../src/documents/subject';
import type { RequestSubject } from '../../../src/documents/types';

/** The prosecutor's pending queue (oldest first) and one request in full, granted or refused by signature. */

interface PendingItem { requestId: string; digest: string; erdrNumber: string; article: string; receivedAt: string; request: string }

const maskIin = (iin: string): string => `${iin.slice(0, 2)}••••••••${iin.slice(10)}`;

export function Pending(p: { t: T; locale: Locale; session: SessionInfo; choice: SignerChoice; now: number }) {
  const { t, locale } = p;
  const [items, setItems] = useState<PendingItem[]>([]);
  const [open, setOpen] = useState<PendingItem | undefined>();
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const load = async (): Promise<void> => {
    try {
      const res = await getJson<{ items: PendingItem[] }>('/v1/sanctions/pending?limit=1000');
      setItems([...res.items].sort((a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt)));
      setError('');
    } catch (e) {
      setError(messageOf(e, t));
    }
  };
  // The queue stays current while it is on screen: new requests appear, decided ones leave.
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 10_000);
    return () => clearInterval(timer);
  }, []);
  if (open) return <Decide {...p} item={open} onBack={(msg) => { setOpen(undefined); setNote(msg); void load(); }} />;
  return (
    <section class="card" id="pending">
      <h2>{t('nav.pending')}</h2>
      {note && <p class="ok" role="status" id="decision-note">{note}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      {items.length === 0 ? <p>{t('pending.empty')}</p> : (
        <ol>
          {items.map((i) => (
            <li key={i.requestId} data-request-id={i.requestId}>
              <strong>{i.erdrNumber}</strong> · {i.article} · {almaty(i.receivedAt, locale)} · {t('pending.waiting', { time: duration(p.now - Date.parse(i.receivedAt)) })}{' '}
              <button type="button" class="open" onClick={() => setOpen(i)}>{t('pending.open')}</button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Decide(p: { t: T; locale: Locale; session: SessionInfo; choice: SignerChoice; item: PendingItem; onBack: (msg: string) => void }) {
  const { t, item } = p;
  const der = unb64(item.request);
  const opened = openCms(der);
  const cert = signerDetails(der);
  const doc = JSON.parse(new TextDecoder().decode(opened.content)) as Json;
  const c = doc.case as Json;
  const subject = doc.subject as Json;
  // A request by IBAN or card number (no IIN): "IBAN KZ…" or "card 440043******1234", a card always masked.
  const byAccount = subject.iin === undefined ? describeSubject(subject as unknown as RequestSubject) : undefined;
  const signer = doc.signer as Json;
  const scope = doc.scope as Json;
  const [reveal, setReveal] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [verdict, setVerdict] = useState<SignatureVerdict | undefined>();
  // The verdict is computed here, not asserted: the request's CMS signature checked with WebCrypto.
  useEffect(() => {
    let live = true;
    // What gets sanctioned is item.digest: it must be the SHA-256 of the content verified here, for
    // this requestId (as the CLI's prosecutor checks), or the signature says nothing about it.
    const binding = async (): Promise<SignatureVerdict | undefined> => {
      const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(opened.content)));
      const hex = Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
      if (hex !== item.digest) return { kind: 'invalid', code: 'sanction.digest_mismatch' };
      if (doc.requestId !== item.requestId) return { kind: 'invalid', code: 'sanction.request_mismatch' };
      return undefined;
    };
    checkSignature(der)
      .then(async (v) => (v.kind === 'invalid' ? v : ((await binding()) ?? v)))
      // An unexpected failure is not a verdict of "valid": the buttons stay disabled.
      .catch((): SignatureVerdict => ({ kind: 'invalid', code: 'cms.malformed' }))
      .then((v) => live && setVerdict(v));
    return () => {
      live = false;
    };
  }, [item.request]);
  const decide = async (decision: 'granted' | 'refused'): Promise<void> => {
    if (decision === 'refused' && !reason.trim()) {
      setError(`${t('err.reason')} [document.schema /reason]`);
      return;
    }
    if (reason.trim().length > 2000) {
      setError(`${t('err.tooLong')} [document.schema /reason]`);
      return;
    }
    setBusy(true);
    setError('');
    try {
      const me = p.session.participant;
      const now = new Date();
      const sanction = {
        type: 'sanction', version: 1, sanctionId: crypto.randomUUID(), requestId: item.requestId, requestDigest: item.digest, decision,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        issuedAt: now.toISOString(), validUntil: new Date(now.getTime() + 10 * 86_400_000).toISOString(),
        prosecutor: { iin: me.iin ?? '', bin: me.organisation.bin, ...(me.name ? { name: me.name } : {}) },
        case: { erdrNumber: c.erdrNumber },
      };
      const cms = await signWith(p.choice, utf8(JSON.stringify(sanction)), 'sign', p.locale);
      const signedBy = openCms(cms).signerCn;
      await postCms(`/v1/requests/${item.requestId}/sanction`, cms);
      p.onBack(t('detail.decided', { decision: t(`state.${decision}`), signer: signedBy }));
    } catch (e) {
      setError(messageOf(e, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" id="request-detail">
      <button type="button" onClick={() => p.onBack('')}>{t('back')}</button>
      <h2>{String(c.erdrNumber)} · {String(c.article)}</h2>
      <dl>
        <dt>{t('detail.case')}</dt><dd>{String(c.erdrNumber)}, {String(c.article)}{c.description ? ` — ${String(c.description)}` : ''}</dd>
        <dt>{t('detail.body')}</dt><dd>{String((doc.body as Json).name)} ({String((doc.body as Json).bin)})</dd>
        <dt>{t('detail.subject')}</dt>
        <dd><span id="subject-iin-shown">{byAccount ?? (reveal ? String(subject.iin) : maskIin(String(subject.iin)))}</span>{subject.name ? ` — ${String(subject.name)}` : ''} {!reveal && byAccount === undefined && <button type="button" id="reveal" onClick={() => setReveal(true)}>{t('detail.reveal')}</button>}</dd>
        <dt>{t('detail.scope')}</dt>
        <dd id="scope">
          {[
            scope.accountList ? t('req.accountList') : '',
            scope.balances ? `${t('req.balancesAsOf')} ${String((scope.balances as Json).asOf)}` : '',
            scope.movements ? `${t('req.movementsFrom')} ${String((scope.movements as Json).from)} — ${t('req.movementsTo')} ${String((scope.movements as Json).to)}` : '',
          ].filter(Boolean).join('; ')}
        </dd>
        <dt>{t('detail.banks')}</dt><dd>{Array.isArray(doc.banks) ? (doc.banks as string[]).join(', ') : t('req.allBanks')}</dd>
        <dt>{t('detail.signer')}</dt><dd>{String(signer.name)}, {String(signer.position)}</dd>
        <dt>{t('detail.certificate')}</dt><dd id="cert-subject">{cert?.subjectCn ?? opened.signerCn}</dd>
        {cert && (
          <>
            <dt>{t('detail.certSerial')}</dt><dd id="cert-serial">{cert.serial}</dd>
            <dt>{t('detail.certIssuer')}</dt><dd id="cert-issuer">{cert.issuerCn}</dd>
            <dt>{t('detail.certValidity')}</dt>
            <dd id="cert-validity">
              <time dateTime={cert.notBefore.toISOString()}>{almaty(cert.notBefore, p.locale)}</time> — <time dateTime={cert.notAfter.toISOString()}>{almaty(cert.notAfter, p.locale)}</time>
            </dd>
          </>
        )}
        <dt>{t('detail.verdict')}</dt>
        <dd>
          <span id="verdict" aria-live="polite" class={verdict?.kind === 'valid' ? 'ok' : verdict?.kind === 'invalid' ? 'error' : ''} data-verdict={verdict?.kind ?? 'checking'}>
            {!verdict ? t('detail.verdictChecking')
              : verdict.kind === 'valid' ? t('detail.verdictOk')
              : verdict.kind === 'unsupported' ? t('detail.verdictUnsupported')
              : t('detail.verdictInvalid', { code: verdict.code })}
          </span>
        </dd>
      </dl>
      <label>{t('detail.reason')} <textarea id="reason" value={reason} onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)} /></label>
      <div class="actions">
        {/* Decided on only once checked here, and not when it fails (the verdict says to report it). */}
        <button type="button" id="grant" disabled={busy || !verdict || verdict.kind === 'invalid'} onClick={() => void decide('granted')}>{t('detail.grant')}</button>
        <button type="button" id="refuse" disabled={busy || !verdict || verdict.kind === 'invalid'} onClick={() => void decide('refused')}>{t('detail.refuse')}</button>
      </div>
      {error && <p class="error" role="alert" id="decide-error">{error}</p>}
    </section>
  );
}

