// Aligned columns as lsns and ip print them: a header line, numbers aligned
// right, text left, nothing after the last column. Widths are measured on the
// plain text and colour is applied after padding, so escapes never skew them.
import { visibleText } from '../render/visible';

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** Colours a cell's text (only called when colour is on, and before padding). */
  paint?: (text: string) => string;
}

interface TableOptions {
  /** Spaces between columns: 1 as lsns, 2 (the default) where cells hold lists. */
  gap?: number;
  color?: boolean;
}

/** Cells come from the host (names, command lines): control characters are shown as escapes. */
export function formatTable(
  columns: readonly Column[],
  rows: ReadonlyArray<readonly string[]>,
  options: TableOptions = {},
): string[] {
  const cells = rows.map((row) => columns.map((_, i) => visibleText(row[i] ?? '')));
  const widths = columns.map((column, i) => Math.max(width(column.header), ...cells.map((row) => width(row[i]))));
  const gap = ' '.repeat(options.gap ?? 2);
  const line = (row: readonly string[], header: boolean): string => {
    const last = row.length - 1;
    const padded = row.map((text, i) => {
      const column = columns[i];
      const room = ' '.repeat(widths[i] - width(text));
      const shown = !header && options.color && column.paint && text !== '' ? column.paint(text) : text;
      return column.align === 'right' ? room + shown : i === last ? shown : shown + room;
    });
    return padded.join(gap).trimEnd();
  };
  return [
    line(
      columns.map((column) => column.header),
      true,
    ),
    ...cells.map((row) => line(row, false)),
  ];
}

/** Display width: one column per code point (names here are ASCII in practice; wide CJK is rare). */
function width(text: string): number {
  return Array.from(text).length;
}
