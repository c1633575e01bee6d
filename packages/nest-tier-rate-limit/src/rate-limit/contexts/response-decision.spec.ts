import type { RateLimitDecision } from '../rate-limit-decision.js';
import { showsOnResponse } from './response-decision.js';

const decision = (allowed: boolean, remaining: number, retryAfterSeconds = 0) =>
  ({ allowed, remaining, retryAfterSeconds }) as RateLimitDecision;

describe('showsOnResponse', () => {
  it('shows the first decision, then only a more constrained one', () => {
    const scope = {};
    expect(showsOnResponse(scope, decision(true, 4))).toBe(true);
    expect(showsOnResponse(scope, decision(true, 9))).toBe(false);
    expect(showsOnResponse(scope, decision(true, 2))).toBe(true);
    expect(showsOnResponse(scope, decision(false, 0, 30))).toBe(true);
    // After a refusal, a pass never replaces it, however few it has left.
    expect(showsOnResponse(scope, decision(true, 0))).toBe(false);
    expect(showsOnResponse(scope, decision(false, 0, 10))).toBe(false);
    expect(showsOnResponse(scope, decision(false, 0, 60))).toBe(true);
  });

  it('lets a settled decision replace the one it settled, and keeps operations apart', () => {
    const scope = {};
    const charged = decision(true, 0);
    showsOnResponse(scope, charged);
    expect(showsOnResponse(scope, decision(true, 1), charged)).toBe(true);
    expect(showsOnResponse({}, decision(true, 50))).toBe(true);
  });
});
