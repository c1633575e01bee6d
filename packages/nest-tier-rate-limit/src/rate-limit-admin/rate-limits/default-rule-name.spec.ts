import { defaultRuleName, MAX_RULE_NAME_LENGTH } from './default-rule-name.js';

describe('defaultRuleName', () => {
  it('is {tier}_{path} when it fits', () => {
    expect(defaultRuleName('pro', 'api_v1_widgets_{id}')).toBe('pro_api_v1_widgets_{id}');
    const fits = 'p'.repeat(MAX_RULE_NAME_LENGTH - 4);
    expect(defaultRuleName('pro', fits)).toBe(`pro_${fits}`);
  });

  it('keeps long paths sharing a prefix apart, within the column', () => {
    const prefix = `api_${'a'.repeat(150)}`;
    const one = defaultRuleName('free', `${prefix}_one`);
    const two = defaultRuleName('free', `${prefix}_two`);
    expect(one).not.toBe(two);
    expect(one.length).toBeLessThanOrEqual(MAX_RULE_NAME_LENGTH);
    expect(one).toMatch(/^free_api_a+~[\w-]{22}$/);
    expect(defaultRuleName('free', `${prefix}_one`)).toBe(one);
  });

  it('never cuts a surrogate pair in half', () => {
    const name = defaultRuleName('t', `${'x'.repeat(74)}${'😀'.repeat(40)}`);
    expect(name).not.toMatch(/\p{Cs}/u);
    expect(name.length).toBeLessThanOrEqual(MAX_RULE_NAME_LENGTH);
  });
});
