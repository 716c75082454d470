/**
 * CPU use of the agent, of this process and of the rest of the (shared) machine, from /proc.
 */
import { readFileSync } from 'node:fs';

/** CPU seconds (user+system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1) as string).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Busy CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export function machineBusySeconds(): number {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).slice(1, 9).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / 100; // user nice system irq softirq steal (not idle, iowait)
}

/** Cores used over `seconds` of wall time (agentSeconds: the agent's CPU seconds in that interval). */
export type CpuUse = {
  agent: number;
  bench: number;
  others: number;
  machine: number;
  seconds: number;
  agentSeconds: number;
};
/** CPU used during an interval, in cores: the agent, this process, and every other process on the (shared) machine. */
export function cpuMeter(pid: number): () => CpuUse {
  const m0 = machineBusySeconds();
  const a0 = cpuSeconds(pid);
  const b0 = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const wall = (performance.now() - t0) / 1000;
    const b = process.cpuUsage(b0);
    const agentSeconds = cpuSeconds(pid) - a0;
    const agent = agentSeconds / wall;
    const bench = (b.user + b.system) / 1e6 / wall;
    const machine = (machineBusySeconds() - m0) / wall;
    return { agent, bench, others: Math.max(0, machine - agent - bench), machine, seconds: wall, agentSeconds };
  };
}
/** The agent's CPU milliseconds per unit of work done in the interval (a turn, an event). */
export const cpuMsPer = (c: CpuUse, done: number) => (done > 0 ? (1000 * c.agentSeconds) / done : Number.NaN);
export const cpuNote = (c: CpuUse) =>
  `CPU (cores): agent ${c.agent.toFixed(2)}, bench ${c.bench.toFixed(2)}, other processes ${c.others.toFixed(2)}`;
