/** The gateway's API as the console uses it: same origin, the session cookie, the CSRF header on POST. */

export interface Problem {
  code: string;
  detail: string;
  status: number;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.code}: ${problem.detail}`);
  }
}

let csrf = '';
export function setCsrf(token: string): void {
  csrf = token;
}

async function check(res: Response): Promise<Response> {
  if (res.ok) return res;
  let p: Problem = { code: 'http.internal', detail: res.statusText, status: res.status };
  try {
    p = (await res.json()) as Problem;
  } catch {
    /* not problem+json */
  }
  throw new ApiError(p);
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await check(await fetch(path, { credentials: 'same-origin' }))).json()) as T;
}

/** The whole response (checked), when its headers matter too. */
export async function getResponse(path: string): Promise<Response> {
  return check(await fetch(path, { credentials: 'same-origin' }));
}

export async function getBytes(path: string): Promise<Uint8Array> {
  return new Uint8Array(await (await check(await fetch(path, { credentials: 'same-origin' }))).arrayBuffer());
}

export async function postCms<T>(path: string, cms: Uint8Array): Promise<T> {
  const res = await check(await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/pkcs7-mime', ...(csrf ? { 'X-Art50-CSRF': csrf } : {}) },
    body: cms.slice(),
  }));
  return (await res.json()) as T;
}

export async function logout(): Promise<void> {
  await fetch('/v1/auth/logout', { method: 'POST', credentials: 'same-origin', headers: csrf ? { 'X-Art50-CSRF': csrf } : {} });
  csrf = '';
}
