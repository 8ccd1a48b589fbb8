import type { QueueAddress } from "./address.ts";

/** What a job holds: its submission, a label for people, the handler's payload, and what its attempts remembered. */
export interface JobEnvelope<T> {
  submission: string;
  label: string;
  payload: T;
  /** Written by the worker during an attempt (e.g. the MLflow runs it opened), read by the next attempt. */
  memory: Record<string, unknown>;
}

/** The project's own keys beside BullMQ's, under the same prefix. */
export function keys(a: QueueAddress) {
  const base = `${a.prefix}:${a.name}:mle`;
  return {
    submissions: `${base}:submissions`,
    submission: (id: string) => `${base}:submission:${id}`,
    jobs: (id: string) => `${base}:submission:${id}:jobs`,
  };
}

/** Where `pnpm queue cancel` asks the workers to stop a running job. */
export function cancelChannel(a: QueueAddress): string {
  return `${a.prefix}:${a.name}:mle:cancel`;
}
