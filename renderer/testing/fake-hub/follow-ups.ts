import type { FollowUpOutcome, ItemResult, VisitOutcome } from '../../../shared/protocol';
import type { FakeHubState } from './state';

/** `POST /visits/outcomes`, one outcome: stored once per id (a resend answers `duplicate`). */
export function takeVisitOutcome(hub: FakeHubState, o: VisitOutcome): ItemResult {
  hub.outcomePosts.set(o.id, (hub.outcomePosts.get(o.id) ?? 0) + 1);
  const known = hub.visitOutcomes.has(o.id);
  hub.visitOutcomes.set(o.id, structuredClone(o));
  return { id: o.id, status: known ? 'duplicate' : 'accepted' };
}

/** The hub's rule: the first outcome closes the task, which moves on the feed. */
export function closeFollowUp(hub: FakeHubState, o: FollowUpOutcome): ItemResult {
  hub.outcomePosts.set(o.id, (hub.outcomePosts.get(o.id) ?? 0) + 1);
  if (hub.followUpOutcomes.has(o.id)) return { id: o.id, status: 'duplicate' };
  const task = hub.followUps.get(o.taskId);
  if (!task) return { id: o.id, status: 'rejected', reason: 'unknown task' };
  if (task.status !== 'open') return { id: o.id, status: 'duplicate' };
  hub.followUpOutcomes.set(o.id, structuredClone(o));
  hub.upsertFollowUp({ ...task, status: 'done', outcome: o.outcome, doneAt: o.at });
  queueMicrotask(() => hub.emit('followUpsChanged', { cursor: hub.cursor() }));
  return { id: o.id, status: 'accepted' };
}
