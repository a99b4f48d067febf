/**
 * One measured run of the project's tick preparation (src/data/ticks): read + clean → bars → features per
 * symbol, in a process of its own so peak RSS is this side's alone. Prints one JSON line (the same fields as
 * reference.py) plus the longest event-loop stall, which tells whether a worker could still heartbeat.
 *   node build/bench/ticks/project-side.js <ticks.csv|.parquet> [intervalMs]
 */
import { barFeatures, readTicks, toBars } from '../../src/data/ticks';
import { startStallProbe } from '../stall-probe';

async function main() {
  const [file, interval = '60000'] = process.argv.slice(2);
  const probe = startStallProbe();
  const seconds: Record<string, number> = {};
  let t = performance.now();
  const lap = (stage: string) => {
    seconds[stage] = (performance.now() - t) / 1000;
    t = performance.now();
  };
  const { frame, report } = await readTicks(file);
  lap('readClean');
  const bars = await toBars(frame, Number(interval));
  lap('bars');
  const symbols = [...new Set(bars.map((b) => b.symbol))].sort();
  const rows = symbols.flatMap((s) => barFeatures(bars.filter((b) => b.symbol === s)).rows);
  lap('features');
  const longestStallMs = await probe.stop();
  seconds.total = seconds.readClean + seconds.bars + seconds.features;
  const featureSums = rows[0]?.map((_, j) => rows.reduce((a, r) => a + r[j], 0)) ?? [];
  console.log(
    JSON.stringify({
      side: 'project',
      seconds,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
      longestStallMs,
      report,
      bars: bars.length,
      featureRows: rows.length,
      featureSums,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
