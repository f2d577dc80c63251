// etcdctl's `-w table` rendering: github.com/olekukonko/tablewriter v0.0.5 as etcdctl configures it
// (printer_table.go: NewWriter defaults, SetHeader, Append, SetAlignment(ALIGN_RIGHT), Render).
// Defaults that matter: auto-formatted headers (Title: '_' -> ' ', upper case) centred with the gap's larger half
// on the right; cells right-aligned; one space of padding; `+`/`-`/`|` borders; a line under the header; cells
// wrapped at 30 columns on spaces with minimal raggedness (a single longer word keeps its width).

/** tablewriter MAX_ROW_WIDTH. */
const MAX_ROW_WIDTH = 30;
const DEFAULT_PENALTY = 1e5;

/** runewidth.StringWidth for the text etcdctl prints (ASCII, URLs, hex): one column per code point. */
function displayWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** tablewriter.Title. */
export function title(name: string): string {
  const origLen = name.length;
  const rs = [...name];
  const isNumOrSpace = (r: string | undefined): boolean => r !== undefined && ((r >= '0' && r <= '9') || r === ' ');
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i]!;
    if (r === '_') rs[i] = ' ';
    else if (r === '.') {
      if ((i !== 0 && !isNumOrSpace(rs[i - 1])) || (i !== rs.length - 1 && !isNumOrSpace(rs[i + 1]))) rs[i] = ' ';
    }
  }
  let out = rs.join('').trim();
  if (out.length === 0 && origLen > 0) out = ' ';
  return out.toUpperCase();
}

/** tablewriter.Pad: centred, the extra space on the right (Go's integer gap/2 on the left). */
function padCenter(s: string, width: number): string {
  const gap = width - displayWidth(s);
  if (gap <= 0) return s;
  const left = Math.floor(gap / 2);
  return ' '.repeat(left) + s + ' '.repeat(gap - left);
}

/** tablewriter.PadLeft: right-aligned. */
function padLeft(s: string, width: number): string {
  const gap = width - displayWidth(s);
  return gap > 0 ? ' '.repeat(gap) + s : s;
}

/** tablewriter.WrapWords: minimal-raggedness line breaking. */
export function wrapWords(words: readonly string[], spc: number, lim: number, pen: number): string[][] {
  const n = words.length;
  const length: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(n).fill(0);
    row[i] = displayWidth(words[i]!);
    for (let j = i + 1; j < n; j++) row[j] = row[j - 1]! + spc + displayWidth(words[j]!);
    length.push(row);
  }
  const nbrk = new Array<number>(n).fill(0);
  const cost = new Array<number>(n).fill(2147483647);
  for (let i = n - 1; i >= 0; i--) {
    if (length[i]![n - 1]! <= lim) {
      cost[i] = 0;
      nbrk[i] = n;
    } else {
      for (let j = i + 1; j < n; j++) {
        const d = lim - length[i]![j - 1]!;
        let c = d * d + cost[j]!;
        if (length[i]![j - 1]! > lim) c += pen;
        if (c < cost[i]!) {
          cost[i] = c;
          nbrk[i] = j;
        }
      }
    }
  }
  const lines: string[][] = [];
  let i = 0;
  while (i < n) {
    lines.push(words.slice(i, nbrk[i]));
    i = nbrk[i]!;
  }
  return lines;
}

/** tablewriter.WrapString. */
export function wrapString(s: string, lim: number): string[] {
  const words = s.replace(/\n/g, ' ').split(' ');
  let limit = lim;
  for (const w of words) limit = Math.max(limit, displayWidth(w));
  return wrapWords(words, 1, limit, DEFAULT_PENALTY).map((line) => line.join(' '));
}

/** A table being built: parseDimension's bookkeeping of column widths and row heights. */
class TableWriter {
  private readonly cs: number[] = [];
  private headers: string[][] = [];
  private readonly lines: string[][][] = [];

  setHeader(keys: readonly string[]): void {
    this.headers = keys.map((k, i) => this.parseDimension(k, i));
  }

  append(row: readonly string[]): void {
    this.lines.push(row.map((v, i) => this.parseDimension(v, i)));
  }

  private parseDimension(str: string, col: number): string[] {
    let raw = str.split('\n');
    let maxWidth = 0;
    for (const line of raw) maxWidth = Math.max(maxWidth, displayWidth(line));
    // autoWrap with reflow: one paragraph, wrapped to min(width, MAX_ROW_WIDTH).
    if (maxWidth > MAX_ROW_WIDTH) maxWidth = MAX_ROW_WIDTH;
    let newMaxWidth = maxWidth;
    const paraLines = wrapString(raw.join(' '), maxWidth);
    for (const line of paraLines) newMaxWidth = Math.max(newMaxWidth, displayWidth(line));
    raw = paraLines;
    maxWidth = newMaxWidth;
    const v = this.cs[col];
    if (v === undefined || v < maxWidth || v === 0) this.cs[col] = maxWidth;
    return raw;
  }

  render(): string {
    const out: string[] = [];
    const line = '+' + this.cs.map((w) => '-'.repeat(w + 2) + '+').join('');
    out.push(line);
    if (this.headers.length > 0) {
      const height = Math.max(...this.headers.map((h) => h.length));
      for (let x = 0; x < height; x++) {
        let s = '|';
        for (let y = 0; y < this.cs.length; y++) s += ` ${padCenter(title(this.headers[y]?.[x] ?? ''), this.cs[y]!)} |`;
        out.push(s);
      }
      out.push(line);
    }
    for (const columns of this.lines) {
      const height = Math.max(1, ...columns.map((c) => c.length));
      const cells = columns.map((c) => {
        const filled = c.slice();
        while (filled.length < height) filled.push('  ');
        return filled;
      });
      for (let x = 0; x < height; x++) {
        let s = '';
        for (let y = 0; y < cells.length; y++) s += `| ${padLeft(cells[y]![x]!, this.cs[y]!)} `;
        out.push(s + '|');
      }
    }
    out.push(line);
    return out.join('\n') + '\n';
  }
}

/** Renders a header and rows as etcdctl's table printer does (including the trailing newline). */
export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const t = new TableWriter();
  t.setHeader(header);
  for (const row of rows) t.append(row);
  return t.render();
}
