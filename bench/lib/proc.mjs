// CPU time of another process, read from /proc: what the bench charges a server (and redis-server) for
// the requests of a round, read from outside so that reading it costs the measured process nothing.
import { readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ: 100 on Linux on every common architecture

/**
 * CPU time (µs) process `pid` has used so far, all its threads (utime + stime of /proc/<pid>/stat:
 * the JS thread, GC helpers, libuv's pool); undefined where /proc is missing (not Linux).
 */
export function processCpu(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS; // in clock ticks
  } catch {
    return undefined;
  }
}
