// Domain events: their JSON shapes and the bus the context owns.
export { type Delivery, DomainEvents, type Listener } from './bus.ts';
export * from './types.ts';
