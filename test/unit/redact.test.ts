import { describe, expect, it } from 'vitest';
import { createLogger } from '#shared/log.ts';
import { maskEmail, maskPhone, REDACTED, redact, redactText } from '#shared/redact.ts';

describe('redact', () => {
  it('removes secrets by key, whatever their nesting', () => {
    const out = redact({
      headers: { authorization: 'Basic c2ltOnNlY3JldA==', 'Idempotency-Key': 'abc' },
      privateApiKey: 'sim_affirm_private',
      nested: [{ password: 'p', apiKey: 'k', token: 't', cvv: '123' }],
    }) as Record<string, unknown>;
    const text = JSON.stringify(out);
    for (const secret of ['c2ltOnNlY3JldA==', 'sim_affirm_private', '"p"', '"k"', '"t"', '123']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain(REDACTED);
    expect(text).toContain('"Idempotency-Key":"abc"');
  });

  it('masks e-mails and phone numbers by key and inside free text', () => {
    expect(maskEmail('jane.doe@example.com')).toBe('j***@e***.com');
    expect(maskPhone('+1 (303) 555-0142')).toBe('***42');
    const out = JSON.stringify(
      redact({
        email: 'jane.doe@example.com',
        phone_number: '+13035550142',
        message: 'link sent to jane.doe@example.com and +1 303 555 0142',
      }),
    );
    expect(out).not.toContain('jane.doe');
    expect(out).not.toContain('555');
  });

  it('masks Luhn-valid card numbers but leaves other digit runs alone', () => {
    expect(redactText('card 4970 1000 0000 0055 refused')).toBe('card ****0055 refused');
    expect(redactText('card 4970100000000113')).toBe('card ****0113');
    expect(redactText('order 1234567890123 total')).toBe('order 1234567890123 total');
  });

  it('writes log lines that have passed through redaction', () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 'test' }, (line) => lines.push(line)).child({ requestId: 'r1' });
    logger.error('provider said', {
      body: { email: 'john@example.org', card: { number: '4970100000000055' } },
      secret: 'x',
    });
    const entry = JSON.parse(lines[0] ?? '{}');
    expect(entry).toMatchObject({
      level: 'error',
      message: 'provider said',
      service: 'test',
      requestId: 'r1',
      secret: REDACTED,
    });
    expect(lines[0]).not.toContain('john@example.org');
    expect(lines[0]).not.toContain('4970100000000055');
  });
});
