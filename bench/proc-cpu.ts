/**
 * CPU time from /proc (Linux), so a benchmark can say how busy each process was and whether something else was
 * using the machine meanwhile. Times are in seconds; utilisation = CPU seconds / wall seconds / cores.
 */
import fs from 'node:fs';
import os from 'node:os';

/** Kernel clock ticks per second (`getconf CLK_TCK`): 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** Fields of /proc/<pid>/stat after the command name, which may itself contain spaces and parentheses. */
function statFields(pid: number): string[] | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // the process has exited
  }
}

/**
 * CPU seconds of one process: all its threads (user + system), plus its children that it has waited for.
 * Fields, counted from 0 after the name (proc(5) numbers them from 1 with pid and name): 3 session, 11 utime,
 * 12 stime, 13 cutime, 14 cstime.
 */
export function processCpuSeconds(pid: number): number | undefined {
  const f = statFields(pid);
  if (!f) return undefined;
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS_PER_SECOND;
}

/**
 * CPU seconds of every live process in the session `sid`. scripts/stack.sh starts each server with `setsid`, so
 * a server and the helpers it forks (MLflow's web workers) share the server's pid as their session id.
 */
export function sessionCpuSeconds(sid: number): number {
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (f && Number(f[3]) === sid) total += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS_PER_SECOND;
  }
  return total;
}

/** Busy CPU seconds of the whole machine, all cores together (/proc/stat: everything but idle and iowait). */
export function machineBusySeconds(): number {
  const [, ...values] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values.map(Number);
  void idle;
  void iowait;
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

export function loadAverage(): { one: number; five: number; fifteen: number; raw: string } {
  const raw = fs.readFileSync('/proc/loadavg', 'utf8').trim();
  const [one, five, fifteen] = raw.split(' ').map(Number);
  return { one, five, fifteen, raw };
}

/** A named CPU-seconds reader (a process, a session, …) measured between `start()` and `stop()`. */
export type CpuReader = () => number | undefined;

export interface CpuUse {
  cpuSeconds: number;
  /** CPU seconds / wall seconds: 1.0 = one core busy all the time. */
  cores: number;
  /** `cores` as a fraction of all the machine's cores. */
  fractionOfMachine: number;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Samples every reader, and the whole machine, at start and stop. A reader whose process exits meanwhile keeps
 * its last sample (call `sample()` now and then to keep it recent): an exited process's CPU time is gone.
 */
export function cpuMeter(readers: Record<string, CpuReader>) {
  const all: Record<string, CpuReader> = { ...readers, machine: machineBusySeconds };
  const first: Record<string, number> = {};
  const last: Record<string, number> = {};
  let t0 = 0;
  const sample = () => {
    for (const [name, read] of Object.entries(all)) {
      const v = read();
      if (v !== undefined) {
        first[name] ??= v;
        last[name] = v;
      }
    }
  };
  return {
    start() {
      t0 = performance.now();
      sample();
    },
    sample,
    /** CPU use per reader, plus `machine` (all processes) and `otherProcesses` (machine minus the readers). */
    stop(): { wallSeconds: number; byProcess: Record<string, CpuUse> } {
      sample();
      const wall = (performance.now() - t0) / 1000;
      const cores = os.cpus().length;
      const use = (cpu: number): CpuUse => ({ cpuSeconds: round(cpu, 2), cores: round(cpu / wall), fractionOfMachine: round(cpu / wall / cores) });
      const byProcess: Record<string, CpuUse> = {};
      let named = 0;
      for (const name of Object.keys(readers)) {
        const cpu = (last[name] ?? 0) - (first[name] ?? 0);
        byProcess[name] = use(cpu);
        named += cpu;
      }
      const machine = last.machine - first.machine;
      byProcess.machine = use(machine);
      byProcess.otherProcesses = use(Math.max(0, machine - named));
      return { wallSeconds: round(wall, 2), byProcess };
    },
  };
}

/** This process (the benchmark driver itself). */
export const selfCpuSeconds: CpuReader = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
