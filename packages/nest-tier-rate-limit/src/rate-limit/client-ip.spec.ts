import type { IncomingMessage } from 'node:http';
import { addressIdentity, clientAddress, compileTrustProxy } from './client-ip.js';

function request(remoteAddress: string, forwardedFor?: string): IncomingMessage {
  const headers = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
  return {
    socket: { remoteAddress },
    connection: { remoteAddress },
    headers,
  } as unknown as IncomingMessage;
}

describe('clientAddress', () => {
  it('ignores X-Forwarded-For unless a proxy is trusted', () => {
    expect(clientAddress(request('10.0.0.1', '1.2.3.4'), compileTrustProxy(false))).toBe(
      '10.0.0.1',
    );
    expect(clientAddress(request('10.0.0.1', '1.2.3.4'), compileTrustProxy(0))).toBe('10.0.0.1');
  });

  it('takes the client from X-Forwarded-For when every proxy is trusted', () => {
    expect(clientAddress(request('10.0.0.1', '1.2.3.4, 5.6.7.8'), compileTrustProxy(true))).toBe(
      '1.2.3.4',
    );
  });

  it('trusts only the configured number of hops', () => {
    const trust = compileTrustProxy(1);
    expect(clientAddress(request('10.0.0.1', '1.2.3.4, 5.6.7.8'), trust)).toBe('5.6.7.8');
  });

  it('trusts only the configured subnets', () => {
    const trust = compileTrustProxy('loopback, 10.0.0.0/8');
    expect(clientAddress(request('127.0.0.1', '9.9.9.9, 10.1.1.1'), trust)).toBe('9.9.9.9');
    expect(clientAddress(request('192.168.1.1', '9.9.9.9'), trust)).toBe('192.168.1.1');
  });
});

describe('addressIdentity', () => {
  it('keeps IPv4 as is', () => {
    expect(addressIdentity('203.0.113.7')).toBe('203.0.113.7');
  });

  it('unwraps IPv4-mapped IPv6', () => {
    expect(addressIdentity('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('groups IPv6 by /64 by default', () => {
    const a = addressIdentity('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    const b = addressIdentity('2001:db8:1:2::1');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(b).toBe(a);
    expect(addressIdentity('2001:db8:1:3::1')).not.toBe(a);
  });

  it('honours another prefix length', () => {
    expect(addressIdentity('2001:db8:1:2ff::1', 56)).toBe('2001:db8:1:200::/56');
    expect(addressIdentity('2001:db8::1', 128)).toBe('2001:db8::1');
  });

  it('leaves unparsable addresses alone', () => {
    expect(addressIdentity('unknown')).toBe('unknown');
    expect(addressIdentity('zz:zz')).toBe('zz:zz');
  });
});
