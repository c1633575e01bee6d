import { BadRequestException } from '@nestjs/common';
import { RateLimitCounterQueryDto } from '../counters/rate-limit-counters.dto.js';
import { ADMIN_VALIDATION_OPTIONS, StrictValidationPipe } from '../strict-validation.pipe.js';
import { RateLimitPolicyQueryDto } from './rate-limit-policies.dto.js';

const pipe = new StrictValidationPipe(ADMIN_VALIDATION_OPTIONS);
const validate = (
  query: Record<string, unknown>,
  metatype: new () => object = RateLimitPolicyQueryDto,
) => pipe.transform(query, { type: 'query', metatype });
/** The messages of the 400 a query gets. */
async function problems(query: Record<string, unknown>, metatype?: new () => object) {
  const error = await validate(query, metatype).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BadRequestException);
  return (error as BadRequestException).getResponse() as { message: string[] };
}

describe('the queries of /rate-limit-policies and /rate-limit-counters', () => {
  it('takes a path, a decimal tier id and an upper-case method', async () => {
    const query = await validate({
      path: '/api/v1/widgets/42?x=%zz',
      tierId: '12',
      method: 'HEAD',
    });
    expect(query).toEqual(
      Object.assign(new RateLimitPolicyQueryDto(), {
        path: '/api/v1/widgets/42?x=%zz',
        tierId: 12,
        method: 'HEAD',
      }),
    );
    // Validated again (a host's global pipe, then the controller's own): the same.
    expect(await validate(query as Record<string, unknown>)).toEqual(query);
  });

  it.each(['0x10', '1e1', ' 2', '+2', '-1', '', '2147483648'])(
    'refuses tierId %j',
    async (tierId) => {
      const { message } = await problems({ path: '/x', tierId });
      expect(message.some((text) => text.startsWith('tierId must'))).toBe(true);
    },
  );

  const URL_PATH =
    'path must be a URL path starting with "/", without spaces or control characters';
  it.each([
    ['relative', 'widgets', URL_PATH],
    ['with a space', '/a b', URL_PATH],
    ['with a NUL', '/a\u0000', URL_PATH],
    ['with a bad escape', '/%zz', 'path must not hold a malformed percent-encoding'],
    ['with a lone surrogate', '/\ud800', 'path must be well-formed Unicode (no lone surrogates)'],
    ['too long', `/${'a'.repeat(2048)}`, 'path must be shorter than or equal to 2048 characters'],
  ])('refuses a path %s', async (_label, path, problem) => {
    expect((await problems({ path })).message).toContain(problem);
  });

  it('refuses null for an optional field, as the admin API does', async () => {
    expect((await problems({ path: '/x', tierId: null })).message).toContain(
      'tierId must be an integer number',
    );
  });

  it('wants a caller for the counters, named as keys name it', async () => {
    expect((await problems({ path: '/x' }, RateLimitCounterQueryDto)).message).toContain(
      'caller must be a string',
    );
    expect(
      await validate({ path: '/x', caller: 'ip:::1' }, RateLimitCounterQueryDto),
    ).toMatchObject({
      caller: 'ip:::1',
    });
    expect(
      (await problems({ path: '/x', caller: 'ip:host' }, RateLimitCounterQueryDto)).message,
    ).toEqual(['caller must be user:<id> or ip:<address>: "host" is no IPv4 or IPv6 address']);
  });
});
