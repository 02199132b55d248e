/**
 * @file `logml evaluate`: wiring only. Loads a model and labeled data, runs the core evaluation,
 * prints a table or JSON.
 */
import { Command, Option } from 'commander';
import { defaultModelPaths, noteSkipped } from './shared.js';

interface EvaluateFlags {
  model?: string;
  data: string[];
  format?: 'table' | 'json';
  textColumn?: string;
  levelColumn?: string;
  labelColumn?: string;
  inputFormat: string;
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .summary('measure a model on labeled data: accuracy, F1, per class, FPR')
    .description('Evaluate a model on labeled data (CSV, or log files whose explicit level is the label). Every figure comes with its sample size.')
    .option('-m, --model <path>', 'model file (.onnx); default: the shipped level model')
    .requiredOption('-d, --data <file...>', 'labeled CSV files (header row) or log files')
    .addOption(new Option('--format <format>', 'output format (default: table on a terminal, json otherwise)').choices(['table', 'json']))
    .option('--text-column <name>', 'CSV column with the message (default: message, content, text, msg, log)')
    .option('--level-column <name>', 'CSV column with the level (default: level, severity)')
    .option('--label-column <name>', 'CSV column with the anomaly label: 1/0, true/false, normal/anomaly, - (default: is_anomaly, anomaly, label)')
    .addOption(new Option('--input-format <format>', 'line format of log files').choices(['auto', 'plain', 'json', 'logfmt', 'syslog', 'klog', 'header']).default('auto'))
    .addHelpText(
      'after',
      `
Examples:
  $ logml evaluate --model level.onnx --data labeled.csv
  $ logml evaluate --model anomaly.onnx --data bgl.csv --text-column Content --label-column Label --format json
  $ logml evaluate --data app.log                       the shipped level model on your own logs`,
    )
    .action(async (flags: EvaluateFlags) => {
      const { loadModel } = await import('../core/model/index.js');
      const { loadDatasets, evaluateModel } = await import('../core/train/index.js');
      const { renderEvaluationTable } = await import('./render-evaluation.js');
      const modelPath = flags.model ?? defaultModelPaths()[0];
      if (!modelPath) throw new (await import('../core/errors.js')).UsageError('no model given and the shipped models are missing', 'pass --model MODEL.onnx');
      const datasets = await loadDatasets(flags.data, { text: flags.textColumn, level: flags.levelColumn, label: flags.labelColumn }, flags.inputFormat as never);
      for (const [k, d] of datasets.entries()) if (d.skipped) noteSkipped(d.skipped, d.records.length, `${flags.data[k]}: read`);
      const model = await loadModel({ path: modelPath });
      try {
        const evaluation = await evaluateModel(model, datasets.flatMap((d) => d.records));
        const format = flags.format ?? (process.stdout.isTTY ? 'table' : 'json');
        process.stdout.write(format === 'json' ? JSON.stringify(evaluation, null, 2) + '\n' : renderEvaluationTable(evaluation));
      } finally {
        await model.session.release();
      }
    });
}
