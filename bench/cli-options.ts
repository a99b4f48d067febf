/** `--name value` options of the benchmark scripts, read from process.argv. */
const args = process.argv.slice(2);

export function stringOption(name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}

export function numberOption(name: string, fallback: number): number {
  return Number(stringOption(name, String(fallback)));
}
