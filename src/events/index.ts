export { createPostgresPubSub, publishOnce, DEFAULT_EVENTS_CHANNEL } from './postgres-pub-sub';
export type { PostgresPubSub, PostgresPubSubOptions, PublishOptions, TopicPayload } from './postgres-pub-sub';
export { EventPayloadTooLargeError, PubSubClosedError, MAX_NOTIFY_PAYLOAD_BYTES } from './envelope';
export type { ReconnectOptions } from './notify-listener';
export * from './topics';
