export { parseQueueUrl, type QueueAddress } from "./address.ts";
export { WorkQueue, JobFailedError, type Submission, type JobView, type JobState } from "./work-queue.ts";
export { startWorker, type JobContext, type JobHandler, type WorkerOptions, type RunningWorker } from "./worker.ts";
