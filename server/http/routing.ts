/**
 * The route tables of all three APIs (the Avi API from its document and the type modules, the
 * NSX stub, /_mock) are this one segment trie: `add(method, template, value)` with `{param}`
 * segments, `match(method, path)` walked once per request. Fixed segments win over a parameter
 * at the same place; empty segments (a trailing or doubled slash) are ignored, as a controller
 * ignores them.
 */

interface TrieNode<T> {
  fixed: Map<string, TrieNode<T>>;
  param?: TrieNode<T>;
  /** name of the `{param}` segment leading to `param` */
  paramName?: string;
  /** per upper-case method */
  routes: Map<string, T>;
}

const node = <T>(): TrieNode<T> => ({ fixed: new Map(), routes: new Map() });

export interface Match<T> {
  /** what was added for this method and path */
  route?: T;
  /** the path exists (with other methods): a 405 rather than a 404 */
  pathKnown: boolean;
  /** the `{param}` segments, percent-decoded */
  params: Record<string, string>;
}

export class RouteTable<T> {
  private readonly root = node<T>();
  private readonly all: Array<{ method: string; template: string; route: T }> = [];

  /** `decode`: how a `{param}` segment is decoded (percent-decoding by default) */
  constructor(private readonly decode: (segment: string) => string = decodeSegment) {}

  /** The first route added for a method and template wins. */
  add(method: string, template: string, route: T): this {
    let n = this.root;
    for (const seg of segments(template)) {
      if (seg.startsWith('{') && seg.endsWith('}')) {
        n.paramName ??= seg.slice(1, -1);
        n = n.param ??= node();
      } else {
        let next = n.fixed.get(seg);
        if (!next) n.fixed.set(seg, (next = node()));
        n = next;
      }
    }
    const m = method.toUpperCase();
    if (!n.routes.has(m)) {
      n.routes.set(m, route);
      this.all.push({ method: m, template, route });
    }
    return this;
  }

  match(method: string, path: string): Match<T> {
    const params: Record<string, string> = Object.create(null);
    const found = this.walk(this.root, segments(path), 0, method.toUpperCase(), params);
    return found ? { ...found, params } : { pathKnown: false, params };
  }

  /** Every route, in the order added. */
  routes(): ReadonlyArray<{ method: string; template: string; route: T }> {
    return this.all;
  }

  private walk(n: TrieNode<T>, segs: string[], i: number, method: string, params: Record<string, string>): { route?: T; pathKnown: boolean } | undefined {
    if (i === segs.length) return n.routes.size === 0 ? undefined : { route: n.routes.get(method), pathKnown: true };
    const fixed = n.fixed.get(segs[i]!);
    const viaFixed = fixed && this.walk(fixed, segs, i + 1, method, params);
    if (viaFixed?.route) return viaFixed;
    if (n.param) {
      const viaParam = this.walk(n.param, segs, i + 1, method, params);
      if (viaParam?.route) {
        params[n.paramName!] = this.decode(segs[i]!);
        return viaParam;
      }
      return viaFixed ?? viaParam;
    }
    return viaFixed;
  }
}

/** A path segment percent-decoded; one that is not valid percent-encoding stays as sent (it then names nothing). */
export function decodeSegment(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

function segments(path: string): string[] {
  return path.split('/').filter(Boolean);
}
