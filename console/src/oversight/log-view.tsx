import { useEffect, useState } from 'preact/hooks';
import { almaty, duration, Locale } from '../i18n';
import { unb64 } from '../der';
import { checkLogHealth, Health, TreeHead } from './log-health';
import type { T } from './types';

/** A root as `art50 audit verify` and `audit prove` print it (lowercase hex, as RFC 9162 tools do); the API carries base64. */
export const rootHex = (rootHash: string): string => Array.from(unb64(rootHash), (b) => b.toString(16).padStart(2, '0')).join('');

const head = (t: T, h: TreeHead | undefined): string => (h ? t('ov.log.tree', { size: h.treeSize, root: rootHex(h.rootHash) }) : '—');

/** Log health as this browser proves it: see log-health.ts. An alarm names both trees. */
export function LogView({ t, locale, now }: { t: T; locale: Locale; now: number }) {
  const [health, setHealth] = useState<Health | undefined>();
  const [error, setError] = useState('');
  const check = (): void => {
    setHealth(undefined);
    setError('');
    checkLogHealth().then(setHealth, (e: unknown) => setError(String(e instanceof Error ? e.message : e)));
  };
  useEffect(check, []);
  if (error) return <p class="error" role="alert" id="log-error">{error}</p>;
  if (!health) return <p>{t('ov.log.checking')}</p>;
  if (health.kind === 'alarm') {
    return (
      <section class="card alarm" role="alert" id="log-alarm" data-reason={health.reason}>
        <h2>{t('ov.log.alarm')}</h2>
        <p>{t(`ov.log.alarm.${health.reason}`)}</p>
        <dl>
          <dt>{t('ov.log.served')}</dt><dd id="alarm-current" data-size={health.current.treeSize} data-root={rootHex(health.current.rootHash)}>{head(t, health.current)}</dd>
          {health.signed && <><dt>{t('ov.log.signed')}</dt><dd id="alarm-signed" data-size={health.signed.treeSize} data-root={rootHex(health.signed.rootHash)}>{head(t, health.signed)}</dd></>}
          <dt>{t('ov.log.seenBefore')}</dt><dd id="alarm-previous" data-size={health.previous?.treeSize ?? ''} data-root={health.previous ? rootHex(health.previous.rootHash) : ''}>{head(t, health.previous)}</dd>
        </dl>
        {health.detail && <p><code>{health.detail}</code></p>}
        <button type="button" id="log-recheck" onClick={check}>{t('ov.log.recheck')}</button>
      </section>
    );
  }
  const age = health.current.time ? now - Date.parse(health.current.time) : 0;
  return (
    <section class="card" id="log-health" data-consistency={health.consistency}>
      <h2>{t('ov.log.title')}</h2>
      <dl>
        <dt>{t('ov.log.origin')}</dt><dd>{health.origin}</dd>
        <dt>{t('ov.log.size')}</dt><dd id="log-size">{health.current.treeSize}</dd>
        <dt>{t('ov.log.root')}</dt><dd><code id="log-root">{rootHex(health.current.rootHash)}</code></dd>
        <dt>{t('ov.log.age')}</dt><dd id="log-age">{duration(age)} ({health.current.time ? almaty(health.current.time, locale) : ''})</dd>
        <dt>{t('ov.log.signature')}</dt><dd class="ok" id="log-signature">{t('ov.log.signatureOk', { key: health.sealKey })}</dd>
        <dt>{t('ov.log.consistency')}</dt><dd class={health.consistency === 'not_auditor' ? '' : 'ok'} id="log-consistency">{t(`ov.log.consistency.${health.consistency}`, { size: health.previous?.treeSize ?? 0 })}</dd>
      </dl>
      <button type="button" id="log-recheck" onClick={check}>{t('ov.log.recheck')}</button>
    </section>
  );
}
