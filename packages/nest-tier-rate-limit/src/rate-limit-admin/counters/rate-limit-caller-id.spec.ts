import { callerIdProblem, MAX_CALLER_USER_ID, parseCallerId } from './rate-limit-caller-id.js';

describe('callerIdProblem / parseCallerId', () => {
  it.each([
    ['user:42', 64, { kind: 'user', id: '42' }],
    ['user:ip:10.0.0.1', 64, { kind: 'user', id: 'ip:10.0.0.1' }],
    ['ip:203.0.113.7', 64, { kind: 'ip', id: '203.0.113.7' }],
    ['ip:::ffff:203.0.113.7', 64, { kind: 'ip', id: '203.0.113.7' }],
    ['ip:2001:db8:1:2:aaaa::1', 64, { kind: 'ip', id: '2001:db8:1:2::/64' }],
    ['ip:2001:DB8:1:2::/64', 64, { kind: 'ip', id: '2001:db8:1:2::/64' }],
    ['ip:2001:db8:1:2:aaaa::1', 48, { kind: 'ip', id: '2001:db8:1::/48' }],
    ['ip:2001:db8::1', 128, { kind: 'ip', id: '2001:db8::1' }],
  ])('reads %s (IPv6 by /%i) as the guard keys it', (value, subnet, owner) => {
    expect(callerIdProblem(value, subnet)).toBeUndefined();
    expect(parseCallerId(value, subnet)).toEqual(owner);
  });

  it.each([
    ['42', 'caller must be user:<id> or ip:<address>'],
    ['User:42', 'caller must be user:<id> or ip:<address>'],
    [
      'user:',
      `caller must be user:<id> or ip:<address>: a user id of 1 to ${MAX_CALLER_USER_ID} characters`,
    ],
    [`user:${'x'.repeat(MAX_CALLER_USER_ID + 1)}`, expect.stringContaining('a user id of 1 to')],
    ['ip:', 'caller must be user:<id> or ip:<address>: "" is no IPv4 or IPv6 address'],
    ['ip:10.0.0.256', expect.stringContaining('"10.0.0.256" is no IPv4 or IPv6 address')],
    ['ip:010.0.0.1', expect.stringContaining('is no IPv4 or IPv6 address')],
    ['ip:10.0.0.0/8', expect.stringContaining('is no IPv4 or IPv6 address')],
    ['ip:2001:db8::/48', 'caller groups IPv6 by /48, the limiter by /64: give an address or a /64'],
  ])('refuses %s', (value, problem) => {
    expect(callerIdProblem(value, 64)).toEqual(problem);
  });

  it('leaves the subnet of an IPv6 group to the caller of the module when it is not known', () => {
    expect(callerIdProblem('ip:2001:db8::/48')).toBeUndefined();
  });
});
