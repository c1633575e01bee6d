import { type RunningDemo, startDemo } from '../support/demo-app.js';
import { adapters } from '../support/rate-limit-test-app.js';

describe.each(adapters)('what the demo tells about its server, on %s', (adapter) => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startDemo({}, { adapter });
  });
  afterAll(async () => {
    await demo.close();
  });

  it.each([
    ['a limited route', '/api/v1/widgets'],
    ['an unknown route', '/api/v1/nothing-here'],
    ['the documentation', '/api/docs-json'],
  ])('sends no X-Powered-By on %s', async (_name, path) => {
    const response = await demo.request('GET', path);
    expect(response.headers.get('x-powered-by')).toBeNull();
    await response.arrayBuffer();
  });
});
