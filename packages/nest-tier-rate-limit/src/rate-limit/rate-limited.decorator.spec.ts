import { RateLimited } from './rate-limited.decorator.js';

describe('@RateLimited misuse', () => {
  it('names the route when a method has a bad limit', () => {
    expect(() => {
      class WidgetsController {
        @RateLimited({ limit: 0 })
        create() {}
      }
      return WidgetsController;
    }).toThrow('@RateLimited on WidgetsController.create: limit must be a positive integer, got 0');
  });

  it('names the controller when the class has a bad period', () => {
    expect(() => {
      @RateLimited({ period: 1.5 })
      class ReportsController {}
      return ReportsController;
    }).toThrow('@RateLimited on ReportsController: period must be a positive integer, got 1.5');
  });

  it('refuses an unknown option, which would otherwise be ignored silently', () => {
    expect(() => {
      class WidgetsController {
        @RateLimited({ limt: 5 } as never)
        list() {}
      }
      return WidgetsController;
    }).toThrow(
      '@RateLimited on WidgetsController.list: unknown option limt (known: limit, period, algorithm, burst, mode, count, cost)',
    );
  });

  it.each([
    [
      { algorithm: 'leaky-bucket' },
      'algorithm must be one of fixed-window, sliding-window, gcra, got "leaky-bucket"',
    ],
    [{ algorithm: 'sliding-window', burst: 5 }, 'burst applies to the gcra algorithm only'],
    [{ burst: 5 }, 'burst applies to the gcra algorithm only'],
    [{ algorithm: 'gcra', burst: 0 }, 'burst must be a positive integer, got 0'],
    [{ algorithm: 'gcra', burst: 1.5 }, 'burst must be a positive integer, got 1.5'],
    [{ mode: 'dry-run' }, 'mode must be one of enforce, shadow, got "dry-run"'],
  ])('refuses %j, naming the option', (options, problem) => {
    expect(() => {
      class WidgetsController {
        @RateLimited(options as never)
        list() {}
      }
      return WidgetsController;
    }).toThrow(`@RateLimited on WidgetsController.list: ${problem}`);
  });

  it('accepts good options and no options', () => {
    expect(() => {
      @RateLimited()
      class A {
        @RateLimited({ limit: 5, period: 60 })
        m() {}
        @RateLimited({ limit: 5, period: 60, algorithm: 'gcra', burst: 2 })
        n() {}
        @RateLimited([
          { limit: 5, period: 60, mode: 'shadow' },
          { limit: 50, mode: 'enforce' },
        ])
        p() {}
        @RateLimited({ algorithm: 'sliding-window' })
        o() {}
      }
      return A;
    }).not.toThrow();
  });
});
