import { NodeName } from '../../src/domain/node.js';

/** Bad arguments: the dispatcher answers with the subcommand's usage line and this message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** More than any real command line; anything longer is refused before it is split. */
export const MAX_COMMAND_TEXT = 2000;
export const MAX_REASON = 500;
/** OCIDs are at most 255 characters. */
const MAX_REF = 255;

/** `ocid1.instancemaintenanceevent.<realm>.[region][.future].<unique>`, as OCI documents OCIDs. */
const EVENT_OCID = /^ocid1\.instancemaintenanceevent\.[a-z0-9]+\.[a-z0-9-]*(\.[a-z0-9-]+)?\.[a-z0-9]+$/;

// Control characters would let a line pretend to be two (newlines) or hide text; none belong in a command.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Straight quotes, and the curly ones phone keyboards type instead. */
const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’' };

/**
 * Splits the text Slack sends after `/pitstop` into words, with quotes grouping words (for a
 * reason). Nothing is expanded or interpreted: there is no shell, no escape character, no
 * variable; `$(…)`, backticks and `;` are ordinary characters that validation then refuses or
 * keeps as inert text.
 */
export function splitArgs(text: string): string[] {
  if (text.length > MAX_COMMAND_TEXT) {
    throw new UsageError(`the command is ${text.length} characters long; at most ${MAX_COMMAND_TEXT}`);
  }
  if (CONTROL.test(text)) throw new UsageError('the command must be one line of text');
  const words: string[] = [];
  let word: string | undefined;
  let closing: string | undefined;
  for (const char of text) {
    if (closing !== undefined) {
      if (char === closing) closing = undefined;
      else word += char;
    } else if (QUOTES[char] !== undefined) {
      closing = QUOTES[char];
      word ??= '';
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (closing !== undefined) throw new UsageError(`a quote is not closed (${closing} missing)`);
  if (word !== undefined) words.push(word);
  return words;
}

/** A Slurm node name, validated as Pitstop validates every node name before use. */
export function nodeArg(value: string | undefined): string {
  if (value === undefined) throw new UsageError('name a node');
  const parsed = NodeName.safeParse(value);
  if (!parsed.success) throw new UsageError(`"${value.slice(0, 60)}" is not a Slurm node name`);
  return parsed.data;
}

/** An event OCID, or a node name (which also covers a job id such as `job-1a2b…`). */
export function refArg(value: string | undefined): string {
  if (value === undefined) throw new UsageError('name an event (its OCID) or a node');
  if (value.startsWith('ocid1.')) {
    if (value.length > MAX_REF || !EVENT_OCID.test(value)) {
      throw new UsageError(`"${value.slice(0, 80)}" is not a maintenance event OCID`);
    }
    return value;
  }
  return nodeArg(value);
}

/** The rest of the words as one free-text reason, kept as typed (it is data, never run). */
export function reasonArg(words: readonly string[]): string {
  const reason = words.join(' ').trim();
  if (reason.length > MAX_REASON) {
    throw new UsageError(`the reason is ${reason.length} characters long; at most ${MAX_REASON}`);
  }
  return reason;
}

/** Refuses words beyond what a subcommand takes, rather than silently ignoring them. */
export function noMoreArgs(args: readonly string[], from: number): void {
  if (args.length > from) throw new UsageError(`unexpected "${args[from]!.slice(0, 60)}"`);
}
