// Times RateLimitGuard.canActivate of three builds (base, tree and its twin) in one process:
// one anonymous caller on one `@RateLimited` route, memory store, never refused. Run by run.sh.
import 'reflect-metadata';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { Test } from '@nestjs/testing';

const ROUNDS = 15;
const CHECKS = 100_000;

async function variant(name) {
  const limiter = await import(`./${name}/dist/rate-limit/index.js`);
  class Widgets {
    get() {}
  }
  const get = Object.getOwnPropertyDescriptor(Widgets.prototype, 'get');
  limiter.RateLimited({ limit: 1e9, period: 3600 })(Widgets.prototype, 'get', get);
  const moduleRef = await Test.createTestingModule({
    imports: [limiter.RateLimitModule.forRoot({ store: 'memory' })],
  }).compile();
  // An app, for the HTTP adapter the guard writes headers through.
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  const guard = moduleRef.get(limiter.RateLimitGuard);
  const response = { setHeader() {} };
  const request = {
    url: '/api/v1/widgets/1',
    originalUrl: '/api/v1/widgets/1',
    route: { path: '/api/v1/widgets/:id' },
    params: { id: '1' },
    headers: {},
    socket: { remoteAddress: '10.0.0.1' },
  };
  const time = (checks) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < checks; i += 1) {
      const context = new ExecutionContextHost([request, response, undefined], Widgets, get.value);
      if (guard.canActivate(context) !== true) throw new Error(`${name}: refused`);
    }
    return Number(process.hrtime.bigint() - started) / checks;
  };
  return { name, time, close: () => app.close() };
}

const variants = await Promise.all(['base', 'tree', 'tree-twin'].map(variant));
for (const each of variants) each.time(2 * CHECKS);
const samples = new Map(variants.map((each) => [each.name, []]));
for (let round = 0; round < ROUNDS; round += 1)
  // Alternating order, so that neither build always runs first.
  for (const each of round % 2 ? variants : [...variants].reverse())
    samples.get(each.name).push(each.time(CHECKS));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [name, values] of samples)
  console.log(
    `${name.padEnd(9)} median ${median(values).toFixed(0)} ns/check` +
      ` (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})`,
  );
const m = (name) => median(samples.get(name));
console.log(
  `tree/base ${(m('tree') / m('base')).toFixed(3)}, A/A tree-twin/tree ${(m('tree-twin') / m('tree')).toFixed(3)}`,
);
await Promise.all(variants.map((each) => each.close()));
