import { NotFoundException } from '@nestjs/common';
import { StoredNamePipe } from './stored-name.pipe.js';

describe('StoredNamePipe', () => {
  const pipe = new StoredNamePipe('Tier');

  it('answers a name in NFC, as names are stored', () => {
    expect(pipe.transform('cafe\u0301')).toBe('caf\u00e9');
    expect(pipe.transform('caf\u00e9')).toBe('caf\u00e9');
    expect(pipe.transform('\u212b')).toBe('\u00c5');
  });

  it('passes other names through unchanged', () => {
    for (const name of ['free', 'pro_widgets', '😀', 'a b', 'lone\ud800']) {
      expect(pipe.transform(name)).toBe(name);
    }
  });

  it('is a 404 for a name holding NUL', () => {
    expect(() => pipe.transform('a\u0000b')).toThrow(
      new NotFoundException('Tier "a\u0000b" not found'),
    );
  });
});
