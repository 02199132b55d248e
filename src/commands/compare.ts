/**
 * @file `logml compare A B`: wiring only. Two model versions on one labeled sample, McNemar's test
 * on their disagreements (src/core/report/compare.ts), printed as text, Markdown or JSON.
 */
import { Command, InvalidArgumentError, Option } from 'commander';

interface CompareFlags {
  db?: string | true;
  format?: 'table' | 'json' | 'markdown';
  textColumn?: string;
  levelColumn?: string;
  labelColumn?: string;
  alpha: number;
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .summary('A/B test two model versions on the same labeled sample (McNemar)')
    .description("Compare two models of the same task on one labeled sample with McNemar's test on the records where exactly one is right (exact binomial below 25 disagreements, else chi-square with continuity correction).")
    .argument('<a>', 'model A: a .onnx file, or with --db a registry reference name@version / name@alias')
    .argument('<b>', 'model B, the same way')
    .requiredOption('-l, --labels <file...>', 'labeled CSV (header: a text column, level and/or is_anomaly), like `logml evaluate --data`')
    .option('--db [url]', 'resolve name@version / name@alias in the registry (URL, else DATABASE_URL, else PG* variables)')
    .addOption(new Option('--format <format>', 'output format (default: table on a terminal, json otherwise)').choices(['table', 'json', 'markdown']))
    .option('--text-column <name>', 'CSV column with the message (default: message, content, text, msg, log)')
    .option('--level-column <name>', 'CSV column with the level (default: level, severity)')
    .option('--label-column <name>', 'CSV column with the anomaly label (default: is_anomaly, anomaly, label)')
    .option('--alpha <p>', 'significance level of the verdict', (v) => {
      const n = Number(v);
      if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`--alpha must be between 0 and 1, got "${v}"`);
      return n;
    }, 0.05)
    .addHelpText(
      'after',
      `
Examples:
  $ logml compare models/level.onnx new-level.onnx --labels labeled.csv
  $ logml compare level-default@production level-custom@2 --db --labels labeled.csv --format markdown`,
    )
    .action(async (a: string, b: string, flags: CompareFlags & { labels: string[] }) => {
      const { compareModels, renderCompare } = await import('../core/report/compare.js');
      const result = await compareModels({
        a,
        b,
        data: flags.labels,
        columns: { text: flags.textColumn, level: flags.levelColumn, label: flags.labelColumn },
        db: flags.db === undefined ? undefined : flags.db === true ? '' : flags.db,
        alpha: flags.alpha,
      });
      const format = flags.format ?? (process.stdout.isTTY ? 'table' : 'json');
      process.stdout.write(format === 'json' ? JSON.stringify(result, null, 2) + '\n' : renderCompare(result, format));
    });
}
