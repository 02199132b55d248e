/**
 * @file A plain-text table with fixed column widths that fits a given width: one header, then
 * rows written as they come (a stream's rows, batch after batch, stay in one table with the
 * same columns). No line is longer than `width - 1` characters (code points), so no terminal
 * wraps it. Cells are cut with "…" at their end, or at their start for `cut: 'start'` (file
 * paths, whose end is the part that matters).
 */

export interface TextColumn {
  head: string;
  /** Fixed width in characters; omit on the one column that takes the rest of the width. */
  width?: number;
  align?: 'left' | 'right';
  cut?: 'end' | 'start';
  /** Left out (last optional first) while the rest column would be narrower than MIN_REST. */
  optional?: boolean;
}

/** The narrowest the rest column (the message, the template) may be before optional columns go. */
const MIN_REST = 30;

const SEP = '  ';

/**
 * The width tables are laid out for: the terminal's columns, else $COLUMNS, else 120.
 * @example outputWidth({ columns: 80 }) // 80
 */
export function outputWidth(stream: { columns?: number | undefined } = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
  if (stream.columns && stream.columns > 0) return stream.columns;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 120;
}

function fit(text: string, width: number, align: 'left' | 'right', cut: 'end' | 'start'): string {
  const chars = [...text.replace(/[\r\n\t]/g, ' ')];
  let s: string;
  if (chars.length <= width) s = chars.join('');
  else if (width <= 1) s = '…'.slice(0, width);
  else s = cut === 'start' ? '…' + chars.slice(chars.length - width + 1).join('') : chars.slice(0, width - 1).join('') + '…';
  const pad = ' '.repeat(Math.max(0, width - [...s].length));
  return align === 'right' ? pad + s : s + pad;
}

export class TextTable {
  private readonly widths: number[];
  private readonly columns: readonly TextColumn[];

  /**
   * @example
   *   const t = new TextTable([{ head: 'line', width: 6, align: 'right' }, { head: 'message' }], 80);
   *   t.header() + t.row(['12', 'connection reset'])
   */
  constructor(columns: readonly TextColumn[], width: number) {
    const fixedOf = (cs: readonly TextColumn[]) => cs.reduce((s, c) => s + (c.width ?? 0), 0) + SEP.length * (cs.length - 1);
    let kept = [...columns];
    while (width - 1 - fixedOf(kept) < MIN_REST) {
      const drop = kept.map((c) => c.optional).lastIndexOf(true);
      if (drop < 0) break;
      kept = kept.filter((_, i) => i !== drop);
    }
    this.columns = kept;
    this.keptIndex = kept.map((c) => columns.indexOf(c));
    const rest = Math.max(8, width - 1 - fixedOf(kept));
    this.widths = kept.map((c) => c.width ?? rest);
    this.limit = Math.max(1, width - 1);
  }

  private readonly limit: number;
  /** For each kept column, its index among the columns given (cells are given for all). */
  private readonly keptIndex: number[];

  private line(cells: readonly string[]): string {
    return this.text(this.columns.map((c, i) => fit(cells[i] ?? '', this.widths[i]!, c.align ?? 'left', c.cut ?? 'end')).join(SEP));
  }

  /** A free line (a caption) cut to the table's width, with its newline. */
  text(line: string): string {
    const chars = [...line.trimEnd()];
    return (chars.length > this.limit ? chars.slice(0, this.limit - 1).join('') + '…' : chars.join('')) + '\n';
  }

  /** The header line and a rule under it. */
  header(): string {
    const head = this.line(this.columns.map((c) => c.head));
    return head + this.line(this.widths.map((w) => '─'.repeat(w)));
  }

  /** One row; `cells` has one cell per column given to the constructor, dropped ones included. */
  row(cells: readonly string[]): string {
    return this.line(this.keptIndex.map((i) => cells[i] ?? ''));
  }
}
