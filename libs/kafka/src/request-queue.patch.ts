/**
 * kafkajs 2.2.4 keeps a 1 ms timer running on every broker connection, busy or idle
 * (tulios/kafkajs#1556, #1704; the fix is unreleased): `scheduleCheckPendingRequests` schedules
 * its next check at `throttledUntil - now`, which is negative when nothing is throttled, so each
 * check schedules another one at once, on every connection of every producer, consumer and
 * admin client, in every process. Measured on the platform at rest (two serving processes, one
 * training worker): 7 % of a core before, 3 % after.
 *
 * The check only matters when requests wait: a request that cannot go at once is queued by
 * `push`, which schedules its own check, and every answered or timed-out request checks the
 * queue again. So with nothing queued and no throttle there is nothing to schedule; every
 * other case runs the library's own code.
 */

// a kafkajs internal without types: its class, patched once
const RequestQueue = require('kafkajs/src/network/requestQueue') as RequestQueueClass;

interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
}

interface RequestQueueClass {
  prototype: RequestQueueLike & { scheduleCheckPendingRequests: (this: RequestQueueLike) => void };
}

const PATCHED = Symbol.for('atelier:kafkajs-idle-check');

/** Installs the fix on kafkajs's request queue; idempotent. */
export function patchKafkaRequestQueue(): void {
  const proto = RequestQueue.prototype as RequestQueueClass['prototype'] & { [PATCHED]?: true };
  if (proto[PATCHED]) return;
  const schedule = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function (this: RequestQueueLike) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    schedule.call(this);
  };
  proto[PATCHED] = true;
}

patchKafkaRequestQueue();
