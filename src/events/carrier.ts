// Carrying domain events between processes. Processes on one machine share the primary file,
// so the carrier today is a change log in it (sqlite-log.ts); when nodes no longer share a
// disk, a Redis pub/sub carrier implements the same interface (publish = PUBLISH of the JSON,
// subscribe = SUBSCRIBE, onGap = a reconnect after which messages may have been missed) and
// nothing else changes: events are plain JSON (types.ts), and the bus tells listeners whether
// an event is their own or carried (`remote`).
import type { DomainEvents } from './bus.ts';
import { CATALOG_EVENT_TYPES, type DomainEvent, type DomainEventType } from './types.ts';

export interface EventCarrier {
  /** Sends an event of this process to the others; resolves once it is durable (the log) or sent. */
  publish(event: DomainEvent): Promise<void>;
  /** Events from other processes, in the order they happened; the carrier awaits each handler. */
  subscribe(handler: (event: DomainEvent) => void | Promise<void>): void;
  /** Events may have been missed (this process fell behind the log's retention): drop everything derived from them. */
  onGap(handler: () => void): void;
  close(): void;
}

/**
 * What other processes must hear: what their caches show (catalog edits, orders for reports
 * and recommendations) and revoked sessions. Plays are not carried: 90k a second would flood
 * the log, and popularity is re-read from the primary every few seconds anyway.
 */
export const CARRIED_EVENT_TYPES: ReadonlySet<DomainEventType> = new Set<DomainEventType>([...CATALOG_EVENT_TYPES, 'order.placed', 'session.revoked']);

/**
 * A writer's emit() waits for these to be durable in the carrier, so an acknowledged logout or
 * edit reaches every process. An order's reply does not wait: reports and recommendations
 * elsewhere go stale for one poll interval at most, and the order path keeps its one commit.
 */
const AWAITED: ReadonlySet<DomainEventType> = new Set<DomainEventType>([...CATALOG_EVENT_TYPES, 'session.revoked']);

/** Sends this process's carried events out and hands carried-in events to its bus; returns a disconnect. */
export function connectCarrier(events: DomainEvents, carrier: EventCarrier, onError: (err: unknown) => void = console.error): () => void {
  const off = events.onAny((event, { remote }) => {
    if (remote || !CARRIED_EVENT_TYPES.has(event.type)) return;
    const sent = carrier.publish(event);
    if (AWAITED.has(event.type)) return sent;
    sent.catch(onError);
  });
  carrier.subscribe((event) => events.receive(event));
  return () => {
    off();
    carrier.close();
  };
}
