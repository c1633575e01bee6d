import { DecisionTally, Outcome } from './decision-tally.js';

describe('DecisionTally', () => {
  const drained = (tally: DecisionTally) => {
    const reported: Array<[string, string, string, number]> = [];
    tally.drain((...entry) => reported.push(entry));
    return reported;
  };

  it('reports what each series gained since the last drain', () => {
    const tally = new DecisionTally();
    tally.count('burst', 2, Outcome.allowed);
    tally.count('burst', 2, Outcome.allowed);
    tally.count('burst', 2, Outcome.limited);
    tally.count('default', undefined, Outcome.shadowLimited);
    expect(drained(tally)).toEqual([
      ['burst', '2', 'allowed', 2],
      ['burst', '2', 'limited', 1],
      ['default', 'none', 'shadow_limited', 1],
    ]);
    expect(drained(tally)).toEqual([]);
    tally.count('burst', 2, Outcome.degraded);
    expect(drained(tally)).toEqual([['burst', '2', 'degraded', 1]]);
  });

  it('counts past its bound under other, however many policies and tiers come', () => {
    const tally = new DecisionTally(3);
    for (let i = 0; i < 10_000; i += 1) tally.count(`policy-${i % 100}`, i, Outcome.allowed);
    expect(tally.size).toBe(4);
    const reported = drained(tally);
    expect(reported.map(([policy, tier]) => `${policy}/${tier}`)).toEqual([
      'policy-0/0',
      'policy-1/1',
      'policy-2/2',
      'other/other',
    ]);
    expect(reported.reduce((sum, [, , , gained]) => sum + gained, 0)).toBe(10_000);
  });

  it('tells the number 1 and the string "1" apart from no tier', () => {
    const tally = new DecisionTally();
    tally.count('p', undefined, Outcome.allowed);
    tally.count('p', 1, Outcome.allowed);
    expect(drained(tally).map(([, tier]) => tier)).toEqual(['none', '1']);
  });
});
