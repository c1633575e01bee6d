import { jest } from '@jest/globals';
import { Logger, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { firstValueFrom, of, throwError } from 'rxjs';
import { QueryFailedError } from 'typeorm';
import {
  DATABASE_UNAVAILABLE_MESSAGE,
  DatabaseUnavailableInterceptor,
} from './database-unavailable.interceptor.js';

const response = { reply: 'object' };
const setHeader = jest.fn();
const interceptor = new DatabaseUnavailableInterceptor({
  httpAdapter: { setHeader },
} as unknown as HttpAdapterHost);

/** What the interceptor makes of a handler that ends with `outcome`. */
async function through(outcome: { value: unknown } | { error: unknown }): Promise<unknown> {
  const handle = () => ('error' in outcome ? throwError(() => outcome.error) : of(outcome.value));
  const context = new ExecutionContextHost([{}, response]);
  return firstValueFrom(interceptor.intercept(context, { handle })).catch(
    (error: unknown) => error,
  );
}

describe('DatabaseUnavailableInterceptor', () => {
  let logged: string[];
  beforeEach(() => {
    setHeader.mockClear();
    logged = [];
    jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation((m: unknown) => void logged.push(String(m)));
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('answers 503 with the message and Retry-After when the database cannot be reached', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    const error = await through({ error: refused });
    expect(error).toBeInstanceOf(ServiceUnavailableException);
    const exception = error as ServiceUnavailableException;
    expect(exception.getResponse()).toEqual({
      statusCode: 503,
      message: DATABASE_UNAVAILABLE_MESSAGE,
    });
    expect(exception.cause).toBe(refused);
    expect(setHeader).toHaveBeenCalledWith(response, 'Retry-After', '5');
    expect(logged).toEqual([
      'rate-limit admin database failed: connect ECONNREFUSED 127.0.0.1:5432; the admin API answers 503',
    ]);
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    [
      'a failed query',
      new QueryFailedError('SELEC 1', [], Object.assign(new Error('syntax'), { code: '42601' })),
    ],
    ['an HTTP error', new NotFoundException('Tier "x" not found')],
  ])('rethrows %s untouched, without a header', async (_case, thrown) => {
    expect(await through({ error: thrown })).toBe(thrown);
    expect(setHeader).not.toHaveBeenCalled();
    expect(logged).toEqual([]);
  });

  it('passes results through', async () => {
    expect(await through({ value: { id: 1 } })).toEqual({ id: 1 });
  });
});
