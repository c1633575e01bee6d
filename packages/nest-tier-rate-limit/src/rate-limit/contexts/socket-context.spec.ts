import type { IncomingMessage } from 'node:http';
import { compileTrustProxy } from '../client-ip.js';
import { socketAddress, socketCallerSource } from './socket-context.js';

const request = (remoteAddress: string, headers: IncomingMessage['headers'] = {}) =>
  ({ headers, socket: { remoteAddress } }) as IncomingMessage;

describe('socketCallerSource', () => {
  it('is the first of the client, its data and its request that has a user', () => {
    const user = { id: 'u1' };
    const withUser = { user, data: { user: { id: 'other' } } };
    expect(socketCallerSource(withUser)).toBe(withUser);
    const data = { user };
    expect(socketCallerSource({ data })).toBe(data);
    const handshake = Object.assign(request('10.0.0.1'), { user });
    expect(socketCallerSource({ data: {}, request: handshake })).toBe(handshake);
    const anonymous = { data: {}, request: request('10.0.0.1') };
    expect(socketCallerSource(anonymous)).toBe(anonymous);
  });
});

describe('socketAddress', () => {
  const forwarded = { 'x-forwarded-for': '203.0.113.9, 10.0.0.3' };

  it('is the handshake address, never a forwarded one unless proxies are trusted', () => {
    const client = { handshake: { address: '::ffff:10.0.0.2', headers: forwarded } };
    expect(socketAddress(client, undefined, 64)).toBe('10.0.0.2');
    expect(socketAddress(client, compileTrustProxy('10.0.0.0/8'), 64)).toBe('203.0.113.9');
    // Only the hops it trusts: the first untrusted address is the client.
    expect(socketAddress(client, compileTrustProxy('10.0.0.2'), 64)).toBe('10.0.0.3');
  });

  it('groups IPv6 by subnet, so rotating addresses of one allocation share a counter', () => {
    const a = { handshake: { address: '2001:db8:1:2::a' } };
    const b = { handshake: { address: '2001:db8:1:2:ffff::1' } };
    expect(socketAddress(a, undefined, 64)).toBe(socketAddress(b, undefined, 64));
  });

  it('falls back to a kept request, then the TCP peer of a ws client', () => {
    expect(socketAddress({ request: request('10.1.1.1', forwarded) }, undefined, 64)).toBe(
      '10.1.1.1',
    );
    expect(
      socketAddress({ request: request('10.1.1.1', forwarded) }, compileTrustProxy(true), 64),
    ).toBe('203.0.113.9');
    expect(socketAddress({ _socket: { remoteAddress: '10.2.2.2' } }, undefined, 64)).toBe(
      '10.2.2.2',
    );
    expect(socketAddress({}, undefined, 64)).toBe('unknown');
  });
});
