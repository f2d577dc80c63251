// Loads an html report in jsdom and runs its scripts, with the few browser facilities jsdom lacks stubbed:
// a recording 2D canvas context (jsdom has no canvas), ResizeObserver, and a layout size for the chart boxes.
import { JSDOM, VirtualConsole } from 'jsdom';

export interface LoadedReport {
  readonly dom: JSDOM;
  /** Uncaught script errors and console.error output. */
  readonly errors: string[];
  /** Drawing calls per canvas id. */
  readonly drawCalls: Map<string, number>;
  /** Strings drawn with fillText per canvas id (titles, tick labels, legends). */
  readonly texts: Map<string, string[]>;
}

function recordingContext(canvas: HTMLCanvasElement, drawCalls: Map<string, number>, texts: Map<string, string[]>): unknown {
  const state: Record<string | symbol, unknown> = { canvas };
  const count = () => drawCalls.set(canvas.id, (drawCalls.get(canvas.id) ?? 0) + 1);
  return new Proxy(state, {
    get(target, prop) {
      if (prop in target) return target[prop];
      switch (prop) {
        case 'measureText':
          return (text: string) => ({ width: String(text).length * 6, actualBoundingBoxAscent: 8, actualBoundingBoxDescent: 2 });
        case 'createLinearGradient':
        case 'createRadialGradient':
        case 'createPattern':
          return () => ({ addColorStop() {} });
        case 'getImageData':
          return (_x: number, _y: number, w: number, h: number) => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4) });
        case 'getLineDash':
          return () => [];
        case 'isPointInPath':
        case 'isPointInStroke':
          return () => false;
        case 'getTransform':
          return () => ({ a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 });
        case 'fillText':
          return (text: string) => {
            count();
            const list = texts.get(canvas.id) ?? [];
            list.push(String(text));
            texts.set(canvas.id, list);
          };
        default:
          return () => {
            if (typeof prop === 'string' && /^(fill|stroke|lineTo|moveTo|rect|arc|bezierCurveTo|drawImage|fillRect|strokeRect)/.test(prop)) count();
          };
      }
    },
    set(target, prop, value) {
      target[prop] = value;
      return true;
    },
  });
}

export function loadReport(html: string): LoadedReport {
  const errors: string[] = [];
  const drawCalls = new Map<string, number>();
  const texts = new Map<string, string[]>();
  const virtualConsole = new VirtualConsole();
  virtualConsole.on('jsdomError', (err) => errors.push(`${err.message}`));
  virtualConsole.on('error', (...args: unknown[]) => errors.push(args.map(String).join(' ')));
  const dom = new JSDOM(html, {
    runScripts: 'dangerously',
    pretendToBeVisual: true,
    virtualConsole,
    beforeParse(window) {
      const proto = window.HTMLCanvasElement.prototype as unknown as Record<string, unknown>;
      proto['getContext'] = function (this: HTMLCanvasElement, kind: string) {
        return kind === '2d' ? recordingContext(this, drawCalls, texts) : null;
      };
      const w = window as unknown as Record<string, unknown>;
      w['ResizeObserver'] = class {
        observe(): void {}
        unobserve(): void {}
        disconnect(): void {}
      };
      // jsdom does no layout: give every element the size of a chart box.
      Object.defineProperty(window.HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 560 });
      Object.defineProperty(window.HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 300 });
      window.Element.prototype.getBoundingClientRect = () =>
        ({ x: 0, y: 0, top: 0, left: 0, width: 560, height: 300, right: 560, bottom: 300, toJSON: () => ({}) }) as DOMRect;
    },
  });
  return { dom, errors, drawCalls, texts };
}
