import { requestPath, sanitizePath, sanitizeRouteTemplate } from './rate-limit-path.js';

describe('sanitizePath', () => {
  it.each([
    ['/api/v1/users/42', 'api_v1_users_42'],
    ['api/v1/widgets/', 'api_v1_widgets'],
    ['///api//x///', 'api__x'],
    ['/', ''],
    ['', ''],
    ['api_v1_widgets', 'api_v1_widgets'],
  ])('%s → %s', (input, expected) => {
    expect(sanitizePath(input)).toBe(expected);
  });
});

describe('requestPath', () => {
  it('drops the query string and fragment', () => {
    expect(requestPath('/api/v1/widgets?page=2&x=/y')).toBe('/api/v1/widgets');
    expect(requestPath('/a#frag')).toBe('/a');
    expect(requestPath('/plain')).toBe('/plain');
  });
});

describe('sanitizeRouteTemplate', () => {
  it('turns :params into {params}', () => {
    expect(sanitizeRouteTemplate('/api/v1/widgets/:id')).toBe('api_v1_widgets_{id}');
    expect(sanitizeRouteTemplate('/a/:x/b/:y_z')).toBe('a_{x}_b_{y_z}');
    expect(sanitizeRouteTemplate('/api/v1/widgets')).toBe('api_v1_widgets');
  });
});
