// Publishing: checkpoint → durable marker → WAL truncation, in that order.

export type {
  CheckpointPublisherOptions,
  PublishOptions,
  PublishResult,
  SegmentIndexState,
} from './checkpoint-publisher.js';
export { CheckpointPublisher } from './checkpoint-publisher.js';
