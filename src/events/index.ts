// Domain events: their JSON shapes, the bus the context owns, and the carrier that takes them
// to the other processes on the file (the event_log change log; a Redis pub/sub could be another).
export { type Delivery, DomainEvents, type Listener } from './bus.ts';
export { CARRIED_EVENT_TYPES, connectCarrier, type EventCarrier } from './carrier.ts';
export { SqliteEventLog, type SqliteEventLogOptions } from './sqlite-log.ts';
export * from './types.ts';
