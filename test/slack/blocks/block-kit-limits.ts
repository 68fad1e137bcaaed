type Json = Record<string, unknown>;

/** Slack's other limits on ids, which the builders never come near but a test should still see. */
const ID_MAX = 255;
const ACTIONS_ELEMENTS_MAX = 25;

const textOf = (value: unknown) => (value as { text?: string } | undefined)?.text ?? '';

/**
 * Every Block Kit limit a message or view breaks, as readable lines (empty when it would pass).
 * The numbers are Slack's, written out here rather than read from the builders' LIMITS, so a
 * wrong constant there fails these tests.
 */
export function blockKitViolations(payload: Json, surface: 'message' | 'view'): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const text = (value: unknown, max: number, where: string) => {
    const t = textOf(value);
    check(t.length >= 1, `${where}: empty text`);
    check(t.length <= max, `${where}: ${t.length} characters > ${max}`);
  };
  const blocks = (payload.blocks ?? []) as Json[];
  check(blocks.length <= (surface === 'message' ? 50 : 100), `${blocks.length} blocks`);
  if (surface === 'message') check(String(payload.text ?? '').length <= 40_000, 'text > 40000');
  if (payload.type === 'modal') {
    text(payload.title, 24, 'modal title');
    if (payload.submit) text(payload.submit, 24, 'modal submit');
    if (payload.close) text(payload.close, 24, 'modal close');
    check(String(payload.private_metadata ?? '').length <= 3000, 'private_metadata > 3000');
    check(String(payload.callback_id ?? '').length <= ID_MAX, 'callback_id > 255');
  }
  blocks.forEach((block, i) => {
    const at = `block ${i} (${String(block.type)})`;
    check(String(block.block_id ?? '').length <= ID_MAX, `${at}: block_id > 255`);
    switch (block.type) {
      case 'header':
        text(block.text, 150, at);
        break;
      case 'section': {
        const fields = (block.fields ?? []) as Json[];
        check(block.text !== undefined || fields.length > 0, `${at}: neither text nor fields`);
        if (block.text !== undefined) text(block.text, 3000, at);
        check(fields.length <= 10, `${at}: ${fields.length} fields`);
        for (const [f, field] of fields.entries()) text(field, 2000, `${at} field ${f}`);
        break;
      }
      case 'context': {
        const elements = block.elements as Json[];
        check(elements.length >= 1 && elements.length <= 10, `${at}: ${elements.length} elements`);
        for (const [e, element] of elements.entries()) text(element, 3000, `${at} element ${e}`);
        break;
      }
      case 'actions': {
        const elements = block.elements as Json[];
        check(elements.length <= ACTIONS_ELEMENTS_MAX, `${at}: ${elements.length} elements`);
        for (const button of elements) {
          text(button.text, 75, `${at} button text`);
          check(String(button.value ?? '').length <= 2000, `${at}: button value > 2000`);
          check(String(button.action_id ?? '').length <= ID_MAX, `${at}: action_id > 255`);
          const confirm = button.confirm as Json | undefined;
          if (confirm) {
            text(confirm.title, 100, `${at} confirm title`);
            text(confirm.text, 300, `${at} confirm text`);
            text(confirm.confirm, 30, `${at} confirm button`);
            text(confirm.deny, 30, `${at} confirm deny`);
          }
        }
        break;
      }
      case 'input': {
        text(block.label, 2000, `${at} label`);
        const element = block.element as Json;
        check(Number(element.max_length ?? 0) <= 3000, `${at}: max_length > 3000`);
        break;
      }
      case 'divider':
        break;
      default:
        problems.push(`${at}: a block type these builders do not use`);
    }
  });
  return problems;
}

/** Every mrkdwn and plain text in a payload, to look for what escaped the escaping. */
export function allTexts(payload: unknown): string[] {
  if (Array.isArray(payload)) return payload.flatMap(allTexts);
  if (payload === null || typeof payload !== 'object') return [];
  return Object.entries(payload).flatMap(([key, value]) =>
    key === 'text' && typeof value === 'string' ? [value] : allTexts(value),
  );
}
