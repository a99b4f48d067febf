/**
 * How much CPU other processes take while a benchmark runs, and waiting for them to stop. OpenMP threads (PyTorch,
 * LightGBM) spin at barriers, so on a 2-core machine one busy foreign process makes them many times slower (seen:
 * PyTorch ~150 instead of ~3,000 samples/s), while single-threaded sides barely notice: an undisturbed comparison
 * needs the machine to itself, and the report must say when it did not have it.
 */
import os from 'node:os';
import { machineBusySeconds, processCpuSeconds, selfCpuSeconds } from './proc-cpu';

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** CPU seconds of this process and of the benchmark's own children (`pids`). */
function ownCpuSeconds(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (processCpuSeconds(pid) ?? 0), selfCpuSeconds() ?? 0);
}

/** Measures, between start() and stop(), the share of all cores that processes other than ours kept busy. */
export function foreignCpuMeter(pids: number[]) {
  let t0 = 0;
  let machine0 = 0;
  let own0 = 0;
  return {
    start() {
      t0 = performance.now();
      machine0 = machineBusySeconds();
      own0 = ownCpuSeconds(pids);
    },
    /** Fraction of the machine (0–1) used by other processes meanwhile. */
    stop(): number {
      const wall = (performance.now() - t0) / 1000;
      const foreign = machineBusySeconds() - machine0 - (ownCpuSeconds(pids) - own0);
      return round(Math.max(0, foreign) / wall / os.cpus().length);
    },
  };
}

/**
 * Waits up to `maxS` seconds until other processes use less than `threshold` of the machine (measured over 1 s,
 * then every 2 s). Returns the last measured share.
 */
export async function waitForQuiet(pids: number[], maxS: number, threshold = 0.15): Promise<number> {
  const sample = async (ms: number) => {
    const meter = foreignCpuMeter(pids);
    meter.start();
    await new Promise((r) => setTimeout(r, ms));
    return meter.stop();
  };
  const deadline = Date.now() + maxS * 1000;
  let share = await sample(1000);
  let told = false;
  while (share > threshold && Date.now() < deadline) {
    if (!told) console.log(`  (waiting for other processes to leave the CPUs: they use ${Math.round(share * 100)}%)`);
    told = true;
    share = await sample(2000);
  }
  return share;
}
