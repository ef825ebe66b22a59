import type { EventName, Payload } from '../shared/contract'

export type EventListener = <E extends EventName>(name: E, payload: Payload<E>) => void

/** Services publish here; each transport subscribes once and forwards to its clients. */
export class EventBus {
  private readonly listeners = new Set<EventListener>()

  emit<E extends EventName>(name: E, payload: Payload<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(name, payload)
      } catch {
        // A broken subscriber must not stop the others or the service that emitted.
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
