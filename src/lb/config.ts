// HAProxy configuration: the subset of haproxy.cfg the simulated load balancer understands, with the real keyword
// names, HAProxy's defaults, and HAProxy-style error messages (`parsing [haproxy.cfg:12] : unknown keyword 'balanse'
// in 'backend' section; did you mean 'balance' maybe ?`).
//
// Input is either haproxy.cfg text (parseHaproxyCfg) or the same thing as data, a section header -> lines map
// (`{ 'backend kube-apiserver': ['balance roundrobin', 'server cp-0 10.0.0.21:6443 check'] }`), as a scenario file
// writes it. compileHaproxyConfig resolves it into a model: one frontend (mode tcp) forwarding to one backend.
//
// Keywords (unknown ones are rejected; accepted-but-not-modelled ones are listed in IGNORED):
//   global: spread-checks; defaults/backend/listen: mode, balance, retries, option redispatch|httpchk|tcp-check|
//   log-health-checks|ssl-hello-chk, timeout connect|client|server|check|queue|..., http-check connect|send|expect,
//   default-server, server (check, inter, fastinter, downinter, rise, fall, weight, port, on-marked-down
//   shutdown-sessions, init-state, disabled, backup); frontend: bind, default_backend, mode.
import { distance } from 'fastest-levenshtein';

const US_PER_MS = 1000;

export type HaproxyCfg = Readonly<Record<string, readonly string[]>>;

export type CheckKind = 'none' | 'tcp' | 'tcp-check' | 'http';

export interface HaproxyServerModel {
  readonly name: string;
  /** As written (a simulated host name or an IPv4 address). */
  readonly addressText: string;
  /** Resolved IPv4 address. */
  readonly address: string;
  readonly port: number;
  readonly check: boolean;
  readonly checkPort: number;
  readonly interUs: number;
  readonly fastinterUs: number;
  readonly downinterUs: number;
  readonly rise: number;
  readonly fall: number;
  readonly weight: number;
  readonly onMarkedDownShutdownSessions: boolean;
  readonly initState: 'up' | 'down';
  readonly backup: boolean;
  readonly disabled: boolean;
}

export interface HaproxyBackendModel {
  readonly name: string;
  readonly mode: 'tcp' | 'http';
  readonly balance: 'roundrobin' | 'leastconn' | 'first' | 'source';
  readonly checkKind: CheckKind;
  readonly httpCheck: { readonly method: string; readonly uri: string; readonly expectStatus: readonly number[] | null; readonly ssl: boolean };
  readonly retries: number;
  /** option redispatch interval: 0 off, -1 the last retry (default when enabled), P every Pth retry. */
  readonly redispatch: number;
  readonly timeoutConnectUs: number | null;
  readonly timeoutServerUs: number | null;
  readonly timeoutCheckUs: number | null;
  readonly logHealthChecks: boolean;
  readonly servers: readonly HaproxyServerModel[];
}

export interface HaproxyModel {
  readonly frontendName: string;
  /** bind address ('*' for any) and port. */
  readonly bindAddress: string;
  readonly bindPort: number;
  readonly timeoutClientUs: number | null;
  readonly backend: HaproxyBackendModel;
  /** global spread-checks percentage (0 = off). */
  readonly spreadChecks: number;
}

export class HaproxyConfigError extends Error {
  constructor(readonly messages: readonly string[]) {
    super(messages.join('\n'));
    this.name = 'HaproxyConfigError';
  }
}

export interface CompileOptions {
  /** Config file name for messages; default "haproxy.cfg". */
  readonly file?: string;
  /** Resolves a server address (host name or IP) to a simulated host's IPv4 address, or null if none. */
  readonly resolve: (nameOrAddress: string) => string | null;
  /** Host names the resolver knows, for the error message. */
  readonly knownHosts?: readonly string[];
}

// ------------------------------------------------------------------------------------------------ keywords

const SECTION_TYPES = ['global', 'defaults', 'frontend', 'backend', 'listen'] as const;
type SectionType = (typeof SECTION_TYPES)[number];

const GLOBAL_KEYWORDS = ['spread-checks', 'log', 'daemon', 'maxconn', 'user', 'group', 'chroot', 'pidfile', 'stats', 'nbthread', 'ssl-default-bind-options', 'ssl-default-bind-ciphers', 'tune.max-checks-per-thread'];
const PROXY_KEYWORDS = [
  'mode', 'log', 'option', 'no', 'retries', 'timeout', 'bind', 'default_backend', 'balance', 'server', 'default-server',
  'http-check', 'tcp-check', 'maxconn', 'use_backend',
];
const OPTIONS = ['redispatch', 'httpchk', 'tcp-check', 'log-health-checks', 'ssl-hello-chk', 'httplog', 'tcplog', 'dontlognull', 'http-server-close', 'forwardfor', 'tcpka', 'clitcpka', 'srvtcpka'];
const TIMEOUTS = ['connect', 'client', 'server', 'check', 'queue', 'http-request', 'http-keep-alive', 'tunnel', 'client-fin', 'server-fin'];
const SERVER_KEYWORDS = ['check', 'inter', 'fastinter', 'downinter', 'rise', 'fall', 'weight', 'port', 'on-marked-down', 'init-state', 'disabled', 'backup', 'verify', 'ssl', 'check-ssl', 'maxconn', 'no-check'];
/** Server keywords with one argument. */
const SERVER_KEYWORDS_WITH_ARG = new Set(['inter', 'fastinter', 'downinter', 'rise', 'fall', 'weight', 'port', 'on-marked-down', 'init-state', 'verify', 'maxconn']);

function bestMatch(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  // HAProxy only suggests reasonably close words.
  return best !== null && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : null;
}

/** HAProxy's time format: a number with an optional unit (us, ms, s, m, h, d); default ms. Returns µs or null. */
export function parseHaproxyTimeUs(text: string): number | null {
  const m = /^(\d+)(us|ms|s|m|h|d)?$/.exec(text);
  if (m === null) return null;
  const n = Number(m[1]);
  switch (m[2] ?? 'ms') {
    case 'us':
      return n;
    case 'ms':
      return n * US_PER_MS;
    case 's':
      return n * 1_000_000;
    case 'm':
      return n * 60_000_000;
    case 'h':
      return n * 3_600_000_000;
    case 'd':
      return n * 86_400_000_000;
    default:
      return null;
  }
}

// ------------------------------------------------------------------------------------------------ text

interface Line {
  readonly line: number;
  readonly words: readonly string[];
}

interface Section {
  readonly type: SectionType;
  readonly name: string;
  readonly line: number;
  readonly lines: Line[];
}

/** Parses haproxy.cfg text into the section -> lines form (comments and blank lines dropped). */
export function parseHaproxyCfg(text: string): HaproxyCfg {
  const out: Record<string, string[]> = {};
  let current: string[] | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const words = line.split(/\s+/);
    if ((SECTION_TYPES as readonly string[]).includes(words[0]!)) {
      const header = words.join(' ');
      current = out[header] ?? (out[header] = []);
      continue;
    }
    if (current === null) current = out['global'] ?? (out['global'] = []);
    current.push(line);
  }
  return out;
}

/** haproxy.cfg text into sections, keeping the real line numbers for messages. */
function textSections(text: string, file: string, errors: string[]): Section[] {
  const sections: Section[] = [];
  let current: Section | null = null;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const words = line.split(/\s+/);
    if ((SECTION_TYPES as readonly string[]).includes(words[0]!)) {
      current = { type: words[0] as SectionType, name: words[1] ?? '', line: i + 1, lines: [] };
      sections.push(current);
      return;
    }
    if (current === null) {
      errors.push(`parsing [${file}:${i + 1}] : unknown keyword '${words[0]}' out of section.`);
      return;
    }
    (current as Section).lines.push({ line: i + 1, words });
  });
  return sections;
}

function toSections(cfg: HaproxyCfg, file: string, errors: string[]): Section[] {
  const sections: Section[] = [];
  let lineNo = 0;
  for (const [header, lines] of Object.entries(cfg)) {
    lineNo++;
    const words = header.trim().split(/\s+/);
    const type = words[0]!;
    if (!(SECTION_TYPES as readonly string[]).includes(type)) {
      const best = bestMatch(type, SECTION_TYPES);
      errors.push(`parsing [${file}:${lineNo}] : unknown keyword '${type}' out of section${best ? `; did you mean '${best}' maybe ?` : '.'}`);
      lineNo += lines.length;
      continue;
    }
    const section: Section = { type: type as SectionType, name: words[1] ?? '', line: lineNo, lines: [] };
    for (const l of lines) {
      lineNo++;
      const w = l.replace(/#.*$/, '').trim();
      if (w === '') continue;
      section.lines.push({ line: lineNo, words: w.split(/\s+/) });
    }
    sections.push(section);
  }
  return sections;
}

// ------------------------------------------------------------------------------------------------ compile

interface ProxySettings {
  mode: 'tcp' | 'http' | null;
  balance: HaproxyBackendModel['balance'] | null;
  retries: number | null;
  redispatch: number | null;
  checkKind: CheckKind | null;
  httpMethod: string | null;
  httpUri: string | null;
  httpExpect: number[] | null;
  httpSsl: boolean | null;
  logHealthChecks: boolean | null;
  timeouts: Map<string, number>;
  defaultServer: string[];
}

function emptySettings(): ProxySettings {
  return {
    mode: null,
    balance: null,
    retries: null,
    redispatch: null,
    checkKind: null,
    httpMethod: null,
    httpUri: null,
    httpExpect: null,
    httpSsl: null,
    logHealthChecks: null,
    timeouts: new Map(),
    defaultServer: [],
  };
}

/**
 * Resolves and validates a configuration. Throws HaproxyConfigError with every problem found, each in HAProxy's
 * `parsing [file:line] : ...` form.
 */
export function compileHaproxyConfig(cfg: HaproxyCfg | string, options: CompileOptions): HaproxyModel {
  const file = options.file ?? 'haproxy.cfg';
  const errors: string[] = [];
  const sections = typeof cfg === 'string' ? textSections(cfg, file, errors) : toSections(cfg, file, errors);
  const where = (l: { line: number }): string => `parsing [${file}:${l.line}] :`;

  let spreadChecks = 0;
  const defaults = emptySettings();
  let frontend: { name: string; bindAddress: string; bindPort: number; defaultBackend: string | null; mode: string | null; timeouts: Map<string, number>; line: number } | null = null;
  const backends: Array<{ name: string; settings: ProxySettings; servers: Array<{ line: Line }>; line: number }> = [];

  const parseProxyLine = (section: Section, settings: ProxySettings, l: Line, servers: Array<{ line: Line }> | null): void => {
    const [kw, ...args] = l.words as [string, ...string[]];
    const sectionName = section.type;
    switch (kw) {
      case 'mode':
        if (args[0] !== 'tcp' && args[0] !== 'http') errors.push(`${where(l)} unknown proxy mode '${args[0] ?? ''}'.`);
        else settings.mode = args[0];
        return;
      case 'balance':
        if (args[0] === 'roundrobin' || args[0] === 'leastconn' || args[0] === 'first' || args[0] === 'source') settings.balance = args[0];
        else errors.push(`${where(l)} 'balance' : unknown balancing algorithm '${args[0] ?? ''}'.`);
        return;
      case 'retries': {
        const n = Number(args[0]);
        if (args[0] === undefined || !Number.isInteger(n) || n < 0) errors.push(`${where(l)} 'retries' expects an integer argument.`);
        else settings.retries = n;
        return;
      }
      case 'option': {
        const opt = args[0] ?? '';
        if (!OPTIONS.includes(opt)) {
          const best = bestMatch(opt, OPTIONS);
          errors.push(`${where(l)} unknown option '${opt}'${best ? `; did you mean '${best}' maybe ?` : '.'}`);
          return;
        }
        if (opt === 'redispatch') settings.redispatch = args[1] === undefined ? -1 : Number(args[1]);
        else if (opt === 'httpchk') {
          settings.checkKind = 'http';
          // Old syntax: option httpchk <method> <uri>.
          if (args[1] !== undefined) settings.httpMethod = args[1];
          if (args[2] !== undefined) settings.httpUri = args[2];
        } else if (opt === 'tcp-check') settings.checkKind = 'tcp-check';
        else if (opt === 'ssl-hello-chk') settings.checkKind = settings.checkKind ?? 'tcp';
        else if (opt === 'log-health-checks') settings.logHealthChecks = true;
        return;
      }
      case 'no':
        if (args[0] === 'option' && args[1] === 'redispatch') settings.redispatch = 0;
        else if (args[0] === 'option' && args[1] === 'log-health-checks') settings.logHealthChecks = false;
        return;
      case 'timeout': {
        const name = args[0] ?? '';
        if (!TIMEOUTS.includes(name)) {
          const best = bestMatch(name, TIMEOUTS);
          errors.push(`${where(l)} 'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '${name}')${best ? `; did you mean '${best}' maybe ?` : '.'}`);
          return;
        }
        const us = args[1] === undefined ? null : parseHaproxyTimeUs(args[1]);
        if (us === null) errors.push(`${where(l)} 'timeout ${name}' expects an integer value (in milliseconds) or a number with a unit (us, ms, s, m, h, d).`);
        else settings.timeouts.set(name, us);
        return;
      }
      case 'http-check': {
        const action = args[0];
        if (action === 'connect') settings.httpSsl = args.includes('ssl');
        else if (action === 'send') {
          for (let i = 1; i < args.length; i += 2) {
            if (args[i] === 'meth') settings.httpMethod = args[i + 1] ?? 'GET';
            else if (args[i] === 'uri') settings.httpUri = args[i + 1] ?? '/';
          }
        } else if (action === 'expect') {
          if (args[1] !== 'status' || args[2] === undefined) {
            errors.push(`${where(l)} 'http-check expect' : only 'status <codes>' is supported by the simulation.`);
            return;
          }
          const codes: number[] = [];
          for (const part of args[2].split(',')) {
            const m = /^(\d{3})(?:-(\d{3}))?$/.exec(part);
            if (m === null) {
              errors.push(`${where(l)} 'http-check expect status' : invalid status code '${part}'.`);
              return;
            }
            const lo = Number(m[1]);
            const hi = m[2] === undefined ? lo : Number(m[2]);
            for (let c = lo; c <= hi; c++) codes.push(c);
          }
          settings.httpExpect = codes;
        } else errors.push(`${where(l)} 'http-check' : unknown directive '${action ?? ''}' (expects 'connect', 'send' or 'expect').`);
        return;
      }
      case 'tcp-check':
        settings.checkKind = 'tcp-check';
        return;
      case 'default-server':
        settings.defaultServer.push(...args);
        return;
      case 'server':
        if (servers === null) errors.push(`${where(l)} 'server' not allowed in '${sectionName}' section.`);
        else servers.push({ line: l });
        return;
      case 'log':
      case 'maxconn':
        return;
      case 'bind':
      case 'default_backend':
      case 'use_backend':
        if (sectionName !== 'frontend' && sectionName !== 'listen') errors.push(`${where(l)} '${kw}' not allowed in '${sectionName}' section.`);
        return;
      default: {
        const best = bestMatch(kw, PROXY_KEYWORDS);
        errors.push(`${where(l)} unknown keyword '${kw}' in '${sectionName}' section${best ? `; did you mean '${best}' maybe ?` : ''}`);
      }
    }
  };

  for (const section of sections) {
    switch (section.type) {
      case 'global':
        for (const l of section.lines) {
          const kw = l.words[0]!;
          if (!GLOBAL_KEYWORDS.includes(kw)) {
            const best = bestMatch(kw, GLOBAL_KEYWORDS);
            errors.push(`${where(l)} unknown keyword '${kw}' in 'global' section${best ? `; did you mean '${best}' maybe ?` : ''}`);
          } else if (kw === 'spread-checks') {
            const n = Number(l.words[1]);
            if (!Number.isInteger(n) || n < 0 || n > 50) errors.push(`${where(l)} 'spread-checks' needs a positive value in range 1..50.`);
            else spreadChecks = n;
          }
        }
        break;
      case 'defaults':
        for (const l of section.lines) parseProxyLine(section, defaults, l, null);
        break;
      case 'frontend': {
        if (frontend !== null) {
          errors.push(`parsing [${file}:${section.line}] : only one frontend is modelled (found '${frontend.name}' and '${section.name}').`);
          break;
        }
        const fe = { name: section.name, bindAddress: '*', bindPort: 0, defaultBackend: null as string | null, mode: null as string | null, timeouts: new Map<string, number>(), line: section.line };
        const settings = emptySettings();
        for (const l of section.lines) {
          const kw = l.words[0]!;
          if (kw === 'bind') {
            const m = /^([^:]*):(\d+)$/.exec(l.words[1] ?? '');
            if (m === null) errors.push(`${where(l)} 'bind' : expects [addr]:port, got '${l.words[1] ?? ''}'.`);
            else {
              fe.bindAddress = m[1] === '' ? '*' : m[1]!;
              fe.bindPort = Number(m[2]);
            }
          } else if (kw === 'default_backend') fe.defaultBackend = l.words[1] ?? null;
          else parseProxyLine(section, settings, l, null);
        }
        fe.mode = settings.mode;
        fe.timeouts = settings.timeouts;
        frontend = fe;
        break;
      }
      case 'backend':
      case 'listen': {
        const settings = emptySettings();
        const servers: Array<{ line: Line }> = [];
        for (const l of section.lines) parseProxyLine(section, settings, l, servers);
        backends.push({ name: section.name, settings, servers, line: section.line });
        break;
      }
    }
  }

  if (frontend === null) errors.push(`parsing [${file}] : no 'frontend' section: the load balancer needs one (bind *:6443, default_backend ...).`);
  if (frontend !== null && frontend.bindPort === 0) errors.push(`parsing [${file}:${frontend.line}] : frontend '${frontend.name}' has no 'bind' line.`);
  const backendEntry = frontend?.defaultBackend === undefined || frontend?.defaultBackend === null ? backends[0] : backends.find((b) => b.name === frontend!.defaultBackend);
  if (frontend !== null && frontend.defaultBackend !== null && backendEntry === undefined) {
    errors.push(`Proxy '${frontend.name}': unable to find required default_backend: '${frontend.defaultBackend}'.`);
  }
  if (backendEntry === undefined && frontend !== null && frontend.defaultBackend === null) errors.push(`parsing [${file}] : no 'backend' section.`);

  let backend: HaproxyBackendModel | null = null;
  if (backendEntry !== undefined) {
    const s = backendEntry.settings;
    const pick = <K extends keyof ProxySettings>(k: K): ProxySettings[K] => (s[k] !== null ? s[k] : defaults[k]);
    const timeout = (name: string): number | null => s.timeouts.get(name) ?? defaults.timeouts.get(name) ?? null;
    const checkKind: CheckKind = pick('checkKind') ?? 'tcp';
    const defaultServer = [...defaults.defaultServer, ...s.defaultServer];
    const interDefault = 2_000_000;
    const servers: HaproxyServerModel[] = [];
    const names = new Set<string>();
    for (const { line } of backendEntry.servers) {
      const [, name, addr, ...rest] = line.words as [string, string | undefined, string | undefined, ...string[]];
      const ctx = `${where(line)} 'server ${name ?? ''}' :`;
      if (name === undefined || addr === undefined) {
        errors.push(`${where(line)} 'server' expects <name> and <addr>[:<port>] as arguments.`);
        continue;
      }
      if (names.has(name)) errors.push(`${ctx} a server with the same name already exists in backend '${backendEntry.name}'.`);
      names.add(name);
      const m = /^([^:]+)(?::(\d+))?$/.exec(addr);
      if (m === null) {
        errors.push(`${ctx} invalid address: '${addr}'.`);
        continue;
      }
      const resolved = options.resolve(m[1]!);
      if (resolved === null) {
        const known = options.knownHosts !== undefined && options.knownHosts.length > 0 ? ` (simulated hosts: ${options.knownHosts.join(', ')})` : '';
        errors.push(`${ctx} could not resolve address '${m[1]}': no simulated host has that name or address${known}.`);
      }
      const port = m[2] === undefined ? (frontend?.bindPort ?? 0) : Number(m[2]);
      const srv = {
        check: false,
        interUs: interDefault,
        fastinterUs: 0,
        downinterUs: 0,
        rise: 2,
        fall: 3,
        weight: 1,
        checkPort: port,
        onMarkedDownShutdownSessions: false,
        initState: 'up' as 'up' | 'down',
        backup: false,
        disabled: false,
      };
      const words = [...defaultServer, ...rest];
      for (let i = 0; i < words.length; i++) {
        const kw = words[i]!;
        if (!SERVER_KEYWORDS.includes(kw)) {
          const best = bestMatch(kw, SERVER_KEYWORDS);
          errors.push(`${ctx} unknown keyword '${kw}'${best ? `; did you mean '${best}' maybe ?` : '.'}`);
          continue;
        }
        const arg = SERVER_KEYWORDS_WITH_ARG.has(kw) ? words[++i] : undefined;
        if (SERVER_KEYWORDS_WITH_ARG.has(kw) && arg === undefined) {
          errors.push(`${ctx} '${kw}' expects an argument.`);
          continue;
        }
        switch (kw) {
          case 'check':
            srv.check = true;
            break;
          case 'no-check':
            srv.check = false;
            break;
          case 'rise':
          case 'fall': {
            const n = Number(arg);
            if (!Number.isInteger(n) || n <= 0) errors.push(`${ctx} '${kw}' has to be > 0.`);
            else srv[kw] = n;
            break;
          }
          case 'inter':
          case 'fastinter':
          case 'downinter': {
            const us = parseHaproxyTimeUs(arg!);
            if (us === null) errors.push(`${ctx} unexpected character in '${kw}' argument '${arg}'.`);
            else if (us < US_PER_MS) errors.push(`${ctx} timer underflow in argument <${arg}> to <${kw}> of server ${name}, minimum non-null value is 1 ms.`);
            else srv[kw === 'inter' ? 'interUs' : kw === 'fastinter' ? 'fastinterUs' : 'downinterUs'] = us;
            break;
          }
          case 'weight': {
            const n = Number(arg);
            if (!Number.isInteger(n) || n < 0 || n > 256) errors.push(`${ctx} weight of server ${name} is not within 0 and 256 (${arg}).`);
            else srv.weight = n;
            break;
          }
          case 'port': {
            const n = Number(arg);
            if (!Number.isInteger(n) || n <= 0 || n > 65535) errors.push(`${ctx} invalid health check port '${arg}'.`);
            else srv.checkPort = n;
            break;
          }
          case 'on-marked-down':
            if (arg !== 'shutdown-sessions') errors.push(`${ctx} 'on-marked-down' expects 'shutdown-sessions' but got '${arg}'`);
            else srv.onMarkedDownShutdownSessions = true;
            break;
          case 'init-state':
            if (arg === 'up' || arg === 'fully-up') srv.initState = 'up';
            else if (arg === 'down' || arg === 'fully-down') srv.initState = 'down';
            else errors.push(`${ctx} 'init-state' expects 'fully-up', 'up', 'down' or 'fully-down' but got '${arg}'`);
            break;
          case 'backup':
            srv.backup = true;
            break;
          case 'disabled':
            srv.disabled = true;
            break;
          default:
            break; // verify, ssl, check-ssl, maxconn: accepted, not modelled
        }
      }
      servers.push({ name, addressText: m[1]!, address: resolved ?? m[1]!, port, ...srv });
    }
    if (servers.length === 0) errors.push(`parsing [${file}:${backendEntry.line}] : backend '${backendEntry.name}' has no server.`);
    const expect = pick('httpExpect');
    backend = {
      name: backendEntry.name,
      mode: pick('mode') ?? 'tcp',
      balance: pick('balance') ?? 'roundrobin',
      checkKind,
      httpCheck: { method: pick('httpMethod') ?? 'OPTIONS', uri: pick('httpUri') ?? '/', expectStatus: expect, ssl: pick('httpSsl') ?? false },
      retries: pick('retries') ?? 3,
      redispatch: pick('redispatch') ?? 0,
      timeoutConnectUs: timeout('connect'),
      timeoutServerUs: timeout('server'),
      timeoutCheckUs: timeout('check'),
      logHealthChecks: pick('logHealthChecks') ?? false,
      servers,
    };
    if (backend.mode !== 'tcp') errors.push(`parsing [${file}:${backendEntry.line}] : backend '${backend.name}': only 'mode tcp' is modelled (the kube-apiserver terminates TLS itself).`);
    if (frontend !== null && (frontend.mode ?? defaults.mode ?? 'tcp') !== 'tcp') errors.push(`parsing [${file}:${frontend.line}] : frontend '${frontend.name}': only 'mode tcp' is modelled.`);
  }

  if (errors.length > 0) throw new HaproxyConfigError(errors);
  return {
    frontendName: frontend!.name,
    bindAddress: frontend!.bindAddress,
    bindPort: frontend!.bindPort,
    timeoutClientUs: frontend!.timeouts.get('client') ?? defaults.timeouts.get('client') ?? null,
    backend: backend!,
    spreadChecks,
  };
}

/**
 * The haproxy.cfg of the kubeadm HA guide (kubernetes/kubeadm docs/ha-considerations.md), for the given
 * control-plane servers: TCP frontend on :6443, HTTPS health check `GET /healthz` expecting 200, round robin,
 * `option redispatch`, `retries 1`, `timeout connect 5s`, client/server 35s, check 10s; servers `check verify none`
 * with HAProxy's default inter 2s, fall 3, rise 2.
 */
export function kubeadmHaproxyCfg(servers: ReadonlyArray<{ readonly name: string; readonly address: string; readonly port?: number }>, bindPort = 6443): HaproxyCfg {
  return {
    global: ['log /dev/log local0', 'log /dev/log local1 notice', 'daemon'],
    defaults: [
      'mode http',
      'log global',
      'option httplog',
      'option dontlognull',
      'option http-server-close',
      'option forwardfor except 127.0.0.0/8',
      'option redispatch',
      'retries 1',
      'timeout http-request 10s',
      'timeout queue 20s',
      'timeout connect 5s',
      'timeout client 35s',
      'timeout server 35s',
      'timeout http-keep-alive 10s',
      'timeout check 10s',
    ],
    'frontend apiserver': [`bind *:${bindPort}`, 'mode tcp', 'option tcplog', 'default_backend apiserverbackend'],
    'backend apiserverbackend': [
      'option httpchk',
      'http-check connect ssl',
      'http-check send meth GET uri /healthz',
      'http-check expect status 200',
      'mode tcp',
      'balance roundrobin',
      ...servers.map((s) => `server ${s.name} ${s.address}:${s.port ?? 6443} check verify none`),
    ],
  };
}
