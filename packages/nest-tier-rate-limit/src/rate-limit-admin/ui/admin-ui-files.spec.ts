import { readAdminUiFiles, renderAdminPage } from './admin-ui-files.js';

const settings = {
  apiBase: '/api/v1',
  loginUrl: null,
  algorithms: ['fixed-window'],
  modes: ['enforce'],
  methods: ['GET'],
};

describe('readAdminUiFiles', () => {
  const files = readAdminUiFiles();

  it('holds the page and every script and style sheet it loads, by name', () => {
    expect(files.template).toContain('{{settings}}');
    expect(files.assets.get('admin.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(files.assets.get('admin.css')?.contentType).toBe('text/css; charset=utf-8');
    expect(files.assets.has('index.html')).toBe(false);
  });

  it('holds every module the scripts import, and nothing from another origin', () => {
    const imported = new Set<string>();
    for (const [name, asset] of files.assets) {
      if (!name.endsWith('.js')) continue;
      const text = asset.body.toString('utf8');
      for (const [, target] of text.matchAll(/from '([^']+)'/g)) imported.add(target);
      expect(text).not.toMatch(/https?:\/\//);
    }
    for (const target of imported) {
      expect(target).toMatch(/^\.\/[\w-]+\.js$/);
      expect(files.assets.has(target.slice(2))).toBe(true);
    }
  });
});

describe('renderAdminPage', () => {
  it('points the page at its own assets below the API', () => {
    const page = renderAdminPage(readAdminUiFiles().template, settings);
    expect(page).toContain('src="/api/v1/admin/assets/admin.js"');
    expect(page).toContain('href="/api/v1/admin/assets/admin.css"');
    expect(page).not.toContain('{{');
  });

  it('escapes a base and settings that could end their attribute or script element', () => {
    const page = renderAdminPage('<a href="{{base}}"></a><script>{{settings}}</script>', {
      ...settings,
      apiBase: '/x"><script>',
      loginUrl: '/login</script><script>alert(1)//',
    });
    expect(page).toContain('href="/x&#34;&#62;&#60;script&#62;/admin"');
    expect(page).not.toContain('</script><script>alert');
    const json = /<script>(.*)<\/script>/.exec(page)?.[1] ?? '';
    expect((JSON.parse(json) as { loginUrl: string }).loginUrl).toBe(
      '/login</script><script>alert(1)//',
    );
  });
});
