import { canonicalSegment, canonicalUrlPath } from './canonical-path.js';

describe('canonicalSegment', () => {
  it.each([
    ['42', '42'],
    ['042', '42'],
    ['+42', '42'],
    ['42 ', '42'],
    [' 42', '42'],
    ['4.2e1', '42'],
    ['0x2a', '42'],
    ['0X2A', '42'],
    ['42.0', '42'],
    ['-0', '0'],
    ['-042', '-42'],
    ['\uff14\uff12', '42'],
    ['Widget', 'widget'],
    ['WIDGET ', 'widget'],
    ['Straße', 'strasse'],
    ['ﬁle', 'file'],
    ['e\u0301', 'é'],
    ['abc-def_1', 'abc-def_1'],
    ['550E8400-E29B-41D4-A716-446655440000', '550e8400-e29b-41d4-a716-446655440000'],
    ['Infinity', 'infinity'],
    ['', ''],
    ['   ', ''],
  ])('%j → %j', (value, canonical) => {
    expect(canonicalSegment(value)).toBe(canonical);
  });

  it('is idempotent', () => {
    for (const value of ['0x2a', 'Straße', ' +007 ', 'ﬁle', 'A\u030a']) {
      expect(canonicalSegment(canonicalSegment(value))).toBe(canonicalSegment(value));
    }
  });
});

describe('canonicalUrlPath', () => {
  it.each([
    ['/api/v1/widgets', '/api/v1/widgets'],
    ['/API/V1/Widgets/', '/api/v1/widgets'],
    ['http://h1/api/v1/widgets', '/api/v1/widgets'],
    ['https://a:1/api/v1/widgets?x=/y', '/api/v1/widgets'],
    ['http://[::1]/api/v1/widgets#f', '/api/v1/widgets'],
    ['//api//v1/./widgets/x/../007', '/api/v1/widgets/7'],
    ['/api/v1/widget%73/%31', '/api/v1/widgets/1'],
    ['/a/%E0%A4%A/b', '/a/%e0%a4%a/b'],
    ['/../../a', '/a'],
    ['', '/'],
  ])('%j → %j', (url, canonical) => {
    expect(canonicalUrlPath(url)).toBe(canonical);
  });
});
