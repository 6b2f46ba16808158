import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of processes and of the machine, from /proc (Linux). Times in /proc are clock ticks
 * (`getconf CLK_TCK`, 100 on Linux).
 */
const CLOCK_TICKS = 100;

/** A live process: its command name, process group and CPU time (user and system) so far, in seconds. */
export interface ProcessCpu {
  pid: number;
  command: string;
  pgrp: number;
  seconds: number;
}

/** One process's CPU time so far; undefined once it ended. */
export function processCpu(pid: number): ProcessCpu | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // after "pid (comm) ": state, ppid, pgrp, … utime and stime are the 12th and 13th fields
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      pid,
      command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      pgrp: Number(fields[2]),
      seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
    };
  } catch {
    return undefined;
  }
}

/** Every live process whose CPU time could be read. */
export function liveProcesses(): ProcessCpu[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => processCpu(Number(entry)) ?? []);
}

/** CPU seconds used so far by the live processes of a process group (a server and its workers). */
export function groupCpuSeconds(pgid: number): number {
  return liveProcesses()
    .filter((p) => p.pgrp === pgid)
    .reduce((sum, p) => sum + p.seconds, 0);
}

/** CPU seconds used so far by each live process of a command (e.g. `postgres`), by pid. */
export function commandCpuSeconds(command: string): Map<number, number> {
  return new Map(liveProcesses().flatMap((p) => (p.command === command ? [[p.pid, p.seconds] as const] : [])));
}

/** CPU seconds the processes of `after` used since `before` (a process new since then: all of its time). */
export function cpuSecondsSince(before: Map<number, number>, after: Map<number, number>): number {
  return [...after].reduce((sum, [pid, seconds]) => sum + seconds - (before.get(pid) ?? 0), 0);
}

/** The machine's CPU time so far, all cores, in clock ticks: its total and its idle part (`/proc/stat`). */
export function machineCpuTicks(): { total: number; idle: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are time no process used
  return { total: fields.slice(0, 8).reduce((a, b) => a + b, 0), idle: fields[3]! + fields[4]! };
}

/** The share of the machine's CPU time that was busy between two readings of `machineCpuTicks`. */
export function busyShare(before: { total: number; idle: number }, after: { total: number; idle: number }): number {
  return 1 - (after.idle - before.idle) / (after.total - before.total);
}
