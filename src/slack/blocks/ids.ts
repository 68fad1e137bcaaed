/**
 * The ids the listeners match on; the builders here set them and nothing else may spell them.
 * A button's `value` is the job id (the digest's is the digest id).
 */
export const ACTION_IDS = {
  approve: 'pitstop_approve',
  deny: 'pitstop_deny',
  approveAll: 'pitstop_approve_all',
  terminate: 'pitstop_terminate',
  /** On the hard due date's warning in the thread. */
  proceed: 'pitstop_due_proceed',
  leaveToOci: 'pitstop_due_leave_to_oci',
} as const;

/** The Deny modal: its `private_metadata` is the job id; the reason is at values.reason.reason_input. */
export const DENY_MODAL = {
  callbackId: 'pitstop_deny_modal',
  reasonBlockId: 'reason',
  reasonActionId: 'reason_input',
} as const;
