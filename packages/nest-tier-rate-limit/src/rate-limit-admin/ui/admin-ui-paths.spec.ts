import { adminLoginUrl, joinPath } from './admin-ui-paths.js';

describe('joinPath', () => {
  it.each([
    [['api/v1', ''], '/api/v1'],
    [['/api/v1/', '/ops/'], '/api/v1/ops'],
    [['', ''], ''],
    [['', 'ops'], '/ops'],
  ])('joins %j as %s', (parts, joined) => {
    expect(joinPath(...parts)).toBe(joined);
  });
});

describe('adminLoginUrl', () => {
  it('keeps a path from the root and puts a relative one below the API', () => {
    expect(adminLoginUrl('/auth/login', '/api/v1')).toBe('/auth/login');
    expect(adminLoginUrl('auth/login', '/api/v1')).toBe('/api/v1/auth/login');
    expect(adminLoginUrl(undefined, '/api/v1')).toBeNull();
  });

  it.each([
    'https://evil.example/login',
    '//evil.example/login',
    'javascript:alert(1)',
    '\\\\evil',
    '/\t/evil.example/login',
    '/\\evil.example',
    '',
    ' ',
  ])('refuses %j, which would leave this origin', (url) => {
    expect(() => adminLoginUrl(url, '')).toThrow(/ui\.loginUrl must be a path on this origin/);
  });
});

describe('RateLimitAdminModule.forRoot({ ui })', () => {
  it('serves the page only when asked, and refuses a login URL on another origin at once', async () => {
    const { RateLimitAdminModule } = await import('../rate-limit-admin.module.js');
    const { RateLimitAdminUiController } = await import('./rate-limit-admin-ui.controller.js');
    expect(RateLimitAdminModule.forRoot({}).controllers).toEqual([]);
    expect(RateLimitAdminModule.forRoot({ ui: true }).controllers).toEqual([
      RateLimitAdminUiController,
    ]);
    expect(() => RateLimitAdminModule.forRoot({ ui: { loginUrl: '//evil.example' } })).toThrow(
      'RateLimitAdminModule ui.loginUrl must be a path on this origin (got "//evil.example")',
    );
  });
});
