/**
 * Block Kit as Slack validates it, for the blocks and views Pitstop sends: the limits come from
 * Slack's reference (docs.slack.dev/reference/block-kit) as @slack/types documents them. The
 * schemas only judge a payload; what is stored is what the app sent.
 */
import { type core, z } from 'zod';
import { invalid } from './errors.js';

const MESSAGE_BLOCKS_MAX = 50;
const VIEW_BLOCKS_MAX = 100;

const text = (max: number) =>
  z.object({
    type: z.enum(['plain_text', 'mrkdwn']),
    text: z.string().min(1).max(max),
    emoji: z.boolean().optional(),
    verbatim: z.boolean().optional(),
  });
const plain = (max: number) =>
  z.object({
    type: z.literal('plain_text'),
    text: z.string().min(1).max(max),
    emoji: z.boolean().optional(),
  });

const BlockId = z.string().min(1).max(255).optional();
const ActionId = z.string().min(1).max(255).optional();
const Style = z.enum(['primary', 'danger']).optional();

const Confirm = z.object({
  title: plain(100),
  text: text(300),
  confirm: plain(30),
  deny: plain(30),
  style: Style,
});

const Button = z.object({
  type: z.literal('button'),
  text: plain(75),
  action_id: ActionId,
  url: z.string().max(3000).optional(),
  value: z.string().max(2000).optional(),
  style: Style,
  confirm: Confirm.optional(),
  accessibility_label: z.string().max(75).optional(),
});

const Option = z.object({ text: text(75), value: z.string().max(150) });
const StaticSelect = z.object({
  type: z.literal('static_select'),
  action_id: ActionId,
  placeholder: plain(150).optional(),
  options: z.array(Option).max(100).optional(),
  confirm: Confirm.optional(),
});
const Overflow = z.object({
  type: z.literal('overflow'),
  action_id: ActionId,
  options: z.array(Option).min(1).max(5),
  confirm: Confirm.optional(),
});
const PlainTextInput = z.object({
  type: z.literal('plain_text_input'),
  action_id: ActionId,
  placeholder: plain(150).optional(),
  initial_value: z.string().optional(),
  multiline: z.boolean().optional(),
  min_length: z.number().int().min(0).max(3000).optional(),
  max_length: z.number().int().min(1).optional(),
});
const ImageElement = z.object({
  type: z.literal('image'),
  image_url: z.string().max(3000),
  alt_text: z.string().max(2000),
});

const InteractiveElement = z.discriminatedUnion('type', [Button, StaticSelect, Overflow]);

const Header = z.object({ type: z.literal('header'), block_id: BlockId, text: plain(150) });
const Section = z
  .object({
    type: z.literal('section'),
    block_id: BlockId,
    text: text(3000).optional(),
    fields: z.array(text(2000)).min(1).max(10).optional(),
    accessory: z.discriminatedUnion('type', [Button, StaticSelect, Overflow, ImageElement]).optional(),
  })
  .refine((s) => s.text !== undefined || s.fields !== undefined, {
    message: 'must provide either text or fields',
  });
const Context = z.object({
  type: z.literal('context'),
  block_id: BlockId,
  elements: z
    .array(z.union([text(3000), ImageElement]))
    .min(1)
    .max(10),
});
const Divider = z.object({ type: z.literal('divider'), block_id: BlockId });
const Actions = z.object({
  type: z.literal('actions'),
  block_id: BlockId,
  elements: z.array(InteractiveElement).min(1).max(25),
});
const Input = z.object({
  type: z.literal('input'),
  block_id: BlockId,
  label: plain(2000),
  hint: plain(2000).optional(),
  optional: z.boolean().optional(),
  dispatch_action: z.boolean().optional(),
  element: z.discriminatedUnion('type', [PlainTextInput, StaticSelect]),
});
const Image = z.object({
  type: z.literal('image'),
  block_id: BlockId,
  image_url: z.string().max(3000),
  alt_text: z.string().max(2000),
  title: plain(2000).optional(),
});
const Markdown = z.object({
  type: z.literal('markdown'),
  block_id: BlockId,
  text: z.string().min(1).max(12_000),
});
const RichText = z.object({
  type: z.literal('rich_text'),
  block_id: BlockId,
  elements: z.array(z.unknown()),
});

const Block = z.discriminatedUnion('type', [
  Header,
  Section,
  Context,
  Divider,
  Actions,
  Input,
  Image,
  Markdown,
  RichText,
]);

interface LooseBlock {
  block_id?: string;
  elements?: unknown[];
  accessory?: unknown;
  element?: unknown;
}

const actionIdOf = (element: unknown): string | undefined =>
  typeof element === 'object' &&
  element !== null &&
  'action_id' in element &&
  typeof element.action_id === 'string'
    ? element.action_id
    : undefined;

/** Slack refuses a block_id twice in one surface, and an action_id twice in one block. */
function uniqueIds(blocks: LooseBlock[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  blocks.forEach((block, index) => {
    if (block.block_id !== undefined) {
      if (seen.has(block.block_id)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'block_id'],
          message: `duplicate block_id: ${block.block_id}`,
        });
      }
      seen.add(block.block_id);
    }
    const actionIds = [...(block.elements ?? []), block.accessory, block.element]
      .map(actionIdOf)
      .filter((id): id is string => id !== undefined);
    const duplicate = actionIds.find((id, i) => actionIds.indexOf(id) !== i);
    if (duplicate !== undefined) {
      ctx.addIssue({ code: 'custom', path: [index], message: `duplicate action_id: ${duplicate}` });
    }
  });
}

const blockList = (max: number) => z.array(Block).max(max).superRefine(uniqueIds);

const MessageBlocks = blockList(MESSAGE_BLOCKS_MAX);

const ModalView = z
  .object({
    type: z.literal('modal'),
    title: plain(24),
    submit: plain(24).optional(),
    close: plain(24).optional(),
    blocks: blockList(VIEW_BLOCKS_MAX),
    private_metadata: z.string().max(3000).optional(),
    callback_id: z.string().max(255).optional(),
    external_id: z.string().max(255).optional(),
    clear_on_close: z.boolean().optional(),
    notify_on_close: z.boolean().optional(),
  })
  .refine((v) => v.submit !== undefined || !v.blocks.some((b) => b.type === 'input'), {
    message: 'submit is required when the view has input blocks',
    path: ['submit'],
  });
const HomeView = z.object({
  type: z.literal('home'),
  blocks: blockList(VIEW_BLOCKS_MAX),
  private_metadata: z.string().max(3000).optional(),
  callback_id: z.string().max(255).optional(),
  external_id: z.string().max(255).optional(),
});

/** One zod issue in Slack's words, with the JSON pointer Slack appends. */
function reason(issue: core.$ZodIssue, root: string): string {
  const pointer = `[json-pointer:/${[root, ...issue.path.map(String)].join('/')}]`;
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'string'
        ? `must be less than ${Number(issue.maximum) + 1} characters ${pointer}`
        : `no more than ${issue.maximum} items allowed ${pointer}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `must be more than ${Number(issue.minimum) - 1} characters ${pointer}`
        : `must provide at least ${issue.minimum} items ${pointer}`;
    case 'invalid_type':
      return issue.input === undefined
        ? `must provide a value ${pointer}`
        : `must provide ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected} ${pointer}`;
    case 'invalid_union':
      return 'discriminator' in issue && issue.discriminator !== undefined
        ? `unsupported type: ${String((issue.input as Record<string, unknown> | undefined)?.[issue.discriminator as string])} ${pointer}`
        : `failed to match all allowed schemas ${pointer}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')} ${pointer}`;
    default:
      return `${issue.message} ${pointer}`;
  }
}

function reasons(schema: z.ZodType, value: unknown, root: string): string[] {
  const result = schema.safeParse(value, { reportInput: true });
  return result.success ? [] : result.error.issues.map((issue) => reason(issue, root));
}

/** Throws `invalid_blocks` (with Slack's reasons) unless `blocks` is a valid message's blocks. */
export function checkMessageBlocks(blocks: unknown): void {
  const found = reasons(MessageBlocks, blocks, 'blocks');
  if (found.length > 0) throw invalid('invalid_blocks', found);
}

/** Throws `invalid_arguments` (reasons in the metadata, as views.* answer) unless `view` is valid. */
export function checkView(view: unknown, type: 'modal' | 'home'): void {
  const found = reasons(type === 'modal' ? ModalView : HomeView, view, 'view');
  if (found.length > 0) throw invalid('invalid_arguments', found, false);
}
