import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyCms } from '../cms/verify';
import type { ApiClient, ReceiptRef } from './api-client';

/** Every gateway receipt of a request, written to files whose names say what each proves (`art50 police receipts`). */

/** The file a receipt is written to: what it proves, e.g. 03-delivery.delivered-ALFAKZKA-log42.p7s. */
export function receiptFileName(r: ReceiptRef, n: number): string {
  return `${String(n + 1).padStart(2, '0')}-${r.event}${r.bank ? `-${r.bank}` : ''}-log${r.logIndex}.p7s`;
}

/** Writes every receipt of a request (request, sanction, each delivery) with a name that says what it proves. */
export async function writeReceipts(api: ApiClient, requestId: string, outDir: string): Promise<Array<{ file: string; event: string; bank?: string; logIndex: number }>> {
  const status = await api.status(requestId);
  mkdirSync(outDir, { recursive: true });
  const receipts = [...status.receipts];
  const statements = await api.listStatements(requestId);
  for (const item of statements.items) {
    if (typeof item.receipt !== 'string') continue;
    // The log index is inside the sealed receipt (the list does not repeat it); `audit prove` checks the seal.
    const body = JSON.parse(verifyCms(Buffer.from(item.receipt, 'base64')).content.toString('utf8')) as { logIndex?: unknown };
    if (typeof body.logIndex === 'number') receipts.push({ event: 'statement.received', logIndex: body.logIndex, receipt: item.receipt, bank: item.bank });
  }
  receipts.sort((a, b) => a.logIndex - b.logIndex);
  return receipts.map((r, i) => {
    const file = join(outDir, receiptFileName(r, i));
    writeFileSync(file, Buffer.from(r.receipt, 'base64'));
    return { file, event: r.event, logIndex: r.logIndex, ...(r.bank ? { bank: r.bank } : {}) };
  });
}
