/** RFC 4180 CSV (CRLF, every field quoted) and a download of it: every oversight table exports this way. */

export type Cell = string | number | null | undefined;

export function toCsv(header: string[], rows: Cell[][]): string {
  const q = (v: Cell): string => `"${String(v ?? '').replace(/"/g, '""')}"`;
  return [header, ...rows].map((r) => r.map(q).join(',')).join('\r\n') + '\r\n';
}

export function download(name: string, data: string | Uint8Array, type: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([typeof data === 'string' ? data : data.slice()], { type }));
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}
