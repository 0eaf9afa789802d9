import type { T } from './types';
import { Cell, download, toCsv } from './csv';

interface Props {
  t: T;
  id: string;
  caption: string;
  header: string[];
  rows: Cell[][];
  /** Column keys, used as data-col on the cells (tests and CSV header). */
  cols: string[];
  empty?: string;
}

/** A table with its caption and a CSV export of exactly the rows shown. */
export function DataTable({ t, id, caption, header, rows, cols, empty }: Props) {
  return (
    <section class="card" aria-labelledby={`${id}-caption`}>
      <h2 id={`${id}-caption`}>{caption}</h2>
      <button type="button" class="csv" id={`${id}-csv`} onClick={() => download(`${id}.csv`, toCsv(cols, rows), 'text/csv')}>{t('ov.csv')}</button>
      {rows.length === 0 ? <p>{empty ?? t('ov.none')}</p> : (
        <div class="scroll">
          <table id={id}>
            <thead><tr>{header.map((h) => <th scope="col">{h}</th>)}</tr></thead>
            <tbody>
              {rows.map((r) => <tr>{r.map((c, i) => <td data-col={cols[i]}>{c ?? '—'}</td>)}</tr>)}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
