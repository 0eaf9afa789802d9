import { useState } from 'preact/hooks';
import { ApiError, getJson, setCsrf } from '../api';
import type { Locale } from '../i18n';
import { messageOf, SessionInfo, SignerChoice, signWith, SoftKeys, T, utf8 } from '../shared';

/** Sign-in by signature: the challenge signed with the AUTH key, through NCALayer or a software key. */

export function SignerPicker(p: { t: T; choice: SignerChoice; onChange: (c: SignerChoice) => void; needSign: boolean }) {
  const { t, choice } = p;
  const keys: SoftKeys = choice.kind === 'software' ? choice.keys : { password: '' };
  return (
    <fieldset>
      <legend>{t('signer.choose')}</legend>
      <label><input type="radio" name="signer" checked={choice.kind === 'ncalayer'} onChange={() => p.onChange({ kind: 'ncalayer' })} /> {t('signer.ncalayer')}</label>
      <label><input type="radio" name="signer" id="signer-software" checked={choice.kind === 'software'} onChange={() => p.onChange({ kind: 'software', keys })} /> {t('signer.software')}</label>
      {choice.kind === 'software' && (
        <div class="soft">
          <label>{t('signer.authFile')} <input id="auth-p12" type="file" accept=".p12,.pfx" onChange={(e) => p.onChange({ kind: 'software', keys: { ...keys, auth: (e.currentTarget as HTMLInputElement).files?.[0] } })} /></label>
          <label>{t('signer.signFile')} <input id="sign-p12" type="file" accept=".p12,.pfx" onChange={(e) => p.onChange({ kind: 'software', keys: { ...keys, sign: (e.currentTarget as HTMLInputElement).files?.[0] } })} /></label>
          <label>{t('signer.password')} <input id="p12-password" type="password" autocomplete="off" value={keys.password} onInput={(e) => p.onChange({ kind: 'software', keys: { ...keys, password: (e.currentTarget as HTMLInputElement).value } })} /></label>
        </div>
      )}
    </fieldset>
  );
}

export function SignIn(p: { t: T; locale: Locale; choice: SignerChoice; setChoice: (c: SignerChoice) => void; onIn: (s: SessionInfo) => void }) {
  const { t } = p;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const go = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const { challenge } = await getJson<{ challenge: string }>('/v1/auth/challenge');
      const cms = await signWith(p.choice, utf8(challenge), 'auth', p.locale);
      const res = await fetch('/v1/auth/login', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/pkcs7-mime' }, body: cms.slice() });
      if (!res.ok) throw new ApiError(await res.json());
      const login = (await res.json()) as { csrf: string };
      setCsrf(login.csrf);
      p.onIn(await getJson<SessionInfo>('/v1/auth/session'));
    } catch (err) {
      setError(messageOf(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={go}>
      <h2>{t('signin.title')}</h2>
      <p>{t('signin.explain')}</p>
      <SignerPicker t={t} choice={p.choice} onChange={p.setChoice} needSign={false} />
      <button id="signin" type="submit" disabled={busy}>{busy ? t('signin.working') : t('signin.button')}</button>
      {error && <p class="error" role="alert" id="signin-error">{error}</p>}
    </form>
  );
}

