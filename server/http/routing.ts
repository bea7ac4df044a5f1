/**
 * openapi-backend routes every /api request to an operationId of the document. Two things are
 * done here so that it stays fast with ~4000 operations:
 * - it is given a routing view of the document (paths, methods, operationIds, parameters),
 *   because body validation is ours (server/avi/validate.ts) and needs no dereferenced copy;
 * - its linear matcher (a regex per operation per request) is replaced by a segment trie;
 * - its request parsing (which compiles the matched path template again per request) is
 *   replaced by the trie's own path parameters: query, headers and body are the API
 *   handler's (server/http/api.ts), already parsed.
 */
import { OpenAPIBackend, type Handler, type Operation } from 'openapi-backend';
import type { AviDocument } from '../core/catalog.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

interface TrieNode {
  fixed: Map<string, TrieNode>;
  param?: TrieNode;
  /** name of the `{param}` segment leading to `param` */
  paramName?: string;
  ops: Map<string, Operation>;
}

const node = (): TrieNode => ({ fixed: new Map(), ops: new Map() });

export interface TrieMatch {
  op?: Operation;
  pathKnown: boolean;
  params: Record<string, string>;
}

export function routingDocument(doc: AviDocument): any {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [p, item] of Object.entries(doc.paths)) {
    const ops: Record<string, unknown> = {};
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      ops[m] = {
        operationId: op.operationId,
        ...(op['x-avisim-public'] ? { 'x-avisim-public': true } : {}),
        parameters: (op.parameters ?? item.parameters ?? []).filter((x: any) => x.in === 'path'),
        responses: { 200: { description: 'OK' } },
      };
    }
    paths[p] = ops;
  }
  return { openapi: '3.1.0', info: doc.info, paths };
}

export class TrieRouter {
  private readonly root = node();

  constructor(operations: Operation[]) {
    for (const op of operations) {
      let n = this.root;
      for (const seg of segments(op.path)) {
        if (seg.startsWith('{') && seg.endsWith('}')) {
          n.paramName ??= seg.slice(1, -1);
          n = n.param ??= node();
        } else {
          let next = n.fixed.get(seg);
          if (!next) n.fixed.set(seg, (next = node()));
          n = next;
        }
      }
      if (!n.ops.has(op.method)) n.ops.set(op.method, op);
    }
  }

  /** The operation for method and path; `pathKnown` when the path exists without that method. */
  match(method: string, path: string): TrieMatch {
    const params: Record<string, string> = {};
    const found = this.walk(this.root, segments(path), 0, method.toLowerCase(), params);
    return found ? { ...found, params } : { pathKnown: false, params };
  }

  private walk(
    n: TrieNode,
    segs: string[],
    i: number,
    method: string,
    params: Record<string, string>,
  ): { op?: Operation; pathKnown: boolean } | undefined {
    if (i === segs.length) {
      if (n.ops.size === 0) return undefined;
      return { op: n.ops.get(method), pathKnown: true };
    }
    const fixed = n.fixed.get(segs[i]!);
    const viaFixed = fixed && this.walk(fixed, segs, i + 1, method, params);
    if (viaFixed?.op) return viaFixed;
    if (n.param) {
      const viaParam = this.walk(n.param, segs, i + 1, method, params);
      if (viaParam?.op) {
        params[n.paramName!] = decodeSegment(segs[i]!);
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

export async function createBackend(doc: AviDocument, handlers: Record<string, Handler>): Promise<OpenAPIBackend> {
  const api = new OpenAPIBackend({
    definition: routingDocument(doc),
    quick: true,
    validate: false,
    strict: false,
    ignoreTrailingSlashes: true,
  });
  await api.init();
  const operations = api.router.getOperations();
  // register() looks each handler's operationId up by flattening all ~1200 operations again;
  // these are openapi-backend's own fallback handlers, so they are set directly.
  Object.assign(api.handlers, handlers);
  const trie = new TrieRouter(operations);
  api.router.matchOperation = ((req: { method: string; path: string }, strict?: boolean) => {
    const { op, pathKnown } = trie.match(req.method, req.path.split('?')[0]!);
    if (op) return op;
    if (!strict) return undefined;
    throw new Error(pathKnown ? '405-methodNotAllowed' : '404-notFound');
  }) as typeof api.router.matchOperation;
  api.router.parseRequest = ((req: { method: string; path: string; body?: unknown }) => {
    const path = req.path.split('?')[0]!;
    return {
      method: req.method.toLowerCase(),
      path,
      params: trie.match(req.method, path).params,
      query: {},
      headers: {},
      cookies: {},
      requestBody: req.body,
      body: req.body,
    };
  }) as typeof api.router.parseRequest;
  return api;
}
