/**
 * CPU time used by the servers under test, read from outside them, so the intake bench can report
 * CPU per pair: on a shared machine that figure moves far less than pairs/s does, because it does
 * not depend on how much of the machine the other work left over.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { redisAt } from '../redis/client';

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat (100 on every Linux the project runs on; asked once). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU (ms) the processes have used so far; undefined without Linux's /proc. */
export function processCpuMs(pids: readonly number[]): number | undefined {
  let ticks = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return undefined;
    }
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis start at
    // field 3 (state), so utime (14) and stime (15) are the 12th and 13th after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / clockTicks();
}

/** CPU (ms) the Redis server has used so far (INFO cpu: used_cpu_user + used_cpu_sys). */
export async function redisCpuMs(redisUrl: string): Promise<number> {
  const redis = redisAt(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const info = await redis.info('cpu');
    const seconds = (name: string): number => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0);
    return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000;
  } finally {
    redis.disconnect();
  }
}
