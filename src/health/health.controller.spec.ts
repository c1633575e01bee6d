import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import type { AuthRequest } from '../auth/authenticated-user.js';
import { MemoryRateLimitStore, RateLimitModule } from 'nest-tier-rate-limit';
import { HealthController } from './health.controller.js';

const STORE_ERROR = 'connect ECONNREFUSED 10.1.2.3:6379';
const DATABASE_ERROR = 'connect ECONNREFUSED 10.4.5.6:5432 (user "app")';

/** A memory store whose ping can be made to fail, as a remote backend's does. */
class SwitchableStore extends MemoryRateLimitStore {
  down = false;
  override ping(): Promise<void> {
    return this.down ? Promise.reject(new Error(STORE_ERROR)) : super.ping();
  }
}

describe('HealthController', () => {
  let store: SwitchableStore;
  let databaseDown: boolean;
  let errors: string[];
  let infos: string[];
  let module: TestingModule;
  let controller: HealthController;
  // Only its answer to `SELECT 1` matters; a real outage is in admin-database-outage.e2e-spec.
  const dataSource = {
    query: () => (databaseDown ? Promise.reject(new Error(DATABASE_ERROR)) : Promise.resolve([])),
  } as unknown as DataSource;
  const caller = (isSuperuser?: boolean): AuthRequest => ({
    headers: {},
    user: isSuperuser === undefined ? undefined : { id: '1', tierId: null, isSuperuser },
  });

  beforeEach(async () => {
    [errors, infos, databaseDown] = [[], [], false];
    store = new SwitchableStore();
    module = await Test.createTestingModule({
      imports: [RateLimitModule.forRoot({ store })],
      controllers: [HealthController],
      providers: [{ provide: DataSource, useValue: dataSource }],
    }).compile();
    controller = module.get(HealthController);
    jest.spyOn(Logger.prototype, 'error').mockImplementation((m) => void errors.push(String(m)));
    jest.spyOn(Logger.prototype, 'log').mockImplementation((m) => void infos.push(String(m)));
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await module.close();
  });

  it('shows everyone but a superuser the statuses only', async () => {
    [store.down, databaseDown] = [true, true];
    const statuses = {
      status: 'degraded',
      rateLimitStore: { backend: 'memory', status: 'down' },
      database: { status: 'down' },
    };
    for (const request of [caller(), caller(false)]) {
      expect(await controller.check(request)).toEqual(statuses);
    }
    expect(await controller.check(caller(true))).toEqual({
      status: 'degraded',
      rateLimitStore: { backend: 'memory', status: 'down', error: STORE_ERROR },
      database: { status: 'down', error: DATABASE_ERROR },
    });
  });

  it('logs each error once while it lasts, and each recovery once', async () => {
    store.down = true;
    for (let i = 0; i < 5; i += 1) await controller.check(caller());
    expect(errors).toEqual([expect.stringContaining(`memory rate-limit store is down`)]);
    expect(errors[0]).toContain(STORE_ERROR);
    [store.down, databaseDown] = [false, true];
    for (let i = 0; i < 5; i += 1) await controller.check(caller());
    expect(infos).toEqual([expect.stringMatching(/^memory rate-limit store answers/)]);
    expect(errors).toHaveLength(2);
    expect(errors[1]).toContain(`database is down (health check): ${DATABASE_ERROR}`);
    databaseDown = false;
    expect(await controller.check(caller())).toMatchObject({ status: 'ok' });
    expect(infos).toHaveLength(2);
    expect(errors).toHaveLength(2);
  });

  it('logs nothing while everything answers', async () => {
    for (let i = 0; i < 3; i += 1) {
      expect(await controller.check(caller())).toEqual({
        status: 'ok',
        rateLimitStore: { backend: 'memory', status: 'up' },
        database: { status: 'up' },
      });
    }
    expect([...errors, ...infos]).toEqual([]);
  });
});
