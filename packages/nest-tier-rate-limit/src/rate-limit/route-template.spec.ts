import { RouteTemplate } from './route-template.js';

describe('RouteTemplate', () => {
  it('keeps the literal text of a template without parameters, built once', () => {
    const template = new RouteTemplate('/api/v1/widgets');
    expect(template.path({})).toBe('/api/v1/widgets');
    expect(template.sanitizedPath('/api/v1/widgets')).toBe('api_v1_widgets');
    expect(template.rulePath).toBe('api_v1_widgets');
  });

  it('puts canonical parameter values into the template', () => {
    const template = new RouteTemplate('/api/v1/users/:userId/widgets/:id');
    expect(template.path({ userId: 'Alice', id: '007' })).toBe('/api/v1/users/alice/widgets/7');
    expect(template.rulePath).toBe('api_v1_users_{userId}_widgets_{id}');
  });

  it('keeps the case of the template, whatever case the request used', () => {
    expect(new RouteTemplate('/Reports/:id').path({ id: '1' })).toBe('/Reports/1');
  });

  it.each([
    ['Express wildcard', '/files/*path', { path: ['A', 'b', '', 'C.TXT'] }, '/files/a/b/c.txt'],
    ['Express wildcard, dots', '/files/*path', { path: ['x', '..', '.', 'b'] }, '/files/b'],
    ['wildcard dots stay inside', '/files/*path', { path: ['..', '..', 'b'] }, '/files/b'],
    ['Fastify wildcard, dots', '/files/*', { '*': 'x/y/../../b' }, '/files/b'],
    ['Express optional group, present', '/w{/:id}', { id: '01' }, '/w/1'],
    ['Express optional group, absent', '/w{/:id}/x', {}, '/w/x'],
    ['Express quoted name', '/w/:"my id"', { 'my id': 'X' }, '/w/x'],
    ['Express escape', '/w\\:x/:id', { id: '2' }, '/w:x/2'],
    ['Fastify wildcard', '/files/*', { '*': 'A/b/C' }, '/files/a/b/c'],
    ['Fastify regex', '/w/:id(^\\d+)/x', { id: '3' }, '/w/3/x'],
    ['Fastify nested regex', '/w/:id((a|b)+)', { id: 'AB' }, '/w/ab'],
    ['Fastify optional, absent', '/w/:id?', {}, '/w/'],
    ['Fastify optional, present', '/w/:id?', { id: '+4' }, '/w/4'],
    ['Fastify escaped colon', '/w::x/:id', { id: '5' }, '/w:x/5'],
    ['two parameters in a segment', '/w/:from-:to', { from: '01', to: '02' }, '/w/1-2'],
  ])('%s: %s', (_name, template, params, path) => {
    expect(new RouteTemplate(template).path(params)).toBe(path);
  });

  it('answers undefined when a parameter is missing, so the guard falls back to the URL', () => {
    expect(new RouteTemplate('/w/:id').path(undefined)).toBeUndefined();
    expect(new RouteTemplate('/w/:id').path(null)).toBeUndefined();
    expect(new RouteTemplate('/w/:toString').path({})).toBeUndefined();
  });

  it('encodes what would let a value spell another path or a placeholder', () => {
    const template = new RouteTemplate('/api/:slug');
    expect(template.path({ slug: 'widgets_7' })).toBe('/api/widgets%5f7');
    expect(template.path({ slug: 'a/b' })).toBe('/api/a%2fb');
    expect(template.path({ slug: '{id}' })).toBe('/api/%7bid%7d');
    expect(template.path({ slug: '50%#x' })).toBe('/api/50%25%23x');
    expect(template.path({ slug: '..' })).toBe('/api/..');
  });

  it('keys a route with parameters apart from any literal route it could read as', () => {
    expect(new RouteTemplate('/w/export').routeKey('GET')).toBe('GET');
    expect(new RouteTemplate('/w/:id').routeKey('GET')).toBe('GET@w_{id}');
    expect(new RouteTemplate('/w/:id').routeKey('POST')).toBe('POST@w_{id}');
  });
});
