export type Messages = Record<string, string>;
export const LOCALES = ['ru', 'kk', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** Message files are served next to the script (/console/messages-<lang>.json); English fills the gaps. */
export async function loadMessages(locale: Locale): Promise<(key: string, vars?: Record<string, string | number>) => string> {
  const get = async (l: string): Promise<Messages> => {
    const res = await fetch(`/console/messages-${l}.json`, { credentials: 'same-origin' });
    return res.ok ? ((await res.json()) as Messages) : {};
  };
  const [en, own] = await Promise.all([get('en'), locale === 'en' ? Promise.resolve<Messages>({}) : get(locale)]);
  return (key, vars = {}) => {
    const text = own[key] ?? en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
  };
}

// One formatter per language: building an Intl.DateTimeFormat costs far more than using it, and
// a table formats hundreds of times.
const formatters = new Map<Locale, Intl.DateTimeFormat>();

/** Times are shown as the law counts them for the parties: in Asia/Almaty. */
export function almaty(iso: string | Date, locale: Locale): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  let f = formatters.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'kk' ? 'kk-KZ' : locale === 'ru' ? 'ru-RU' : 'en-GB', {
      timeZone: 'Asia/Almaty', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    });
    formatters.set(locale, f);
  }
  return f.format(d) + ' (Almaty)';
}

export function duration(ms: number): string {
  const neg = ms < 0;
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${neg ? '−' : ''}${h}:${p(m)}:${p(sec)}`;
}
