import { describe, expect, it } from 'vitest';
import { renderTable, title, wrapString } from '../../../src/raft/etcdctl/table';
import { humanizeBytes } from '../../../src/raft/etcdctl/humanize';

describe('tablewriter as etcdctl configures it', () => {
  it('upper-cases and centres headers (odd gaps put the extra space on the right), right-aligns cells', () => {
    const out = renderTable(['id', 'raft_term'], [['a', '2'], ['long-value', '10']]);
    expect(out).toBe(
      [
        '+------------+-----------+',
        '|     ID     | RAFT TERM |',
        '+------------+-----------+',
        '|          a |         2 |',
        '| long-value |        10 |',
        '+------------+-----------+',
        '',
      ].join('\n'),
    );
  });

  it('Title replaces underscores and word dots but keeps decimal points', () => {
    expect(title('db_size')).toBe('DB SIZE');
    expect(title('is.leader')).toBe('IS LEADER');
    expect(title('v1.2')).toBe('V1.2');
    expect(title('1.5')).toBe('1.5');
  });

  it('wraps cells longer than 30 columns at spaces, growing the column only for a longer single word', () => {
    const long = 'etcdserver: request timed out, possibly due to previous leader failure';
    const lines = wrapString(long, 30);
    expect(lines.join(' ')).toBe(long);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(30);
    const out = renderTable(['error'], [[long]]).split('\n');
    expect(out.length).toBe(4 + lines.length + 1);
    for (const l of out.slice(0, -1)) expect(l.length).toBe(out[0]!.length);
    const word = 'x'.repeat(40);
    expect(wrapString(word, 30)).toEqual([word]);
  });
});

describe('humanize.Bytes (SI)', () => {
  it('formats as etcdctl shows DB SIZE', () => {
    expect(humanizeBytes(9)).toBe('9 B');
    expect(humanizeBytes(20480)).toBe('20 kB');
    expect(humanizeBytes(25000)).toBe('25 kB');
    expect(humanizeBytes(1_234_567)).toBe('1.2 MB');
    expect(humanizeBytes(999)).toBe('999 B');
    expect(humanizeBytes(2_105_344)).toBe('2.1 MB');
  });
});
