import type { ComponentChildren } from 'preact';
import { logout } from '../api';
import type { Locale } from '../i18n';
import type { T } from '../shared';

/**
 * The header both console pages share (the main console and /console/oversight): title, language,
 * who is signed in with the sign-out button, and the page's own navigation as children.
 */
export function PageHeader(props: {
  t: T;
  title: string;
  subtitle: string;
  locale: Locale;
  setLocale: (l: Locale) => void;
  signedIn?: { name?: string; organisation: { name: string } } | undefined;
  onSignedOut: () => void;
  children?: ComponentChildren;
}) {
  const { t, signedIn } = props;
  return (
    <header>
      <h1>{t(props.title)}</h1>
      <p>{t(props.subtitle)}</p>
      <label>{t('lang')}{' '}
        <select id="locale" value={props.locale} onChange={(e) => props.setLocale((e.currentTarget as HTMLSelectElement).value as Locale)}>
          <option value="ru">Русский</option><option value="kk">Қазақша</option><option value="en">English</option>
        </select>
      </label>
      {signedIn && (
        <p id="who">{t('signed.as', { name: signedIn.name ?? '', org: signedIn.organisation.name })}{' '}
          <button type="button" id="signout" onClick={() => void logout().then(props.onSignedOut)}>{t('signout')}</button>
        </p>
      )}
      {props.children}
    </header>
  );
}
