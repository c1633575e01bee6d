import { type ArgumentMetadata, BadRequestException } from '@nestjs/common';
import { PaginationQueryDto } from './pagination.js';
import { CreateRateLimitDto } from './rate-limits/rate-limit.dto.js';
import { ADMIN_VALIDATION_OPTIONS, StrictValidationPipe } from './strict-validation.pipe.js';
import { UpdateTierDto } from './tiers/tier.dto.js';

const pipe = new StrictValidationPipe(ADMIN_VALIDATION_OPTIONS);
const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({
  type: 'body',
  metatype,
});
const query: ArgumentMetadata = { type: 'query', metatype: PaginationQueryDto };

/** What `value` becomes through the pipe once, and through it twice (a host's global pipe, then the controller's). */
async function onceAndTwice(value: unknown, metadata: ArgumentMetadata) {
  const once = await pipe.transform(value, metadata);
  const twice = await pipe.transform(await pipe.transform(value, metadata), metadata);
  return { once, twice };
}

describe('StrictValidationPipe run twice', () => {
  it.each<[string, unknown, ArgumentMetadata]>([
    [
      'a rule body with a decomposed name and path',
      { name: 'cafe\u0301', tierId: 2, path: '/api/v1/cafe\u0301', limit: 5, period: 60 },
      body(CreateRateLimitDto),
    ],
    ['a tier patch nulling the description', { description: null }, body(UpdateTierDto)],
    ['a tier patch with a decomposed name', { name: 'pro\u0301' }, body(UpdateTierDto)],
    ['a query of strings', { page: '3', itemsPerPage: '25' }, query],
    ['an empty query (the defaults)', {}, query],
  ])('leaves %s as one pass made it', async (_case, value, metadata) => {
    const { once, twice } = await onceAndTwice(value, metadata);
    expect(twice).toEqual(once);
    expect(twice).toBeInstanceOf(metadata.metatype!);
  });

  it('normalizes to NFC and converts query numbers on the first pass, not again', async () => {
    const { twice } = await onceAndTwice({ name: 'cafe\u0301' }, body(UpdateTierDto));
    expect(twice).toEqual({ name: 'caf\u00e9' });
    const page = await onceAndTwice({ page: '3' }, query);
    expect(page.twice).toEqual({ page: 3, itemsPerPage: 10 });
  });

  it('refuses an invalid DTO a host pipe already transformed without validating', async () => {
    const transformed = Object.assign(new CreateRateLimitDto(), {
      tierId: 2,
      path: '/x',
      limit: -5,
      period: 60,
    });
    const refusal = await pipe
      .transform(transformed, body(CreateRateLimitDto))
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(BadRequestException);
    expect((refusal as BadRequestException).getResponse()).toMatchObject({
      message: [expect.stringMatching(/^limit /)],
    });
  });
});
