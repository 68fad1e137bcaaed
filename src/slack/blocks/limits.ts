/**
 * Block Kit's limits, from Slack's reference (docs.slack.dev/reference/block-kit) and the field
 * docs of @slack/types. Slack rejects a payload that breaks any of them (`invalid_blocks`), so every
 * builder here stays inside them by construction; the simulator may enforce the same numbers.
 */
export const LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  /** Any text object in a section, context or confirm dialog: 3000 characters. */
  sectionText: 3000,
  headerText: 150,
  fieldText: 2000,
  fieldsPerSection: 10,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  modalTitle: 24,
  modalButton: 24,
  inputLabel: 2000,
  privateMetadata: 3000,
  plainTextInput: 3000,
  /** A message's top-level `text`: Slack truncates longer text (it recommends under 4,000). */
  messageText: 40_000,
} as const;
