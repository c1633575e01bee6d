import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { BackendFailureLog } from './backend-failure-log.js';

describe('BackendFailureLog', () => {
  let errors: string[];
  let infos: string[];
  beforeEach(() => {
    errors = [];
    infos = [];
    jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation((m: unknown) => void errors.push(String(m)));
    jest
      .spyOn(Logger.prototype, 'log')
      .mockImplementation((m: unknown) => void infos.push(String(m)));
  });
  afterEach(() => jest.restoreAllMocks());

  it('logs one line per interval however many failures, then the recovery once', () => {
    let now = 0;
    const log = new BackendFailureLog('redis rate-limit store', () => now);
    for (let i = 0; i < 1000; i += 1) log.failure(new Error('down'), 'letting requests through');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/redis rate-limit store failed: down; letting requests through/);
    now = 10_000;
    log.failure(new Error('down'), 'letting requests through');
    expect(errors).toHaveLength(2);
    expect(errors[1]).toMatch(/999 more since the last report/);
    log.success();
    log.success();
    expect(infos).toEqual(['redis rate-limit store answers again']);
  });
});
