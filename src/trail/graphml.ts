/**
 * GraphML (http://graphml.graphdrawing.org/) of a trail, for yEd, Gephi, i2 and the like. Pure,
 * so the console exports exactly what the API would.
 */
import { accountLabel, Trail } from './build';

/** `account`: the IBAN, or the masked card number of an account known only by its card; never a full card number. */
const NODE_KEYS = ['iban', 'account', 'holder', 'holderId', 'bank', 'hop'] as const;
const EDGE_KEYS = ['amount', 'currency', 'time', 'purpose', 'statementId', 'movementId', 'hop'] as const;

export function trailGraphml(t: Trail, graphId = 'trail'): string {
  const x = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const data = (k: string, v: string | number | null | undefined): string => (v === undefined || v === null ? '' : `<data key="${k}">${x(String(v))}</data>`);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    ...NODE_KEYS.map((k) => `<key id="n_${k}" for="node" attr.name="${k}" attr.type="${k === 'hop' ? 'int' : 'string'}"/>`),
    ...EDGE_KEYS.map((k) => `<key id="e_${k}" for="edge" attr.name="${k}" attr.type="${k === 'hop' ? 'int' : 'string'}"/>`),
    `<graph id="${x(graphId)}" edgedefault="directed">`,
  ];
  for (const n of t.nodes) {
    lines.push(`<node id="${x(n.id)}">${data('n_iban', n.iban)}${data('n_account', accountLabel(n))}${data('n_holder', n.holder?.name)}${data('n_holderId', n.holder?.iin ?? n.holder?.bin)}${data('n_bank', n.bank)}${data('n_hop', n.hop)}</node>`);
  }
  t.edges.forEach((e, i) => {
    lines.push(`<edge id="e${i}" source="${x(e.from)}" target="${x(e.to)}">${data('e_amount', e.amount)}${data('e_currency', e.currency)}${data('e_time', e.time)}${data('e_purpose', e.purpose)}${data('e_statementId', e.statementId)}${data('e_movementId', e.movementId)}${data('e_hop', e.hop)}</edge>`);
  });
  lines.push('</graph>', '</graphml>');
  return `${lines.join('\n')}\n`;
}
