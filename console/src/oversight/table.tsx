import type { ComponentChild } from 'preact';
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
  /** Name of the CSV file; `${id}.csv` when not given. */
  file?: string;
  /** Attributes of the section (e.g. data-hop), for links and tests. */
  attrs?: Record<string, string | number>;
  /** Attributes of row i (e.g. data-edge), for links and tests. */
  rowAttrs?: (i: number) => Record<string, string>;
  /** A last column of controls (e.g. Open): on the page only, the CSV carries the data columns. */
  action?: { header: string; cell: (i: number) => ComponentChild };
}

/** A table with its caption and a CSV export of exactly the rows shown. */
export function DataTable({ t, id, caption, header, rows, cols, empty, file, attrs, rowAttrs, action }: Props) {
  return (
    <section class="card" aria-labelledby={`${id}-caption`} {...attrs}>
      <h2 id={`${id}-caption`}>{caption}</h2>
      <button type="button" class="csv" id={`${id}-csv`} onClick={() => download(file ?? `${id}.csv`, toCsv(cols, rows), 'text/csv')}>{t('ov.csv')}</button>
      {rows.length === 0 ? <p>{empty ?? t('ov.none')}</p> : (
        <div class="scroll">
          <table id={id}>
            <thead><tr>{header.map((h) => <th scope="col">{h}</th>)}{action && <th scope="col">{action.header}</th>}</tr></thead>
            <tbody>
              {rows.map((r, i) => (
                <tr {...rowAttrs?.(i)}>
                  {r.map((c, j) => <td data-col={cols[j]}>{c ?? '—'}</td>)}
                  {action && <td>{action.cell(i)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
