import { linesOf } from './common.js';

/** One line of `nvidia-smi -q`: a `Key : value` leaf, or a section title with children. */
export interface QueryNode {
  key: string;
  value?: string;
  children: QueryNode[];
}

export interface QueryDocument {
  /** Lines before the first GPU: Timestamp, Driver Version, Attached GPUs. */
  header: QueryNode[];
  /** One per `GPU <bus id>` section, keyed by that bus id. */
  gpus: { id: string; node: QueryNode }[];
}

const GPU_HEADER = /^GPU\s+([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-9A-Fa-f])\s*$/;
// Keys are padded to a column, so a value always follows whitespace and a colon.
const KEY_VALUE = /^(\s*)(\S.*?)\s+:\s?(.*?)\s*$/;
const TITLE = /^(\s*)([A-Za-z].*?)\s*$/;

/** Stand-in id for GPU sections in excerpts that start below the `GPU <bus id>` line. */
const UNNAMED_GPU = 'unnamed';

/**
 * Reads the indentation structure of `nvidia-smi -q` (any driver's column width). Lines that
 * are neither keys nor titles (`[...]` elisions, the NVSMI LOG banner) are skipped.
 */
export function readQueryTree(text: string): QueryDocument {
  const doc: QueryDocument = { header: [], gpus: [] };
  let stack: { indent: number; node: QueryNode }[] = [];
  let gpu: QueryNode | undefined;

  for (const line of linesOf(text)) {
    const header = GPU_HEADER.exec(line);
    if (header) {
      gpu = { key: header[1]!, children: [] };
      doc.gpus.push({ id: header[1]!, node: gpu });
      stack = [{ indent: 0, node: gpu }];
      continue;
    }
    const kv = KEY_VALUE.exec(line);
    const title = kv ? undefined : TITLE.exec(line);
    const parts = kv ?? title;
    if (!parts) continue;
    const indent = parts[1]!.length;
    const node: QueryNode = { key: parts[2]!, value: kv ? parts[3] : undefined, children: [] };
    if (indent === 0) {
      doc.header.push(node);
      gpu = undefined;
      stack = [];
      continue;
    }
    if (gpu === undefined) {
      gpu = { key: UNNAMED_GPU, children: [] };
      doc.gpus.push({ id: UNNAMED_GPU, node: gpu });
      stack = [{ indent: 0, node: gpu }];
    }
    while (stack.length > 1 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    stack[stack.length - 1]!.node.children.push(node);
    if (!kv) stack.push({ indent, node });
  }
  return doc;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The node at `path` below `node` (first match at each step, case-insensitive). */
export function nodeAt(node: QueryNode | undefined, ...path: string[]): QueryNode | undefined {
  let current = node;
  for (const key of path) current = current?.children.find((child) => same(child.key, key));
  return current;
}

export const valueAt = (node: QueryNode | undefined, ...path: string[]) => nodeAt(node, ...path)?.value;
