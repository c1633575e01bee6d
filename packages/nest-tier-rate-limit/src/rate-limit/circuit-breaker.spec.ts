import { CircuitBreaker } from './circuit-breaker.js';

describe('CircuitBreaker', () => {
  let time: number;
  const clock = { now: () => time };
  beforeEach(() => (time = 0));

  it('stays closed below the threshold and counts only consecutive failures', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3 }, clock);
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    expect(breaker.isOpen).toBe(false);
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('refuses calls while open, then lets exactly one probe through', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 100 }, clock);
    breaker.failure();
    breaker.failure();
    expect(breaker.tryAcquire()).toBe(false);
    time = 99;
    expect(breaker.tryAcquire()).toBe(false);
    time = 100;
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.success();
    expect(breaker.isOpen).toBe(false);
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('opens again for a full cool-down when the probe fails', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 100 }, clock);
    breaker.failure();
    time = 150;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    time = 249;
    expect(breaker.tryAcquire()).toBe(false);
    time = 250;
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('never opens with a threshold of 0', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 0 }, clock);
    for (let i = 0; i < 100; i++) breaker.failure();
    expect(breaker.tryAcquire()).toBe(true);
  });
});
