import type { ChildProcess } from 'node:child_process';

/** What the measuring child asks the runner, which owns the throwaway servers. */
export type ServerRequest = 'flush' | 'redis-reset' | 'redis-stats' | 'memcached-stats';

/** Messages from the measuring child to the runner. */
export type ChildMessage =
  | { type: 'log'; line: string }
  | { type: 'result'; result: unknown }
  | { type: 'ask'; id: number; request: ServerRequest };

/** The runner's answer to an `ask`. */
interface Answer {
  type: 'answer';
  id: number;
  value?: unknown;
  error?: string;
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) throw new Error('measure.js runs as the runner’s child only');
    process.send(message, undefined, undefined, (error) => (error ? reject(error) : resolve()));
  });
}

/** Child side: a progress line, printed by the runner with its clock. */
export const say = (line: string) => void send({ type: 'log', line });

/** Child side: the job's result; resolves once it has left, so the child may exit. */
export const sendResult = (result: unknown) => send({ type: 'result', result });

let asked = 0;
const pending = new Map<number, (answer: Answer) => void>();
// Only a child has the channel (the runner imports this module for its own side).
if (process.send !== undefined) {
  process.on('message', (message: Answer) => {
    if (message.type === 'answer') pending.get(message.id)?.(message);
  });
}

/** Child side: asks the runner to do something to the servers; resolves with its answer. */
export function ask<T>(request: ServerRequest): Promise<T> {
  const id = ++asked;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, (answer) => {
      pending.delete(id);
      if (answer.error === undefined) resolve(answer.value as T);
      else reject(new Error(`${request}: ${answer.error}`));
    });
    send({ type: 'ask', id, request }).catch(reject);
  });
}

/** Runner side: answers the child's requests with `handlers`, one at a time. */
export function answerRequests(
  child: ChildProcess,
  handlers: Readonly<Record<ServerRequest, () => Promise<unknown>>>,
): void {
  child.on('message', (message: ChildMessage) => {
    if (message.type !== 'ask') return;
    const reply = (answer: Omit<Answer, 'type' | 'id'>) =>
      child.send({ type: 'answer', id: message.id, ...answer });
    handlers[message.request]().then(
      (value) => reply({ value }),
      (error: unknown) => reply({ error: String(error) }),
    );
  });
}
