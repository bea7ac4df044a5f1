/**
 * openapi-backend routes every /api request to an operationId of the document. Two things are
 * done here so that it stays fast with ~4000 operations:
 * - it is given a routing view of the document (paths, methods, operationIds, parameters),
 *   because body validation is ours (server/avi/validate.ts) and needs no dereferenced copy;
 * - its linear matcher (a regex per operation per request) is replaced by a segment trie.
 */
import { OpenAPIBackend, type Handler, type Operation } from 'openapi-backend';
import type { AviDocument } from '../spec/catalog.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

interface TrieNode {
  fixed: Map<string, TrieNode>;
  param?: TrieNode;
  ops: Map<string, Operation>;
}

const node = (): TrieNode => ({ fixed: new Map(), ops: new Map() });

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
        if (seg.startsWith('{') && seg.endsWith('}')) n = n.param ??= node();
        else {
          let next = n.fixed.get(seg);
          if (!next) n.fixed.set(seg, (next = node()));
          n = next;
        }
      }
      if (!n.ops.has(op.method)) n.ops.set(op.method, op);
    }
  }

  /** 'found' with the operation, 'method' when the path exists without that method, or undefined. */
  match(method: string, path: string): { op?: Operation; pathKnown: boolean } {
    const found = this.walk(this.root, segments(path), 0, method.toLowerCase());
    return found ?? { pathKnown: false };
  }

  private walk(n: TrieNode, segs: string[], i: number, method: string): { op?: Operation; pathKnown: boolean } | undefined {
    if (i === segs.length) {
      if (n.ops.size === 0) return undefined;
      return { op: n.ops.get(method), pathKnown: true };
    }
    const fixed = n.fixed.get(segs[i]!);
    const viaFixed = fixed && this.walk(fixed, segs, i + 1, method);
    if (viaFixed?.op) return viaFixed;
    const viaParam = n.param && this.walk(n.param, segs, i + 1, method);
    if (viaParam?.op) return viaParam;
    return viaFixed ?? viaParam;
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
  return api;
}
