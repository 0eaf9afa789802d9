import type { ChildProcess } from 'node:child_process';

/** A line a gateway process wrote: its JSON log record, or the raw text when it was not JSON. */
export interface LogLine { message: string; pid?: number; [k: string]: unknown }

/** Collects what an `art50 serve|worker` child prints, one record per line, into `lines`. */
export function collectLines(child: ChildProcess, lines: LogLine[]): void {
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        lines.push(JSON.parse(text) as LogLine);
      } catch {
        lines.push({ message: text });
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => lines.push({ message: `stderr: ${d.toString()}` }));
}

/** True while a process with this pid exists (signal 0 only checks). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
