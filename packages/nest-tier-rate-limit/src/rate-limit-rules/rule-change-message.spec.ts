import { encodeRuleChange, ruleChangeChannel, ruleChangeSender } from './rule-change-message.js';

describe('rule-change messages', () => {
  it('name the channel after the key prefix', () => {
    expect(ruleChangeChannel('ratelimit')).toBe('ratelimit:rules');
    expect(ruleChangeChannel('shop')).not.toBe(ruleChangeChannel('blog'));
  });

  it('carry the sending instance and the version, nothing else', () => {
    const text = encodeRuleChange({ instance: 'a1', version: '3/x|1/y' });
    expect(JSON.parse(text)).toEqual({ instance: 'a1', version: '3/x|1/y' });
    expect(ruleChangeSender(text)).toBe('a1');
  });

  it.each(['not json', 'null', '42', '{"instance":7}', '{}'])('name no sender for %s', (text) => {
    expect(ruleChangeSender(text)).toBeUndefined();
  });
});
