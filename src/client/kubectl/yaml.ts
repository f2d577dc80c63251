// YAML as `kubectl get -o yaml` writes it: sigs.k8s.io/yaml turns the JSON object into go-yaml v2 output —
// map keys sorted, two-space indentation, sequences at their parent key's indentation ("- "), `{}` and `[]` for
// empty collections, and strings quoted only when needed: double quotes when the plain form would read as another
// type (numbers such as resourceVersion "21081", timestamps, booleans like "true"/"yes"/"on", null), single quotes
// when plain style is not allowed by the characters ("*", ": ", leading indicators).

const NULL_RE = /^(~|null|Null|NULL|)$/;
const BOOL_RE = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT_RE = /^[-+]?(0|[1-9][0-9_]*|0b[01_]+|0[0-7_]+|0x[0-9a-fA-F_]+)$/;
const FLOAT_RE = /^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/;
const BASE60_RE = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP_RE = /^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]|[ \t]+)\d{1,2}:\d{2}:\d{2}(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d{1,2}(?::?\d{2})?))?)?$/;

/** A plain scalar would be read back as something other than this string. */
function resolvesToNonString(s: string): boolean {
  return NULL_RE.test(s) || BOOL_RE.test(s) || INT_RE.test(s) || FLOAT_RE.test(s) || BASE60_RE.test(s) || TIMESTAMP_RE.test(s);
}

/** libyaml's analysis of whether a scalar may be written in plain block style. */
function plainAllowed(s: string): boolean {
  if (s.length === 0) return false;
  if (/^\s|\s$/.test(s)) return false;
  const first = s[0]!;
  if ('#,[]{}&*!|>\'"%@`'.includes(first)) return false;
  if ((first === '-' || first === '?' || first === ':') && (s.length === 1 || /\s/.test(s[1]!))) return false;
  if (s.includes(': ') || s.includes(' #') || s.endsWith(':')) return false;
  if (/[\x00-\x08\x0b-\x1f\x7f\n\t]/.test(s)) return false;
  return true;
}

function doubleQuoted(s: string): string {
  return JSON.stringify(s);
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : value > 0 ? '.inf' : value < 0 ? '-.inf' : '.nan';
  const s = String(value);
  if (s === '') return '""';
  if (resolvesToNonString(s)) return doubleQuoted(s);
  if (s.includes('\n')) return doubleQuoted(s);
  if (!plainAllowed(s)) return `'${s.replace(/'/g, "''")}'`;
  return s;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function emit(value: unknown, indent: string, out: string[]): void {
  if (isMap(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    for (const key of keys) {
      const v = value[key];
      const k = scalar(key);
      if (isMap(v) && Object.keys(v).some((kk) => v[kk] !== undefined)) {
        out.push(`${indent}${k}:`);
        emit(v, `${indent}  `, out);
      } else if (Array.isArray(v) && v.length > 0) {
        out.push(`${indent}${k}:`);
        emit(v, indent, out);
      } else out.push(`${indent}${k}: ${inline(v)}`);
    }
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isMap(item) && Object.keys(item).some((kk) => item[kk] !== undefined)) {
        const lines: string[] = [];
        emit(item, `${indent}  `, lines);
        out.push(`${indent}- ${lines[0]!.slice(indent.length + 2)}`, ...lines.slice(1));
      } else if (Array.isArray(item) && item.length > 0) {
        const lines: string[] = [];
        emit(item, `${indent}  `, lines);
        out.push(`${indent}- ${lines[0]!.slice(indent.length + 2)}`, ...lines.slice(1));
      } else out.push(`${indent}- ${inline(item)}`);
    }
    return;
  }
  out.push(`${indent}${scalar(value)}`);
}

function inline(v: unknown): string {
  if (isMap(v)) return '{}';
  if (Array.isArray(v)) return '[]';
  return scalar(v);
}

/** The YAML document for a JSON-like value, ending with a newline. */
export function toKubectlYaml(value: unknown): string {
  const out: string[] = [];
  emit(value, '', out);
  return `${out.join('\n')}\n`;
}
