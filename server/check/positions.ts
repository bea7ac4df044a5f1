/**
 * Where each value of a YAML (or JSON) document was written: the line and column of every
 * mapping key and of every value, by field path. js-yaml reports each node it composes to a
 * listener as it opens and closes; the nodes nest as the document does, a mapping's children
 * alternating key and value, a sequence's children its items, so the tree of events gives each
 * path its place without a second parser.
 */
import { load as parseYaml } from 'js-yaml';

export type Segment = string | number;

export interface Place {
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
}

interface Node {
  start: number;
  result: unknown;
  children: Node[];
}

/** Every path's place, the key's for a mapping entry (the value's for a sequence item and the root). */
export class Positions {
  private readonly places = new Map<string, Place>();

  private readonly lineStarts: number[];

  /** Throws what js-yaml throws when the text does not parse. */
  constructor(private readonly text: string) {
    this.lineStarts = lineStartsOf(text);
    const root = buildTree(text);
    if (root) this.walk(root, [], 0);
  }

  /** The place of the path, or of its nearest ancestor that was written (the document's start at worst). */
  placeOf(path: readonly Segment[]): Place {
    for (let n = path.length; n > 0; n--) {
      const hit = this.places.get(keyOf(path.slice(0, n)));
      if (hit) return hit;
    }
    return this.places.get(keyOf([])) ?? { line: 1, column: 1 };
  }

  private at(offset: number): Place {
    return placeAt(this.lineStarts, offset);
  }

  // Iterative over the document's depth would be no simpler; js-yaml bounds the nesting
  // (maxDepth) before any node gets here, and scenarios are refused deeper than 64 levels.
  private walk(node: Node, path: Segment[], depth: number): void {
    if (depth > 200) return;
    const key = keyOf(path);
    if (!this.places.has(key)) this.places.set(key, this.at(contentStart(this.text, node.start)));
    const value = unwrap(node);
    if (Array.isArray(value.result)) {
      value.children.forEach((child, i) => this.walk(child, [...path, i], depth + 1));
    } else if (typeof value.result === 'object' && value.result !== null) {
      const kids = value.children;
      for (let i = 0; i + 1 < kids.length; i += 2) {
        const k = unwrap(kids[i]!).result;
        if (typeof k !== 'string' && typeof k !== 'number') continue;
        const entry = [...path, String(k)];
        // the key's place names the entry; the value's children are walked under it
        this.places.set(keyOf(entry), this.at(contentStart(this.text, kids[i]!.start)));
        this.walk(kids[i + 1]!, entry, depth + 1);
      }
    }
  }
}

export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** The place of an offset, given where the lines start. */
export function placeAt(lineStarts: readonly number[], offset: number): Place {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
}

/** A node whose only child is the same value (a scalar read while looking for a mapping). */
function unwrap(node: Node): Node {
  let n = node;
  while (n.children.length === 1 && n.children[0]!.result === n.result) n = n.children[0]!;
  return n;
}

function buildTree(text: string): Node | undefined {
  const stack: Node[] = [{ start: 0, result: undefined, children: [] }];
  parseYaml(text, {
    json: true,
    listener(event, state) {
      if (event === 'open') {
        const node: Node = { start: state.position, result: undefined, children: [] };
        stack[stack.length - 1]!.children.push(node);
        stack.push(node);
      } else {
        const node = stack.pop()!;
        node.result = state.result;
      }
    },
  });
  return stack[0]!.children[0];
}

/** The first offset at or after `from` that is neither blank, nor a comment, nor a sequence dash. */
function contentStart(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
    else break;
  }
  return i;
}

export function keyOf(path: readonly Segment[]): string {
  return path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
}
